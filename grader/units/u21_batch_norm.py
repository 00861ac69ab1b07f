"""Unit 21 · Batch normalization.

Exercises: batchnorm_forward, update_running_stats, batchnorm_inference, batchnorm_backward.
Oracles: torch.nn.BatchNorm1d with gamma/beta copied into weight/bias and the running
statistics copied into its buffers, called on Z.T (PyTorch is batch-first: (m, n), the book's
Z is (n, m)): train mode for the forward pass and the running averages, eval mode for
inference; torch.autograd through F.batch_norm in float64 for the backward pass.
Conventions (PyTorch's): normalize with the biased batch variance, eps inside the square root;
momentum is the weight of the new batch; running_var averages the unbiased variance.
"""
import numpy as np
import torch
import torch.nn.functional as F

from grader.core import Case, Exercise

NO_BN = ("torch.nn.functional.batch_norm", "torch.batch_norm", "torch.nn.BatchNorm1d",
         "torch.nn.functional.layer_norm", "torch.nn.functional.instance_norm")
NO_AUTOGRAD = ("torch.Tensor.backward", "torch.autograd.grad", "torch.autograd.backward")

# The chapter's worked example: n = 2 units, a mini-batch of m = 4.
Z_EXAMPLE = np.array([[1.0, 2.0, 3.0, 4.0], [10.0, 10.0, 10.0, 14.0]])
GAMMA_EXAMPLE = np.array([[2.0], [1.0]])
BETA_EXAMPLE = np.array([[0.5], [-1.0]])


def _col(rng, n, low, high):
    return rng.uniform(low, high, size=(n, 1))


def _bn_module(n, gamma, beta, eps, momentum=0.1, running_mean=None, running_var=None):
    bn = torch.nn.BatchNorm1d(n, eps=eps, momentum=momentum).double()
    with torch.no_grad():
        bn.weight.copy_(torch.tensor(gamma.ravel()))
        bn.bias.copy_(torch.tensor(beta.ravel()))
        if running_mean is not None:
            bn.running_mean.copy_(torch.tensor(running_mean.ravel()))
            bn.running_var.copy_(torch.tensor(running_var.ravel()))
    return bn


# ----------------------------------------------------------------------------- batchnorm_forward

def _forward_cases(rng):
    Z_const = rng.normal(size=(3, 6))
    Z_const[1] = 4.0                                                 # one unit is constant over the batch
    return [
        Case((Z_EXAMPLE.copy(), GAMMA_EXAMPLE.copy(), BETA_EXAMPLE.copy(), 1e-8),
             "the chapter's example: mu = (2.5, 11), var = (1.25, 3)"),
        Case((rng.normal(1.0, 2.0, size=(4, 16)), _col(rng, 4, 0.5, 2.0), _col(rng, 4, -1, 1), 1e-5),
             "4 units, a mini-batch of 16"),
        Case((rng.normal(size=(3, 2)), _col(rng, 3, 0.5, 2.0), _col(rng, 3, -1, 1), 1e-5),
             "the smallest batch, m = 2"),
        Case((rng.normal(size=(1, 7)), np.array([[1.5]]), np.array([[0.3]]), 1e-3), "one unit, eps = 1e-3"),
        Case((Z_const, _col(rng, 3, 0.5, 2.0), _col(rng, 3, -1, 1), 1e-5),
             "unit 2 is constant over the batch: var = 0, so Z_hat = 0 and Z_tilde = beta there"),
        Case((1e5 + rng.normal(size=(2, 10)), _col(rng, 2, 0.5, 2.0), _col(rng, 2, -1, 1), 1e-5),
             "values around 1e5 with a spread of about 1"),
        Case((rng.normal(size=(5, 8)).astype(np.float32), _col(rng, 5, 0.5, 2.0).astype(np.float32),
              _col(rng, 5, -1, 1).astype(np.float32), 1e-5), "float32 stays float32", dtype=np.float32),
    ]


def _forward_oracle(Z, gamma, beta, eps):
    n = Z.shape[0]
    Zt = torch.tensor(Z.T)                                           # (m, n): batch-first
    with torch.no_grad():
        out = _bn_module(n, gamma, beta, eps).train()(Zt)
        Z_hat = F.batch_norm(Zt, None, None, training=True, eps=eps)
    cache = {"Z": Z.copy(), "Z_hat": Z_hat.numpy().T, "mu": Zt.mean(dim=0).numpy()[:, None],
             "var": Zt.var(dim=0, unbiased=False).numpy()[:, None], "gamma": gamma.copy(), "eps": eps}
    return out.numpy().T, cache


def _forward_with(Z, gamma, beta, eps, *, axis=1, ddof=0, eps_outside=False, moments=False,
                  affine="right"):
    mu = np.mean(Z, axis=axis, keepdims=True)
    if moments:
        var = np.mean(Z ** 2, axis=axis, keepdims=True) - mu ** 2
    else:
        var = np.sum((Z - mu) ** 2, axis=axis, keepdims=True) / (Z.shape[axis] - ddof)
    with np.errstate(divide="ignore", invalid="ignore"):
        Z_hat = (Z - mu) / (np.sqrt(var) + eps if eps_outside else np.sqrt(var + eps))
    Z_tilde = {"right": lambda: gamma * Z_hat + beta, "swapped": lambda: beta * Z_hat + gamma,
               "none": lambda: Z_hat}[affine]()
    return Z_tilde, {"Z": Z, "Z_hat": Z_hat, "mu": mu, "var": var, "gamma": gamma, "eps": eps}


def _forward_unbiased(Z, gamma, beta, eps):
    return _forward_with(Z, gamma, beta, eps, ddof=1)


def _forward_eps_outside(Z, gamma, beta, eps):
    return _forward_with(Z, gamma, beta, eps, eps_outside=True)


def _forward_wrong_axis(Z, gamma, beta, eps):
    return _forward_with(Z, gamma, beta, eps, axis=0)


def _forward_swapped(Z, gamma, beta, eps):
    return _forward_with(Z, gamma, beta, eps, affine="swapped")


def _forward_no_affine(Z, gamma, beta, eps):
    return _forward_with(Z, gamma, beta, eps, affine="none")


def _forward_moments(Z, gamma, beta, eps):
    return _forward_with(Z, gamma, beta, eps, moments=True)


FORWARD = Exercise(
    name="batchnorm_forward",
    draw=_forward_cases,
    oracle=_forward_oracle,
    rtol=1e-9,
    atol=1e-11,
    forbidden=NO_BN,
    wrong=[
        (_forward_unbiased, "normalize with the biased batch variance, a mean over the m examples: "
                            "var = mean((Z − mu)**2) (divide by m, not m − 1), as nn.BatchNorm1d does"),
        (_forward_eps_outside, "epsilon goes inside the square root: (Z − mu) / sqrt(var + eps), "
                               "not / (sqrt(var) + eps) (that is Adam's place for it, not batch norm's)"),
        (_forward_wrong_axis, "the statistics are over the examples of the batch, the columns of Z (n, m): "
                              "axis=1 with keepdims=True, so mu and var are (n, 1) (axis=0 averages the units "
                              "of each example instead)"),
        (_forward_swapped, "scale by gamma and shift by beta: Z_tilde = gamma * Z_hat + beta"),
        (_forward_no_affine, "after normalizing, scale and shift: Z_tilde = gamma * Z_hat + beta (return "
                             "Z_hat itself only in the cache)"),
        (_forward_moments, "compute the variance as the mean of (Z − mu)**2: mean(Z**2) − mu**2 subtracts two "
                           "nearly equal large numbers when the values are far from 0 (here about 1e5), and "
                           "the digits of the variance are lost"),
    ],
    arg_names=("Z", "gamma", "beta", "eps"),
    returns=("Z_tilde", "cache"),
)


# ----------------------------------------------------------------------------- update_running_stats

def _running_cases(rng):
    return [
        Case((np.zeros((2, 1)), np.ones((2, 1)), Z_EXAMPLE.copy(), 0.1),
             "the chapter's example, from the initial running_mean = 0, running_var = 1"),
        Case((rng.normal(size=(5, 1)), rng.uniform(0.5, 2, size=(5, 1)), rng.normal(2.0, 3.0, size=(5, 8)), 0.1),
             "a later batch: 5 units, m = 8, momentum = 0.1"),
        Case((rng.normal(size=(3, 1)), rng.uniform(0.5, 2, size=(3, 1)), rng.normal(size=(3, 2)), 0.3),
             "the smallest batch, m = 2: the unbiased variance doubles the biased one"),
        Case((rng.normal(size=(4, 1)), rng.uniform(0.5, 2, size=(4, 1)), rng.normal(size=(4, 32)), 0.01),
             "a slow average, momentum = 0.01"),
        Case((rng.normal(size=(2, 1)), rng.uniform(0.5, 2, size=(2, 1)), rng.normal(size=(2, 5)), 1.0),
             "momentum = 1: the running statistics become the batch's"),
        Case((np.zeros((3, 1), np.float32), np.ones((3, 1), np.float32),
              rng.normal(size=(3, 6)).astype(np.float32), 0.1), "float32 stays float32", dtype=np.float32),
    ]


def _running_oracle(running_mean, running_var, Z, momentum):
    n = Z.shape[0]
    bn = _bn_module(n, np.ones((n, 1)), np.zeros((n, 1)), 1e-5, momentum, running_mean, running_var).train()
    with torch.no_grad():
        bn(torch.tensor(Z.T))                                        # updates the buffers in place
    return bn.running_mean.numpy()[:, None].copy(), bn.running_var.numpy()[:, None].copy()


def _running_with(running_mean, running_var, Z, momentum, *, ddof=1, axis=1, weight=None):
    m = Z.shape[axis]
    mu = np.mean(Z, axis=axis, keepdims=True)
    var = np.sum((Z - mu) ** 2, axis=axis, keepdims=True) / (m - ddof)
    w_new = momentum if weight is None else weight
    return (1 - w_new) * running_mean + w_new * mu, (1 - w_new) * running_var + w_new * var


def _running_biased(running_mean, running_var, Z, momentum):
    return _running_with(running_mean, running_var, Z, momentum, ddof=0)


def _running_swapped(running_mean, running_var, Z, momentum):
    return _running_with(running_mean, running_var, Z, momentum, weight=1 - momentum)


def _running_replaced(running_mean, running_var, Z, momentum):
    return _running_with(running_mean, running_var, Z, momentum, weight=1.0)


def _running_wrong_axis(running_mean, running_var, Z, momentum):
    return _running_with(running_mean, running_var, Z, momentum, axis=0)


RUNNING = Exercise(
    name="update_running_stats",
    draw=_running_cases,
    oracle=_running_oracle,
    rtol=1e-9,
    atol=1e-11,
    forbidden=NO_BN,
    wrong=[
        (_running_biased, "the running variance averages the *unbiased* batch variance, "
                          "var · m/(m − 1) = sum((Z − mu)**2) / (m − 1), as PyTorch's running_var does "
                          "(the biased one is only for normalizing the batch)"),
        (_running_swapped, "momentum is the weight of the new batch: new = (1 − momentum)·old + momentum·batch "
                           "(PyTorch's convention; the notes' momentum = 0.9 is the weight of the old value, "
                           "which is the same update with 0.1 here)"),
        (_running_replaced, "average, do not replace: running = (1 − momentum)·running + momentum·batch"),
        (_running_wrong_axis, "the statistics are over the examples, the columns of Z (n, m): axis=1 with "
                              "keepdims=True, so they are (n, 1) like running_mean"),
    ],
    arg_names=("running_mean", "running_var", "Z", "momentum"),
    returns=("running_mean", "running_var"),
)


# ----------------------------------------------------------------------------- batchnorm_inference

def _inference_cases(rng):
    return [
        Case((np.array([[3.0], [11.0]]), np.ones((2, 1)), np.zeros((2, 1)),
              np.array([[0.525], [2.19]]), np.array([[1.0225], [1.28]]), 1e-8),
             "the chapter's test example x = (3, 11) with the running statistics after two batches"),
        Case((rng.normal(1, 2, size=(4, 10)), _col(rng, 4, 0.5, 2), _col(rng, 4, -1, 1),
              rng.normal(size=(4, 1)), rng.uniform(0.5, 3, size=(4, 1)), 1e-5), "4 units, 10 test examples"),
        Case((rng.normal(size=(3, 1)), _col(rng, 3, 0.5, 2), _col(rng, 3, -1, 1),
              rng.normal(size=(3, 1)), rng.uniform(0.5, 3, size=(3, 1)), 1e-5),
             "a single test example (m = 1)"),
        Case((rng.normal(size=(2, 5)), _col(rng, 2, 0.5, 2), _col(rng, 2, -1, 1),
              rng.normal(size=(2, 1)), rng.uniform(1e-4, 1e-3, size=(2, 1)), 1e-3),
             "small running variances (1e-4 .. 1e-3) and eps = 1e-3"),
        Case((rng.normal(size=(3, 4)).astype(np.float32), _col(rng, 3, 0.5, 2).astype(np.float32),
              _col(rng, 3, -1, 1).astype(np.float32), rng.normal(size=(3, 1)).astype(np.float32),
              rng.uniform(0.5, 3, size=(3, 1)).astype(np.float32), 1e-5), "float32 stays float32",
             dtype=np.float32),
    ]


def _inference_oracle(Z, gamma, beta, running_mean, running_var, eps):
    bn = _bn_module(Z.shape[0], gamma, beta, eps, 0.1, running_mean, running_var).eval()
    with torch.no_grad():
        return bn(torch.tensor(Z.T)).numpy().T


def _inference_batch_stats(Z, gamma, beta, running_mean, running_var, eps):
    return _forward_with(Z, gamma, beta, eps)[0]


def _inference_eps_outside(Z, gamma, beta, running_mean, running_var, eps):
    return gamma * (Z - running_mean) / (np.sqrt(running_var) + eps) + beta


def _inference_no_sqrt(Z, gamma, beta, running_mean, running_var, eps):
    return gamma * (Z - running_mean) / (running_var + eps) + beta


def _inference_swapped(Z, gamma, beta, running_mean, running_var, eps):
    return beta * (Z - running_mean) / np.sqrt(running_var + eps) + gamma


def _inference_no_affine(Z, gamma, beta, running_mean, running_var, eps):
    return (Z - running_mean) / np.sqrt(running_var + eps)


INFERENCE = Exercise(
    name="batchnorm_inference",
    draw=_inference_cases,
    oracle=_inference_oracle,
    rtol=1e-9,
    atol=1e-11,
    forbidden=NO_BN,
    wrong=[
        (_inference_batch_stats, "at inference use running_mean and running_var, not the statistics of the "
                                 "batch you were given: with a single example z − mu = 0 and every output "
                                 "would be beta"),
        (_inference_eps_outside, "epsilon goes inside the square root: (Z − running_mean) / sqrt(running_var + eps)"),
        (_inference_no_sqrt, "running_var is a variance: divide by its square root, sqrt(running_var + eps)"),
        (_inference_swapped, "scale by gamma and shift by beta: gamma * Z_hat + beta"),
        (_inference_no_affine, "after normalizing, scale and shift with the learned gamma and beta"),
    ],
    arg_names=("Z", "gamma", "beta", "running_mean", "running_var", "eps"),
)


# ----------------------------------------------------------------------------- batchnorm_backward

def _cache(Z, gamma, eps):
    """The cache of the training-mode forward pass, computed here in plain NumPy."""
    mu = Z.mean(axis=1, keepdims=True)
    var = ((Z - mu) ** 2).mean(axis=1, keepdims=True)
    Z_hat = (Z - mu) / np.sqrt(var + eps)
    return {"Z": Z, "Z_hat": Z_hat, "mu": mu, "var": var, "gamma": gamma, "eps": eps}


def _backward_cases(rng):
    def case(n, m, eps, label, scale=1.0, dtype=np.float64, gamma_low=0.5):
        Z = rng.normal(1.0, 2.0, size=(n, m))
        gamma = rng.uniform(gamma_low, 2.0, size=(n, 1))
        dZt = scale * rng.normal(size=(n, m))
        cache = {k: (v.astype(dtype) if isinstance(v, np.ndarray) else v) for k, v in _cache(Z, gamma, eps).items()}
        return Case((dZt.astype(dtype), cache), label, dtype=dtype)

    example = _cache(Z_EXAMPLE.copy(), GAMMA_EXAMPLE.copy(), 1e-8)
    return [
        Case((np.array([[1.0, -2.0, 0.5, 3.0], [0.0, 1.0, -1.0, 2.0]]), example),
             "the chapter's example: Z (2, 4), gamma = (2, 1)"),
        case(4, 16, 1e-5, "4 units, a mini-batch of 16"),
        case(3, 2, 1e-5, "the smallest batch, m = 2"),
        case(1, 9, 1e-3, "one unit, eps = 1e-3"),
        case(3, 7, 1e-5, "negative gammas", gamma_low=-2.0),
        case(2, 6, 1e-5, "small upstream gradients (about 1e-3)", scale=1e-3),
        case(3, 6, 1e-5, "float32 stays float32", dtype=np.float32),
    ]


def _backward_oracle(dZ_tilde, cache):
    Z = torch.tensor(cache["Z"].T, requires_grad=True)                       # (m, n)
    gamma = torch.tensor(cache["gamma"].ravel(), requires_grad=True)
    beta = torch.zeros_like(gamma, requires_grad=True)
    out = F.batch_norm(Z, None, None, weight=gamma, bias=beta, training=True, eps=cache["eps"])
    out.backward(torch.tensor(dZ_tilde.T))
    return Z.grad.numpy().T, gamma.grad.numpy()[:, None], beta.grad.numpy()[:, None]


def _backward_parts(dZ_tilde, cache):
    Z_hat, var, gamma, eps = cache["Z_hat"], cache["var"], cache["gamma"], cache["eps"]
    s = np.sqrt(var + eps)
    return Z_hat, gamma, s, Z_hat.shape[1]


def _sums(dZ_tilde, Z_hat):
    return np.sum(dZ_tilde * Z_hat, axis=1, keepdims=True), np.sum(dZ_tilde, axis=1, keepdims=True)


def _backward_constants(dZ_tilde, cache):
    Z_hat, gamma, s, m = _backward_parts(dZ_tilde, cache)
    dgamma, dbeta = _sums(dZ_tilde, Z_hat)
    return gamma * dZ_tilde / s, dgamma, dbeta


def _backward_no_var_term(dZ_tilde, cache):
    Z_hat, gamma, s, m = _backward_parts(dZ_tilde, cache)
    dgamma, dbeta = _sums(dZ_tilde, Z_hat)
    return gamma / (m * s) * (m * dZ_tilde - dbeta), dgamma, dbeta


def _backward_no_mean_term(dZ_tilde, cache):
    Z_hat, gamma, s, m = _backward_parts(dZ_tilde, cache)
    dgamma, dbeta = _sums(dZ_tilde, Z_hat)
    return gamma / (m * s) * (m * dZ_tilde - Z_hat * dgamma), dgamma, dbeta


def _backward_no_gamma(dZ_tilde, cache):
    Z_hat, gamma, s, m = _backward_parts(dZ_tilde, cache)
    dgamma, dbeta = _sums(dZ_tilde, Z_hat)
    return 1 / (m * s) * (m * dZ_tilde - dbeta - Z_hat * dgamma), dgamma, dbeta


def _backward_dgamma_with_Z(dZ_tilde, cache):
    Z_hat, gamma, s, m = _backward_parts(dZ_tilde, cache)
    dgamma, dbeta = _sums(dZ_tilde, Z_hat)
    dZ = gamma / (m * s) * (m * dZ_tilde - dbeta - Z_hat * dgamma)
    return dZ, np.sum(dZ_tilde * cache["Z"], axis=1, keepdims=True), dbeta


def _backward_means(dZ_tilde, cache):
    Z_hat, gamma, s, m = _backward_parts(dZ_tilde, cache)
    dgamma, dbeta = _sums(dZ_tilde, Z_hat)
    dZ = gamma / (m * s) * (m * dZ_tilde - dbeta - Z_hat * dgamma)
    return dZ, dgamma / m, dbeta / m


def _backward_swapped(dZ_tilde, cache):
    Z_hat, gamma, s, m = _backward_parts(dZ_tilde, cache)
    dgamma, dbeta = _sums(dZ_tilde, Z_hat)
    dZ = gamma / (m * s) * (m * dZ_tilde - dbeta - Z_hat * dgamma)
    return dZ, dbeta, dgamma


BACKWARD = Exercise(
    name="batchnorm_backward",
    draw=_backward_cases,
    oracle=_backward_oracle,
    rtol=1e-9,
    atol=1e-11,
    forbidden=NO_BN + NO_AUTOGRAD,
    wrong=[
        (_backward_constants, "mu and var are computed from the whole batch, so every z(i) moves them too: "
                              "dZ = gamma / (m·sqrt(var + eps)) · (m·dZ_tilde − sum(dZ_tilde) − Z_hat·sum(dZ_tilde·Z_hat)), "
                              "not only gamma·dZ_tilde / sqrt(var + eps)"),
        (_backward_no_var_term, "the variance depends on Z as well as the mean: subtract "
                                "Z_hat·sum(dZ_tilde·Z_hat, axis=1) too (the term through var)"),
        (_backward_no_mean_term, "the mean depends on Z as well as the variance: subtract sum(dZ_tilde, axis=1) "
                                 "too (the term through mu)"),
        (_backward_no_gamma, "Z_tilde = gamma·Z_hat, so dZ_hat = gamma·dZ_tilde: dZ carries the factor gamma"),
        (_backward_dgamma_with_Z, "gamma multiplies Z_hat, not Z: dgamma = sum(dZ_tilde·Z_hat, axis=1, keepdims=True)"),
        (_backward_means, "dgamma and dbeta are sums over the examples, not means: the upstream dZ_tilde already "
                          "holds whatever 1/m the cost has"),
        (_backward_swapped, "return (dZ, dgamma, dbeta) in this order: dbeta = sum(dZ_tilde), "
                            "dgamma = sum(dZ_tilde·Z_hat)"),
    ],
    arg_names=("dZ_tilde", "cache"),
    returns=("dZ", "dgamma", "dbeta"),
)

EXERCISES = {e.name: e for e in (FORWARD, BACKWARD, RUNNING, INFERENCE)}
