"""Unit 13: dlbook.regularization and dlbook.gradcheck against torch (autograd, SGD's weight_decay),
the grader's oracles against the syllabus's hand-computed numbers, and the stacked trainer
against the plain one."""
import numpy as np
import pytest
import torch

from dlbook import gradcheck, regularization as reg
from dlbook.deep import L_model_backward, L_model_forward, initialize_parameters_deep
from grader.core import run_exercise
from grader.units import u13_regularization as u13

W_SEED = np.array([[0.5, -0.2], [0.1, 0.8]])
DW_SEED = np.array([[0.01, 0.02], [-0.01, 0.05]])


def network(seed, dims=(3, 5, 4, 1), m=8):
    rng = np.random.default_rng(seed)
    params = u13.random_params(rng, list(dims), bias=0.2)
    X = rng.normal(size=(dims[0], m))
    return params, X, u13.labels(rng, m)


# ----------------------------------------------------------------------------- the syllabus's numbers

def test_penalty_and_gradient_of_the_notes_listing():
    assert u13._penalty_oracle({"W1": W_SEED, "b1": np.ones((2, 1))}, 0.7, 1000) == pytest.approx(0.000329, abs=1e-15)
    W = torch.tensor(W_SEED, requires_grad=True)
    (0.7 / (2 * 1000) * (W ** 2).sum()).backward()                  # autograd of the penalty
    np.testing.assert_allclose(DW_SEED + W.grad.numpy(), [[0.01035, 0.01986], [-0.00993, 0.05056]],
                               rtol=0, atol=1e-15)


@pytest.mark.parametrize("alpha, factor", [(0.01, 0.999993), (0.1, 0.99993), (1.0, 0.9993)])
def test_decay_factor_of_the_notes(alpha, factor):
    b = np.zeros((2, 1))
    out = u13._decay_oracle({"W1": W_SEED, "b1": b}, {"dW1": np.zeros((2, 2)), "db1": b}, alpha, 0.7, 1000)
    np.testing.assert_allclose(out["W1"], factor * W_SEED, rtol=1e-15)


# ----------------------------------------------------------------------------- dlbook.regularization vs torch

def test_penalty_counts_only_weights():
    params, _, _ = network(0)
    with_bn = {**params, "gamma1": np.full((5, 1), 3.0), "beta1": np.ones((5, 1))}
    assert reg.l2_penalty(with_bn, 0.5, 8) == reg.l2_penalty(params, 0.5, 8)
    assert reg.l2_penalty(params, 0.5, 8) == pytest.approx(u13._penalty_oracle(params, 0.5, 8), rel=1e-14)


@pytest.mark.parametrize("seed, lambd", [(0, 0.7), (1, 0.0), (2, 3.0)])
def test_regularized_cost_and_backward_match_autograd(seed, lambd):
    params, X, Y = network(seed)
    expected_cost = float(u13.torch_cost({k: torch.from_numpy(v) for k, v in params.items()},
                                         torch.from_numpy(X), torch.from_numpy(Y), lambd))
    assert reg.regularized_cost(params, X, Y, lambd) == pytest.approx(expected_cost, rel=1e-13)
    AL, caches = L_model_forward(X, params)
    grads = reg.L_model_backward_with_regularization(AL, Y, caches, lambd)
    expected = u13.autograd_grads(params, X, Y, lambd)
    assert grads.keys() == expected.keys()
    for k in expected:
        np.testing.assert_allclose(grads[k], expected[k], rtol=1e-10, atol=1e-13)


def test_weight_decay_is_sgd_with_weight_decay_on_the_weights_only():
    params, X, Y = network(3)
    lambd, m, alpha = 2.0, X.shape[1], 0.3
    leaves = {k: torch.tensor(v) for k, v in params.items()}
    opt = torch.optim.SGD([{"params": [t for k, t in leaves.items() if k[0] == "W"], "weight_decay": lambd / m},
                           {"params": [t for k, t in leaves.items() if k[0] != "W"], "weight_decay": 0.0}],
                          lr=alpha)
    p = params
    for _ in range(5):                                   # five steps, the gradients of the cross-entropy
        AL, caches = L_model_forward(X, p)
        grads = L_model_backward(AL, Y, caches)
        for k, t in leaves.items():
            t.grad = torch.from_numpy(grads["d" + k])
        opt.step()
        p = reg.update_parameters_with_weight_decay(p, grads, alpha, lambd, m)
        for k in p:
            np.testing.assert_allclose(p[k], leaves[k].numpy(), rtol=1e-12, atol=1e-14)


def test_one_parameter_group_decays_the_biases_too():
    params, X, Y = network(4)
    leaves = {k: torch.tensor(v) for k, v in params.items()}
    opt = torch.optim.SGD(leaves.values(), lr=0.5, weight_decay=1.0)      # every parameter decays
    for t in leaves.values():
        t.grad = torch.zeros_like(t)
    opt.step()
    np.testing.assert_allclose(leaves["b1"].numpy(), 0.5 * params["b1"])   # b moved: not the chapter's step


def test_weight_decay_equals_a_step_on_the_regularized_gradient():
    params, X, Y = network(5)
    AL, caches = L_model_forward(X, params)
    plain = L_model_backward(AL, Y, caches)
    regularized = reg.L_model_backward_with_regularization(AL, Y, caches, 0.9)
    a = reg.update_parameters_with_weight_decay(params, plain, 0.2, 0.9, X.shape[1])
    for k, v in params.items():
        np.testing.assert_allclose(a[k], v - 0.2 * regularized["d" + k], rtol=1e-13, atol=1e-15)


# ----------------------------------------------------------------------------- gradient checking

def test_relative_difference():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(3, 4))
    assert gradcheck.relative_difference(a, a) == 0.0
    assert gradcheck.relative_difference(a, np.zeros_like(a)) == pytest.approx(1.0)
    assert gradcheck.relative_difference(a, -a) == pytest.approx(1.0)
    b = a + 1e-3 * rng.normal(size=a.shape)
    d = gradcheck.relative_difference(a, b)
    assert d == pytest.approx(gradcheck.relative_difference(b, a))
    assert d == pytest.approx(gradcheck.relative_difference(1e6 * a, 1e6 * b))       # scale-free
    assert d == pytest.approx(np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b)))
    da, db = {"dW": a, "db": a[:, :1]}, {"dW": b, "db": b[:, :1]}
    flat = gradcheck.relative_difference(np.concatenate([a.ravel(), a[:, 0]]), np.concatenate([b.ravel(), b[:, 0]]))
    assert gradcheck.relative_difference(da, db) == pytest.approx(flat)


@pytest.mark.parametrize("seed", [0, 1])
def test_central_differences_agree_with_autograd(seed):
    params, X, Y = network(seed)
    cost = lambda _: reg.regularized_cost(params, X, Y, 0.7)
    approx = {"d" + k: gradcheck.numerical_gradient(cost, params[k], eps=1e-7) for k in params}
    assert gradcheck.relative_difference(approx, u13.autograd_grads(params, X, Y, 0.7)) < 1e-7


def test_gradient_check_oracle_verdicts():
    rng = np.random.default_rng(7)
    right = u13._check_case(rng, [3, 4, 1], 6, 0.7, 1e-7)
    wrong = u13._check_case(rng, [3, 4, 1], 6, 0.7, 1e-7, bug="no penalty")
    assert u13._check_oracle(*right)[0] < 1e-7
    assert u13._check_oracle(*wrong)[0] > 1e-3


# ----------------------------------------------------------------------------- training

@pytest.mark.parametrize("lambd, keep_prob", [(0.0, 1.0), (0.7, 1.0), (0.3, 0.7)])
def test_train_sweep_with_one_network_is_train_regularized(lambd, keep_prob):
    rng_data = np.random.default_rng(0)
    X, Y = rng_data.normal(size=(2, 30)), u13.labels(rng_data, 30)
    p1, c1 = reg.train_regularized(X, Y, [2, 6, 5, 1], 0.3, 40, np.random.default_rng(1), lambd, keep_prob,
                                   record_every=10)
    (p2,), history = reg.train_sweep(X, Y, [2, 6, 5, 1], 0.3, 40, np.random.default_rng(1), [lambd], [keep_prob],
                                     record_every=10)
    for k in p1:
        np.testing.assert_allclose(p2[k], p1[k], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(history["cost"][:, 0], c1, rtol=1e-12)


def test_train_sweep_trains_each_lambda_like_its_own_run():
    rng_data = np.random.default_rng(2)
    X, Y = rng_data.normal(size=(2, 25)), u13.labels(rng_data, 25)
    lambdas = [0.0, 0.5, 5.0]
    nets, history = reg.train_sweep(X, Y, [2, 4, 1], 0.5, 30, np.random.default_rng(3), lambdas,
                                    X_dev=X, Y_dev=Y)
    for net, lambd in zip(nets, lambdas):
        alone, _ = reg.train_regularized(X, Y, [2, 4, 1], 0.5, 30, np.random.default_rng(3), lambd)
        for k in alone:
            np.testing.assert_allclose(net[k], alone[k], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(history["train_ce"], history["dev_ce"], rtol=1e-12)    # dev = train here


def test_predict_proba_is_the_forward_pass_in_chunks():
    params = initialize_parameters_deep([2, 7, 1], np.random.default_rng(0))
    G = np.random.default_rng(1).normal(size=(2, 1000))
    np.testing.assert_allclose(reg.predict_proba(params, G, chunk=256), L_model_forward(G, params)[0], rtol=1e-15)


# ----------------------------------------------------------------------------- dlbook passes the unit's checks

@pytest.mark.parametrize("name", ["l2_penalty", "L_model_backward_with_regularization",
                                  "update_parameters_with_weight_decay"])
def test_dlbook_passes_the_checks(name):
    failures, _, _ = run_exercise(getattr(reg, name), u13.EXERCISES[name])
    assert not failures, str(failures[0])
