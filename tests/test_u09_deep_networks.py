"""Unit 09: dlbook.deep's L-layer blocks against an nn.Sequential with copied weights (forward,
autograd, SGD), finite differences, the notes' dimension quiz and parameter count, and the
grader's He oracle against the formula."""
import math

import numpy as np
import pytest
import torch
from torch import nn

from dlbook.deep import (L_layer_model, L_model_backward, L_model_forward, backward_propagation,
                         forward_propagation, initialize_parameters_deep, linear_activation_backward,
                         linear_activation_forward, predict, update_parameters)
from dlbook.gradcheck import gradcheck
from dlbook.losses import bce_with_logits
from grader.units import u09_deep_networks as u09


pytestmark = pytest.mark.usefixtures("one_torch_thread")   # see conftest.py


def _problem(dims, m, seed):
    rng = np.random.default_rng(seed)
    params = {k: v + 0.1 * rng.standard_normal(v.shape) for k, v in initialize_parameters_deep(dims, rng).items()}
    X = rng.standard_normal((dims[0], m))
    Y = (rng.random((1, m)) < 0.5).astype(float)
    return params, X, Y


@pytest.mark.parametrize("dims, m", [([4, 3, 2, 1], 6), ([5, 4, 4, 4, 1], 3), ([3, 1], 5)])
def test_forward_and_backward_match_nn_sequential(dims, m):
    params, X, Y = _problem(dims, m, seed=len(dims))
    AL, caches = L_model_forward(X, params)
    expected_AL, expected_caches = u09._lmf_oracle(X, params)
    np.testing.assert_allclose(AL, expected_AL, rtol=1e-12)
    for (lin, Z), (elin, eZ) in zip(caches, expected_caches):
        np.testing.assert_allclose(lin[0], elin[0], rtol=1e-12)
        np.testing.assert_allclose(Z, eZ, rtol=1e-12, atol=1e-14)
    grads = L_model_backward(AL, Y, caches)
    expected = u09._lmb_oracle(AL, Y, caches)
    assert grads.keys() == expected.keys()
    for k in grads:
        np.testing.assert_allclose(grads[k], expected[k], rtol=1e-10, atol=1e-13)


def test_update_matches_torch_sgd():
    params, X, Y = _problem([3, 5, 2, 1], 4, seed=9)
    AL, caches = L_model_forward(X, params)
    grads = L_model_backward(AL, Y, caches)
    new = update_parameters(params, grads, 0.3)
    expected = u09._up_oracle(params, grads, 0.3)
    for k in new:
        np.testing.assert_allclose(new[k], expected[k], rtol=1e-13)


@pytest.mark.parametrize("hidden", ["relu", "tanh"])
def test_gradient_check(hidden):
    params, X, Y = _problem([4, 3, 2, 1], 6, seed=4)

    def cost(p):
        return bce_with_logits(L_model_forward(X, p, hidden)[1][-1][1], Y)

    AL, caches = L_model_forward(X, params, hidden)
    errors = gradcheck(cost, params, L_model_backward(AL, Y, caches, hidden))
    assert max(errors.values()) < 1e-7, errors


def test_two_layer_special_case_is_unit_08():
    params, X, Y = _problem([3, 4, 1], 7, seed=2)
    AL, caches = L_model_forward(X, params, hidden="tanh")
    A2, cache = forward_propagation(X, params)
    np.testing.assert_allclose(AL, A2, rtol=1e-14)
    deep = L_model_backward(AL, Y, caches, hidden="tanh")
    shallow = backward_propagation(params, cache, X, Y)
    for k in shallow:
        np.testing.assert_allclose(deep[k], shallow[k], rtol=1e-12, atol=1e-15)


def test_layer_blocks_run_on_tensors():
    rng = np.random.default_rng(0)
    A, W, b = rng.standard_normal((3, 5)), rng.standard_normal((4, 3)), rng.standard_normal((4, 1))
    tA, tW, tb = (torch.from_numpy(v) for v in (A, W, b))
    for activation in ("relu", "sigmoid", "tanh"):
        out, cache = linear_activation_forward(tA, tW, tb, activation)
        ref, ref_cache = linear_activation_forward(A, W, b, activation)
        np.testing.assert_allclose(out.numpy(), ref, rtol=1e-14)
        dA = torch.ones_like(out)
        for g, r in zip(linear_activation_backward(dA, cache, activation),
                        linear_activation_backward(dA.numpy(), ref_cache, activation)):
            assert isinstance(g, torch.Tensor)
            np.testing.assert_allclose(g.numpy(), r, rtol=1e-13)


@pytest.mark.parametrize("activation, torch_fn", [
    ("relu", torch.relu), ("leaky_relu", lambda z: torch.nn.functional.leaky_relu(z, 0.01)),
    ("tanh", torch.tanh), ("sigmoid", torch.sigmoid)])
def test_layer_backward_matches_autograd(activation, torch_fn):
    rng = np.random.default_rng(3)
    A, W, b = rng.standard_normal((3, 5)), rng.standard_normal((4, 3)), np.zeros((4, 1))
    A[:, 0] = 0.0                                           # a column with Z exactly 0
    out, cache = linear_activation_forward(A, W, b, activation)
    dA = rng.standard_normal(out.shape)
    a, w, bb = (torch.tensor(v, requires_grad=True) for v in (A, W, b))
    expected = torch.autograd.grad(torch_fn(w @ a + bb), (a, w, bb), grad_outputs=torch.from_numpy(dA))
    dA_prev, dW, db = linear_activation_backward(dA, cache, activation)
    np.testing.assert_allclose(dA_prev, expected[0].numpy(), rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(dW, expected[1].numpy() / 5, rtol=1e-13, atol=1e-15)     # dW, db: the mean
    np.testing.assert_allclose(db, expected[2].numpy() / 5, rtol=1e-13, atol=1e-15)


def test_saturated_output_gives_finite_gradients():
    AL, Y, caches = u09._lmb_saturated(np.random.default_rng(0))
    assert np.any(AL == 1.0)
    grads = L_model_backward(AL, Y, caches)
    assert all(np.all(np.isfinite(g)) for g in grads.values())


def test_the_notes_quiz_and_parameter_count():
    dims = [12288, 20, 7, 5, 1]
    params = initialize_parameters_deep(dims, np.random.default_rng(0))
    assert params["W1"].shape == (20, 12288) and params["W2"].shape == (7, 20)
    net = nn.Sequential(nn.Linear(12288, 20), nn.ReLU(), nn.Linear(20, 7), nn.ReLU(), nn.Linear(7, 5),
                        nn.ReLU(), nn.Linear(5, 1))
    n_torch = sum(p.numel() for p in net.parameters())
    assert n_torch == sum(v.size for v in params.values()) == 245_973


def test_he_initialization_is_the_grader_oracle_and_the_formula():
    dims = [30, 20, 10, 1]
    mine = initialize_parameters_deep(dims, np.random.default_rng(11))
    oracle = u09._init_oracle(dims, np.random.default_rng(11))
    for k in mine:
        np.testing.assert_allclose(mine[k], oracle[k], rtol=1e-15)
    assert u09.he_std(1000, 2000) == pytest.approx(math.sqrt(2 / 1000), rel=1e-14)    # 0.0447


def test_deeper_nets_train_on_the_flower():
    from dlbook.data import planar_flower
    X, Y = planar_flower(rng=1)
    params, costs = L_layer_model(X, Y, [2, 8, 8, 1], 0.1, 300, np.random.default_rng(3), record_every=50)
    assert costs[-1] < costs[0] and np.mean(predict(params, X) == Y) > 0.8
