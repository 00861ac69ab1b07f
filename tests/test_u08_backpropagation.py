"""Unit 08: dlbook.deep's one-hidden-layer network against autograd and finite differences, the
notes' worked chain (completed), and the grader's oracles against independent computations."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from dlbook.data import planar_flower
from dlbook.deep import backward_propagation, forward_propagation, nn_model, predict, update_parameters
from dlbook.gradcheck import gradcheck
from dlbook.losses import bce_with_logits
from grader.core import Case, run_exercise
from grader.units import u08_backpropagation as u08


pytestmark = pytest.mark.usefixtures("one_torch_thread")   # see conftest.py


def _net(rng, n_x=3, n_h=4, m=10):
    p = {"W1": rng.standard_normal((n_h, n_x)), "b1": 0.5 * rng.standard_normal((n_h, 1)),
         "W2": rng.standard_normal((1, n_h)), "b2": 0.5 * rng.standard_normal((1, 1))}
    X = rng.standard_normal((n_x, m))
    Y = (rng.random((1, m)) < 0.5).astype(float)
    return p, X, Y


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_backward_matches_autograd(seed):
    p, X, Y = _net(np.random.default_rng(seed))
    _, cache = forward_propagation(X, p)
    grads = backward_propagation(p, cache, X, Y)
    t = {k: torch.tensor(v, requires_grad=True) for k, v in p.items()}
    Z2 = t["W2"] @ torch.tanh(t["W1"] @ torch.from_numpy(X) + t["b1"]) + t["b2"]
    F.binary_cross_entropy_with_logits(Z2, torch.from_numpy(Y)).backward()
    for k in p:
        np.testing.assert_allclose(grads["d" + k], t[k].grad.numpy(), rtol=1e-12, atol=1e-13)


def test_backward_runs_on_tensors():
    p, X, Y = _net(np.random.default_rng(3))
    tp = {k: torch.from_numpy(v) for k, v in p.items()}
    tX, tY = torch.from_numpy(X), torch.from_numpy(Y)
    _, cache = forward_propagation(tX, tp)
    grads = backward_propagation(tp, cache, tX, tY)
    expected = backward_propagation(p, forward_propagation(X, p)[1], X, Y)
    for k, g in grads.items():
        assert isinstance(g, torch.Tensor) and g.dtype == torch.float64
        np.testing.assert_allclose(g.numpy(), expected[k], rtol=1e-13)


def test_gradient_check_passes_and_pins_a_missing_mean():
    p, X, Y = _net(np.random.default_rng(0))

    def cost(q):
        return bce_with_logits(forward_propagation(X, q)[1]["Z2"], Y)

    grads = backward_propagation(p, forward_propagation(X, p)[1], X, Y)
    assert max(gradcheck(cost, p, grads).values()) < 1e-7
    errors = gradcheck(cost, p, {**grads, "dW1": grads["dW1"] * X.shape[1]})
    assert errors["W1"] == pytest.approx(9 / 11, rel=1e-6)          # (m - 1) / (m + 1) for m = 10
    assert max(errors[k] for k in ("b1", "W2", "b2")) < 1e-7


def test_the_notes_chain_completed():
    """y = 1, a2 = 0.8, W2 = 0.5, tanh'(z1) = 0.5, x = (1, 2): dz2 = -0.2, dz1 = -0.05, dW2 = -0.1414."""
    x, y = np.array([[1.0], [2.0]]), np.array([[1.0]])
    W1 = np.array([[0.1, 0.2]])
    p = {"W1": W1, "b1": np.arctanh(1 / np.sqrt(2)) - W1 @ x, "W2": np.array([[0.5]]),
         "b2": np.array([[np.log(4.0) - 0.5 / np.sqrt(2)]])}
    for grads in (backward_propagation(p, forward_propagation(x, p)[1], x, y), u08._bp_oracle(p, None, x, y)):
        assert grads["db2"].item() == pytest.approx(-0.2)
        assert grads["dW2"].item() == pytest.approx(-0.1414, abs=5e-5)
        assert grads["db1"].item() == pytest.approx(-0.05)
        np.testing.assert_allclose(grads["dW1"], [[-0.05, -0.10]])


def test_nn_model_equals_torch_sgd_from_the_same_draws():
    rng = np.random.default_rng(5)
    X, Y = rng.normal(size=(2, 30)), (rng.random((1, 30)) < 0.5).astype(float)
    params, costs = nn_model(X, Y, 5, 30, 1.2, np.random.default_rng(7))
    expected_params, expected_costs = u08._nn_oracle(X, Y, 5, 30, 1.2, np.random.default_rng(7))
    np.testing.assert_allclose(costs, expected_costs, rtol=1e-10)
    for k in params:
        np.testing.assert_allclose(params[k], expected_params[k], rtol=1e-9, atol=1e-12)


def test_flower_is_learned():
    """The syllabus: n_h = 4, alpha = 1.2 reaches about 0.94; logistic regression gets 0.51."""
    X, Y = planar_flower(rng=1)
    params, costs = nn_model(X, Y, 4, 2000, 1.2, np.random.default_rng(2), record_every=100)
    assert np.mean(predict(params, X, hidden="tanh") == Y) >= 0.9
    assert costs[-1] < 0.5 * costs[0]


def test_update_parameters_returns_new_arrays():
    p, _, _ = _net(np.random.default_rng(4))
    grads = {"d" + k: np.ones_like(v) for k, v in p.items()}
    before = {k: v.copy() for k, v in p.items()}
    new = update_parameters(p, grads, 0.5)
    for k in p:
        np.testing.assert_array_equal(p[k], before[k])
        np.testing.assert_array_equal(new[k], before[k] - 0.5)


def test_the_check_rejects_an_update_in_place():
    def update_parameters(parameters, grads, learning_rate):
        for k in parameters:
            parameters[k] -= learning_rate * grads["d" + k]
        return parameters

    failures, _, _ = run_exercise(update_parameters, u08.UPDATE_PARAMETERS)
    assert failures and "in place" in failures[0].message


def test_predict_at_exactly_one_half_is_zero():
    case = u08._pr_cases(np.random.default_rng(0))[1]
    params, X = case.args
    np.testing.assert_array_equal(predict(params, X, hidden="tanh"), np.zeros((1, X.shape[1])))
    np.testing.assert_array_equal(u08._pr_oracle(params, X), np.zeros((1, X.shape[1])))


def test_isolation_cases_have_zero_first_layer_gradients():
    cases = u08._bp_cases(np.random.default_rng(0))
    for case in (cases[3], cases[4]):                       # W2 = 0, then X = 0
        grads = u08._bp_oracle(*case.args)
        np.testing.assert_array_equal(grads["dW1"], 0.0)
    assert isinstance(cases[0], Case)


def test_boundary_panel_traces_the_half_contour():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from dlbook.boundary import BoundaryPanel

    X, Y = planar_flower(rng=1)
    fig, ax = plt.subplots()
    panel = BoundaryPanel(ax, X, Y, steps=61)
    p = panel.update(lambda G: 0.5 + 0.05 * (G[0] - 0.7))      # linear: 0.5 exactly on the line x0 = 0.7
    xs, ys = panel.line.get_data()
    assert p.shape == (61, 61) and np.nanmax(np.abs(np.asarray(xs) - 0.7)) < 1e-9
    assert np.nanmin(ys) <= X[1].min() and np.nanmax(ys) >= X[1].max()   # it crosses the whole plot
    plt.close(fig)
