"""Unit 10: dlbook.initializers against torch.nn.init (exact standard deviations, statistics of
the draws), the shape table against autograd, the signal-propagation numbers and the
zero-initialization experiments of the syllabus."""
import math

import numpy as np
import pytest
import torch
from torch import nn

from dlbook.data import planar_flower
from dlbook.deep import L_layer_model, predict
from dlbook.initializers import activation_stats, init_std, initialize_parameters, layer_shapes
from grader.units import u10_initialization as u10


pytestmark = pytest.mark.usefixtures("one_torch_thread")   # see conftest.py


@pytest.mark.parametrize("fan_in, fan_out", [(1000, 2000), (3, 5), (64, 64), (1, 7)])
@pytest.mark.parametrize("method", ["he", "lecun", "glorot"])
def test_init_std_is_what_torch_uses(method, fan_in, fan_out):
    assert init_std(method, fan_in, fan_out) == pytest.approx(u10.STD_OF[method](fan_in, fan_out), rel=1e-12)


def test_the_syllabus_table():
    table = {"he": 0.0447, "lecun": 0.0316, "glorot": 0.0258}
    for method, std in table.items():
        assert round(init_std(method, 1000, 2000), 4) == std
    torch.manual_seed(0)
    default = nn.Linear(1000, 2000).weight.std().item()          # U(±1/√fan_in): not He
    assert default == pytest.approx(1 / math.sqrt(3 * 1000), rel=0.01)
    assert round(1 / math.sqrt(3 * 1000), 4) == 0.0183


def test_xavier_is_refused_as_ambiguous():
    with pytest.raises(ValueError, match="ambiguous"):
        init_std("xavier", 10, 10)


@pytest.mark.parametrize("method, torch_init, kw", [
    ("he", nn.init.kaiming_normal_, {"mode": "fan_in", "nonlinearity": "relu"}),
    ("lecun", nn.init.kaiming_normal_, {"mode": "fan_in", "nonlinearity": "linear"}),
    ("glorot", nn.init.xavier_normal_, {}),
])
def test_draws_have_torch_statistics_and_exact_values(method, torch_init, kw):
    """Statistics: the empirical std of a (2000, 1000) matrix agrees with torch's within 2%.
    Exact values: the draws are rng.standard_normal(shape) * std, in order."""
    params = initialize_parameters([1000, 2000], np.random.default_rng(0), method)
    w = torch.empty(2000, 1000, dtype=torch.float64)
    torch_init(w, generator=torch.Generator().manual_seed(0), **kw)
    assert params["W1"].std() == pytest.approx(w.std().item(), rel=0.02)
    assert params["W1"].mean() == pytest.approx(0.0, abs=5 * params["W1"].std() / 1414)
    expected = np.random.default_rng(0).standard_normal((2000, 1000)) * init_std(method, 1000, 2000)
    np.testing.assert_array_equal(params["W1"], expected)
    np.testing.assert_array_equal(params["b1"], np.zeros((2000, 1)))


def test_the_notes_he_variance():
    params = initialize_parameters([1000, 100, 10], np.random.default_rng(0), "he")
    assert params["W1"].shape == (100, 1000)
    assert round(float(params["W1"].var()), 7) == 0.0020005        # the syllabus, default_rng(0)


@pytest.mark.parametrize("dims, m", [([12288, 20, 7, 5, 1], 209), ([2, 4, 1], 3), ([3, 3, 3], 3)])
def test_layer_shapes_are_what_autograd_produces(dims, m):
    assert layer_shapes(dims, m) == u10._shapes_oracle(dims, m)


@pytest.mark.parametrize("activation", ["relu", "tanh", "linear"])
def test_activation_stats_match_nn_sequential(activation):
    rng = np.random.default_rng(1)
    X = rng.standard_normal((20, 30))
    params = initialize_parameters([20, 16, 16, 8], rng, "he")
    expected = u10._as_oracle(X, params, activation)
    np.testing.assert_allclose(activation_stats(X, params, activation), expected, rtol=1e-12)
    tp = {k: torch.from_numpy(v) for k, v in params.items()}
    got = activation_stats(torch.from_numpy(X), tp, activation)
    assert isinstance(got, torch.Tensor)
    np.testing.assert_allclose(got.numpy(), expected, rtol=1e-12)


def test_signal_through_ten_relu_layers():
    """The syllabus's property: width 500, 10 layers; He stays within [0.5, 2] of layer 1, 0.01 dies."""
    X = np.random.default_rng(0).standard_normal((500, 200))
    he = activation_stats(X, initialize_parameters([500] * 11, np.random.default_rng(1), "he"), "relu")
    small = activation_stats(X, initialize_parameters([500] * 11, np.random.default_rng(1), 0.01), "relu")
    assert 0.5 < he[-1] / he[0] < 2
    assert small[-1] / small[0] < 1e-6
    # ReLU is positively homogeneous: He weights are 0.01 weights times sqrt(2/500) / 0.01
    np.testing.assert_allclose(he, small * (math.sqrt(2 / 500) / 0.01) ** np.arange(1, 11), rtol=1e-9)


def test_zero_initialization_freezes_tanh_and_clones_sigmoid_units():
    X, Y = planar_flower(rng=1)
    zeros = initialize_parameters([2, 4, 1], None, "zeros")
    p, _ = L_layer_model(X, Y, [2, 4, 1], 1.2, 200, None, hidden="tanh", parameters=zeros)
    assert all(np.all(v == 0) for v in p.values())
    assert np.mean(predict(p, X, hidden="tanh") == Y) == 0.5
    p, _ = L_layer_model(X[:, :300], Y[:, :300], [2, 4, 1], 1.2, 500, None, hidden="sigmoid", parameters=zeros)
    assert np.all(p["W1"] == p["W1"][0]) and np.all(p["W2"] == p["W2"][0, 0])
    np.testing.assert_allclose(p["W1"][0], [-2.163, 2.013], atol=5e-4)        # the syllabus's numbers
    assert p["W2"][0, 0] == pytest.approx(-0.796, abs=5e-4)
