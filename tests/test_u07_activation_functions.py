"""Unit 07: dlbook.activations against torch (values, and derivatives against autograd, with
exact zeros, extremes, float32, NumPy and torch inputs), and the grader's oracles against the
syllabus's numbers (0.25^10, the saturation values, the conventions at z = 0)."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from dlbook import activations as act
from grader.units import u07_activation_functions as u07

Z = np.array([-1000.0, -710.0, -40.0, -5.0, -1.0, -1e-8, -0.0, 0.0, 1e-8, 1.0, 5.0, 40.0, 710.0, 1000.0])

PAIRS = {   # name -> (dlbook g, dlbook g', torch g)
    "sigmoid": (act.sigmoid, act.sigmoid_derivative, torch.sigmoid),
    "tanh": (act.tanh, act.tanh_derivative, torch.tanh),
    "relu": (act.relu, act.relu_derivative, torch.relu),
    "leaky_relu": (lambda z: act.leaky_relu(z, 0.2), lambda z: act.leaky_relu_derivative(z, 0.2),
                   lambda t: F.leaky_relu(t, 0.2)),
}
TOL = {np.float64: dict(rtol=1e-12, atol=1e-15), np.float32: dict(rtol=1e-5, atol=1e-6)}


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", list(PAIRS))
def test_dlbook_activations_match_torch_and_autograd(name, dtype):
    g, g_prime, torch_g = PAIRS[name]
    z = Z.astype(dtype)
    zt = torch.tensor(z, requires_grad=True)
    out = torch_g(zt)
    (grad,) = torch.autograd.grad(out.sum(), zt)
    with np.errstate(over="raise", invalid="raise", divide="raise"):   # no overflow for |z| <= 1000
        value, slope = g(z), g_prime(z)
    for ours, theirs in ((value, out.detach().numpy()), (slope, grad.numpy())):
        assert ours.dtype == dtype and ours.shape == z.shape
        assert np.allclose(ours, theirs, **TOL[dtype])
    # The same functions on tensors return tensors of the same dtype.
    t_value, t_slope = g(torch.from_numpy(z)), g_prime(torch.from_numpy(z))
    assert isinstance(t_slope, torch.Tensor) and t_slope.dtype == zt.dtype
    assert np.allclose(t_value.numpy(), value, **TOL[dtype]) and np.allclose(t_slope.numpy(), slope, **TOL[dtype])


def test_conventions_at_zero_follow_autograd():
    zero = np.zeros((1, 1))
    ones = np.ones((1, 1))
    assert u07._autograd_dZ("relu", ones, zero)[0, 0] == 0.0
    assert u07._autograd_dZ("leaky_relu", ones, zero, alpha=0.01)[0, 0] == 0.01
    assert u07._autograd_dZ("sigmoid", ones, zero)[0, 0] == 0.25
    assert u07._autograd_dZ("tanh", ones, zero)[0, 0] == 1.0
    assert act.relu_derivative(zero)[0, 0] == 0.0 and act.leaky_relu_derivative(zero, 0.01)[0, 0] == 0.01
    assert act.sigmoid_derivative(zero)[0, 0] == 0.25 and act.tanh_derivative(zero)[0, 0] == 1.0


def test_saturation_numbers_of_the_syllabus():
    assert np.allclose(act.sigmoid_derivative(np.array([2.0, 5.0, 10.0])), [0.1050, 0.00665, 4.54e-5], rtol=2e-3)
    grid = np.linspace(-10, 10, 20001)
    assert act.sigmoid_derivative(grid).max() == 0.25 and act.tanh_derivative(grid).max() == 1.0
    assert np.allclose(act.tanh(grid), 2 * act.sigmoid(2 * grid) - 1, rtol=0, atol=1e-14)


def test_chain_oracle_gives_the_notes_numbers():
    L = 10
    assert np.isclose(u07._chain_oracle(np.zeros(L), np.ones(L), "sigmoid"), 0.25 ** 10, rtol=1e-14)
    assert np.isclose(0.25 ** 10, 9.537e-7, rtol=1e-4)
    assert u07._chain_oracle(np.full(L, 0.5), np.ones(L), "relu") == 1.0
    assert u07._chain_oracle(np.zeros(L), np.full(L, 4.0), "sigmoid") == 1.0
    assert u07._chain_oracle(np.array([1.0, 0.0, 2.0]), np.ones(3), "relu") == 0.0
    assert np.isclose(u07._chain_oracle(np.array([1.0, -1.0, 0.0]), np.array([2.0, 3.0, 5.0]), "leaky_relu"),
                      2 * 3 * 5 * 0.01 * 0.01)


@pytest.mark.parametrize("name", ["sigmoid_backward", "tanh_backward", "relu_backward", "leaky_relu_backward"])
def test_backward_cases_pin_the_convention_at_zero(name):
    cases = u07.EXERCISES[name].cases(0)
    assert any((c.args[1] == 0).any() for c in cases), "no case has Z exactly 0"
    assert any(np.abs(c.args[1]).max() >= 1000 for c in cases), "no case has extreme Z"
    assert any(c.dtype == np.float32 for c in cases), "no float32 case"


@pytest.mark.parametrize("name", ["sigmoid_backward", "tanh_backward", "relu_backward", "leaky_relu_backward"])
def test_backward_oracles_equal_dA_times_the_derivative(name):
    g_prime = {"sigmoid_backward": act.sigmoid_derivative, "tanh_backward": act.tanh_derivative,
               "relu_backward": act.relu_derivative, "leaky_relu_backward": act.leaky_relu_derivative}[name]
    exercise = u07.EXERCISES[name]
    for case in exercise.cases(0):
        args = [a.astype(np.float64) if isinstance(a, np.ndarray) else a for a in case.args]
        dA, Z, *alpha = args
        assert np.allclose(exercise.oracle(*args), dA * g_prime(Z, *alpha), rtol=1e-12, atol=1e-15)
