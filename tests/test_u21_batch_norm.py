"""Unit 21: dlbook.batchnorm against nn.BatchNorm1d (train and eval mode) and autograd, the
syllabus's hand-computed numbers through the grader's oracles, and other correct answers the
checks must accept."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from array_api_compat import array_namespace

from dlbook import batchnorm as bn
from grader.core import run_exercise
from grader.units import u21_batch_norm as u21

Z_EX, GAMMA_EX, BETA_EX = u21.Z_EXAMPLE, u21.GAMMA_EXAMPLE, u21.BETA_EXAMPLE


def _module(n, gamma, beta, eps=1e-5, momentum=0.1, running_mean=None, running_var=None):
    return u21._bn_module(n, gamma, beta, eps, momentum, running_mean, running_var)


# ----------------------------------------------------------------------------- against PyTorch

@pytest.mark.parametrize("n, m, eps", [(2, 4, 1e-8), (5, 16, 1e-5), (3, 2, 1e-3)])
def test_forward_and_running_stats_match_batchnorm1d_in_train_mode(n, m, eps):
    rng = np.random.default_rng(n * m)
    Z = rng.normal(1.0, 2.0, size=(n, m))
    gamma, beta = rng.uniform(0.5, 2, size=(n, 1)), rng.normal(size=(n, 1))
    rm, rv = rng.normal(size=(n, 1)), rng.uniform(0.5, 2, size=(n, 1))
    module = _module(n, gamma, beta, eps, 0.1, rm, rv).train()
    with torch.no_grad():
        ref = module(torch.tensor(Z.T)).numpy().T                 # batch-first in, (n, m) out
    out, cache = bn.batchnorm_forward(Z, gamma, beta, eps)
    np.testing.assert_allclose(out, ref, rtol=1e-12, atol=1e-13)
    new_mean, new_var = bn.update_running_stats(rm, rv, Z, momentum=0.1)
    np.testing.assert_allclose(new_mean.ravel(), module.running_mean.numpy(), rtol=1e-12)
    np.testing.assert_allclose(new_var.ravel(), module.running_var.numpy(), rtol=1e-12)


def test_inference_matches_batchnorm1d_in_eval_mode_and_works_per_example():
    rng = np.random.default_rng(1)
    Z = rng.normal(size=(4, 6))
    gamma, beta = rng.uniform(0.5, 2, size=(4, 1)), rng.normal(size=(4, 1))
    rm, rv = rng.normal(size=(4, 1)), rng.uniform(0.5, 2, size=(4, 1))
    module = _module(4, gamma, beta, 1e-5, 0.1, rm, rv).eval()
    with torch.no_grad():
        ref = module(torch.tensor(Z.T)).numpy().T
    out = bn.batchnorm_inference(Z, gamma, beta, rm, rv)
    np.testing.assert_allclose(out, ref, rtol=1e-12, atol=1e-13)
    one = bn.batchnorm_inference(Z[:, 2:3], gamma, beta, rm, rv)  # a column does not depend on the others
    np.testing.assert_allclose(one, out[:, 2:3], rtol=1e-14)


@pytest.mark.parametrize("n, m", [(2, 4), (4, 16), (3, 2), (1, 9)])
def test_backward_matches_autograd(n, m):
    rng = np.random.default_rng(10 * n + m)
    Z = rng.normal(1.0, 2.0, size=(n, m))
    gamma, beta = rng.uniform(-2, 2, size=(n, 1)), rng.normal(size=(n, 1))
    dZt = rng.normal(size=(n, m))
    _, cache = bn.batchnorm_forward(Z, gamma, beta)
    dZ, dgamma, dbeta = bn.batchnorm_backward(dZt, cache)
    Zt = torch.tensor(Z.T, requires_grad=True)
    g = torch.tensor(gamma.ravel(), requires_grad=True)
    b = torch.tensor(beta.ravel(), requires_grad=True)
    F.batch_norm(Zt, None, None, g, b, training=True, eps=1e-5).backward(torch.tensor(dZt.T))
    np.testing.assert_allclose(dZ, Zt.grad.numpy().T, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(dgamma.ravel(), g.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(dbeta.ravel(), b.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(dZ.sum(axis=1), 0, atol=1e-12)       # a shift of a row changes nothing


def test_backward_rows_are_orthogonal_to_z_hat_when_eps_is_zero():
    rng = np.random.default_rng(2)
    Z, gamma, beta = rng.normal(size=(3, 8)), np.ones((3, 1)), np.zeros((3, 1))
    _, cache = bn.batchnorm_forward(Z, gamma, beta, eps=0.0)
    dZ, _, _ = bn.batchnorm_backward(rng.normal(size=(3, 8)), cache)
    np.testing.assert_allclose(np.sum(dZ * cache["Z_hat"], axis=1), 0, atol=1e-12)


def test_torch_tensors_stay_torch():
    Z = torch.tensor(Z_EX, dtype=torch.float32)
    out, cache = bn.batchnorm_forward(Z, torch.tensor(GAMMA_EX, dtype=torch.float32),
                                      torch.tensor(BETA_EX, dtype=torch.float32))
    assert isinstance(out, torch.Tensor) and out.dtype == torch.float32 and cache["mu"].shape == (2, 1)


def test_network_gradients_and_running_stats_match_pytorch():
    rng = np.random.default_rng(3)
    dims = [2, 5, 4, 1]
    X, Y = rng.normal(size=(2, 12)), (rng.random((1, 12)) < 0.5).astype(float)
    params, state = bn.initialize_bn_network(dims, np.random.default_rng(0))
    params = {k: v + 0.1 * rng.normal(size=v.shape) for k, v in params.items()}   # gamma != 1, beta != 0
    ZL, caches, new_state = bn.bn_network_forward(X, params, state, training=True)
    grads = bn.bn_network_backward(ZL, Y, caches, params)

    layers = []
    for l in (1, 2):
        lin = torch.nn.Linear(dims[l - 1], dims[l], bias=False).double()
        norm = torch.nn.BatchNorm1d(dims[l]).double()
        with torch.no_grad():
            lin.weight.copy_(torch.tensor(params[f"W{l}"]))
            norm.weight.copy_(torch.tensor(params[f"gamma{l}"].ravel()))
            norm.bias.copy_(torch.tensor(params[f"beta{l}"].ravel()))
        layers += [lin, norm, torch.nn.ReLU()]
    out = torch.nn.Linear(dims[2], 1).double()
    with torch.no_grad():
        out.weight.copy_(torch.tensor(params["W3"]))
        out.bias.copy_(torch.tensor(params["b3"].ravel()))
    net = torch.nn.Sequential(*layers, out).train()
    logits = net(torch.tensor(X.T))
    np.testing.assert_allclose(logits.detach().numpy().T, ZL, rtol=1e-12)
    F.binary_cross_entropy_with_logits(logits, torch.tensor(Y.T)).backward()
    for l, (lin, norm) in zip((1, 2), [(layers[0], layers[1]), (layers[3], layers[4])]):
        np.testing.assert_allclose(grads[f"dW{l}"], lin.weight.grad.numpy(), rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(grads[f"dgamma{l}"].ravel(), norm.weight.grad.numpy(), rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(grads[f"dbeta{l}"].ravel(), norm.bias.grad.numpy(), rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(new_state[f"running_mean{l}"].ravel(), norm.running_mean.numpy(), rtol=1e-12)
        np.testing.assert_allclose(new_state[f"running_var{l}"].ravel(), norm.running_var.numpy(), rtol=1e-12)
    np.testing.assert_allclose(grads["dW3"], out.weight.grad.numpy(), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(grads["db3"].ravel(), out.bias.grad.numpy(), rtol=1e-9, atol=1e-12)

    net.eval()
    ZL_eval, _, _ = bn.bn_network_forward(X, params, new_state, training=False)
    np.testing.assert_allclose(net(torch.tensor(X.T)).detach().numpy().T, ZL_eval, rtol=1e-12)


# ----------------------------------------------------------------------------- the syllabus's numbers

def test_oracles_reproduce_the_worked_example():
    Z_tilde, cache = u21._forward_oracle(Z_EX, GAMMA_EX, BETA_EX, 1e-8)
    np.testing.assert_allclose(cache["mu"].ravel(), [2.5, 11])
    np.testing.assert_allclose(cache["var"].ravel(), [1.25, 3])
    np.testing.assert_allclose(Z_tilde, [[-2.183282, -0.394427, 1.394427, 3.183282],
                                         [-1.577350, -1.577350, -1.577350, 0.732051]], atol=5e-7)
    rm, rv = u21._running_oracle(np.zeros((2, 1)), np.ones((2, 1)), Z_EX, 0.1)
    np.testing.assert_allclose(rm.ravel(), [0.25, 1.1])
    np.testing.assert_allclose(rv.ravel(), [1.0 + 0.1 * (5 / 3 - 1), 1.3])      # unbiased (1.6667, 4) fed in
    x = u21._inference_oracle(np.array([[3.0], [11.0]]), np.ones((2, 1)), np.zeros((2, 1)),
                              np.array([[0.525], [2.19]]), np.array([[1.0225], [1.28]]), 1e-8)
    np.testing.assert_allclose(x.ravel(), [2.4476, 7.7870], atol=5e-5)


def test_identity_recovery_bias_cancels_and_batch_of_one_gives_beta():
    eps = 1e-8
    _, cache = bn.batchnorm_forward(Z_EX, GAMMA_EX, BETA_EX, eps)
    out, _ = bn.batchnorm_forward(Z_EX, np.sqrt(cache["var"] + eps), cache["mu"], eps)
    np.testing.assert_allclose(out, Z_EX, rtol=1e-12)
    shifted, _ = bn.batchnorm_forward(Z_EX + np.array([[5.0], [-3.0]]), GAMMA_EX, BETA_EX, eps)
    np.testing.assert_allclose(shifted, bn.batchnorm_forward(Z_EX, GAMMA_EX, BETA_EX, eps)[0], atol=1e-12)
    single, _ = bn.batchnorm_forward(np.array([[3.0], [11.0]]), GAMMA_EX, BETA_EX)
    np.testing.assert_allclose(single, BETA_EX)


# ----------------------------------------------------------------------------- other correct answers pass

def _forward_with_var(Z, gamma, beta, eps=1e-5):
    xp = array_namespace(Z)
    mu, var = xp.mean(Z, axis=1, keepdims=True), xp.var(Z, axis=1, keepdims=True)
    Z_hat = (Z - mu) / xp.sqrt(var + eps)
    return gamma * Z_hat + beta, {"Z": Z, "Z_hat": Z_hat, "mu": mu, "var": var, "gamma": gamma, "eps": eps}


def _backward_step_by_step(dZ_tilde, cache):
    """CS231n's staged backward pass through the computational graph."""
    xp = array_namespace(dZ_tilde)
    Z, mu, var, gamma, eps = cache["Z"], cache["mu"], cache["var"], cache["gamma"], cache["eps"]
    m = Z.shape[1]
    centred, inv_std = Z - mu, 1 / xp.sqrt(var + eps)
    Z_hat = centred * inv_std
    dZ_hat = dZ_tilde * gamma
    dvar = xp.sum(dZ_hat * centred, axis=1, keepdims=True) * -0.5 * inv_std ** 3
    dmu = -xp.sum(dZ_hat * inv_std, axis=1, keepdims=True) + dvar * xp.mean(-2 * centred, axis=1, keepdims=True)
    dZ = dZ_hat * inv_std + dvar * 2 * centred / m + dmu / m
    return dZ, xp.sum(dZ_tilde * Z_hat, axis=1, keepdims=True), xp.sum(dZ_tilde, axis=1, keepdims=True)


def _running_from_biased(running_mean, running_var, Z, momentum=0.1):
    xp = array_namespace(Z)
    m = Z.shape[1]
    return ((1 - momentum) * running_mean + momentum * xp.mean(Z, axis=1, keepdims=True),
            (1 - momentum) * running_var + momentum * xp.var(Z, axis=1, keepdims=True) * m / (m - 1))


@pytest.mark.parametrize("fn, exercise", [
    (bn.batchnorm_forward, u21.FORWARD), (_forward_with_var, u21.FORWARD),
    (bn.batchnorm_backward, u21.BACKWARD), (_backward_step_by_step, u21.BACKWARD),
    (bn.update_running_stats, u21.RUNNING), (_running_from_biased, u21.RUNNING),
    (bn.batchnorm_inference, u21.INFERENCE),
], ids=lambda x: getattr(x, "__name__", getattr(x, "name", "")))
def test_correct_implementations_pass_the_checks(fn, exercise):
    failures, _, _ = run_exercise(fn, exercise)
    assert not failures, str(failures[0])
