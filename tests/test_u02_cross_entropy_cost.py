"""Unit 02: dlbook.losses against torch, and the grader's oracles against the syllabus's
hand-computed numbers (the escape detector, the notes' four predictions, the four-point
landscape with two MSE minima and one BCE minimum)."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from dlbook.activations import sigmoid
from dlbook.losses import bce_with_logits, binary_cross_entropy
from grader.units import u02_cross_entropy_cost as u02


pytestmark = pytest.mark.usefixtures("one_torch_thread")   # see conftest.py


def _t(a):
    return torch.from_numpy(np.asarray(a))


@pytest.mark.parametrize("scale", [0.5, 3.0, 30.0, 1000.0])
def test_bce_with_logits_matches_torch(scale):
    rng = np.random.default_rng(int(scale))
    Z = rng.normal(scale=scale, size=(1, 50))
    Y = (rng.random((1, 50)) < 0.5).astype(float)
    expected = F.binary_cross_entropy_with_logits(_t(Z), _t(Y)).item()
    assert np.isclose(bce_with_logits(Z, Y), expected, rtol=1e-12, atol=1e-14)
    assert np.isclose(bce_with_logits(_t(Z), _t(Y)), expected, rtol=1e-12, atol=1e-14)   # on tensors


def test_bce_with_logits_is_exact_at_extremes():
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        assert bce_with_logits(np.array([[-1000.0]]), np.array([[1.0]])) == 1000.0
        assert bce_with_logits(np.array([[1000.0]]), np.array([[0.0]])) == 1000.0
        assert bce_with_logits(np.array([[1e4, -1e4]]), np.array([[1.0, 0.0]])) == 0.0


def test_binary_cross_entropy_matches_torch_where_nobody_clips():
    rng = np.random.default_rng(0)
    A = rng.uniform(1e-6, 1 - 1e-6, size=(1, 200))
    Y = (rng.random((1, 200)) < 0.5).astype(float)
    expected = F.binary_cross_entropy(_t(A), _t(Y)).item()
    assert np.isclose(binary_cross_entropy(A, Y), expected, rtol=1e-12)
    assert np.isclose(binary_cross_entropy(_t(A), _t(Y)), expected, rtol=1e-12)


def test_the_three_answers_at_a_saturated_wrong_prediction():
    """The chapter's warning: torch clamps its logs at -100, our clip gives 27.63, the notes 11.51."""
    A0, Y1 = np.array([[0.0]]), np.array([[1.0]])
    assert F.binary_cross_entropy(_t(A0), _t(Y1)).item() == 100.0
    with np.errstate(divide="raise"):
        assert round(binary_cross_entropy(A0, Y1), 2) == 27.63
    assert round(float(-np.log(0.0 + 1e-5)), 2) == 11.51


def test_logits_and_clipped_forms_agree_when_nothing_saturates():
    rng = np.random.default_rng(3)
    Z = rng.normal(scale=4.0, size=(1, 30))
    Y = (rng.random((1, 30)) < 0.5).astype(float)
    assert np.isclose(bce_with_logits(Z, Y), binary_cross_entropy(sigmoid(Z), Y), rtol=1e-9)


def test_float32_stays_finite_and_close():
    Z = np.linspace(-50, 50, 11, dtype=np.float32)[None, :]
    Y = (np.arange(11) % 2).astype(np.float32)[None, :]
    got = bce_with_logits(Z, Y)
    assert isinstance(got, float) and np.isclose(got, bce_with_logits(Z.astype(float), Y.astype(float)), rtol=1e-6)


def test_oracles_reproduce_the_syllabus_numbers():
    # the escape detector: x = (1, 5), w = (2, 0.5), b = -3, y = 1
    g = u02._single_oracle(u02.SEED_X, 1.0, u02.SEED_W, u02.SEED_B)
    assert np.isclose(g["dz"], -0.182426, rtol=0, atol=5e-7)
    assert np.allclose(g["dw"].ravel(), [-0.182426, -0.912128], rtol=0, atol=5e-7)
    assert np.isclose(g["da"], -1 / 0.8175744761936437, rtol=1e-12)
    assert np.isclose(u02._logit_oracle(np.array([[1.5]]), np.array([[1.0]])), 0.201413, rtol=0, atol=5e-7)
    # the notes' four predictions: exact 0.631432; clipped at 1e-5 0.631437; eps inside the logs 0.631399
    A, Y = np.array([[0.8, 0.1, 1.0, 0.0]]), np.array([[1.0, 1.0, 1.0, 0.0]])
    assert np.isclose(u02._bce_oracle(A, Y), 0.631432, rtol=0, atol=5e-7)
    assert np.isclose(u02._bce_oracle(A, Y, 1e-5), 0.631437, rtol=0, atol=5e-7)
    assert np.isclose(u02._bce_eps_inside(A, Y, 1e-5), 0.631399, rtol=0, atol=5e-7)
    # z = -1000, y = 1 costs exactly 1000
    assert u02._logit_oracle(np.array([[-1000.0]]), np.array([[1.0]])) == 1000.0


def _local_minima(J):
    d = np.diff(J)
    return np.flatnonzero((d[:-1] < 0) & (d[1:] > 0)) + 1


def test_landscape_oracle_has_two_mse_minima_and_one_bce_minimum():
    w = np.linspace(-10, 10, 4001)[:, None]                 # step 0.005
    J_mse, J_bce = u02._landscape_oracle(w, u02.FOUR_X, u02.FOUR_Y)
    mse_min, bce_min = _local_minima(J_mse[:, 0]), _local_minima(J_bce[:, 0])
    assert np.allclose(w[mse_min, 0], [-1.4366, 0.1374], atol=5e-3)
    assert np.allclose(J_mse[mse_min, 0], [0.16886, 0.12019], atol=1e-4)
    assert np.allclose(w[bce_min, 0], [0.1624], atol=5e-3) and np.isclose(J_bce.min(), 0.67130, atol=1e-4)


def test_bce_gradient_of_the_logit_form_is_a_minus_y():
    """dz = a - y, checked by autograd through dlbook's formula written in torch."""
    z = torch.tensor([[-3.0, 0.2, 5.0, -40.0]], dtype=torch.float64, requires_grad=True)
    y = torch.tensor([[1.0, 0.0, 1.0, 0.0]], dtype=torch.float64)
    loss = (torch.clamp(z, min=0) + torch.log1p(torch.exp(-z.abs())) - y * z).sum()
    loss.backward()
    assert torch.allclose(z.grad, torch.sigmoid(z.detach()) - y, rtol=1e-12, atol=1e-15)
