"""Unit 03: the grader's oracles against closed forms and the syllabus's numbers, and
dlbook.logistic's training loop and prediction against torch.optim.SGD."""
import numpy as np
import pytest
import torch

from dlbook.data import study_sleep
from dlbook.logistic import predict, train
from grader.units import u03_gradient_descent as u03


pytestmark = pytest.mark.usefixtures("one_torch_thread")   # see conftest.py


@pytest.mark.parametrize("alpha, w20", [(0.1, 2.965412), (1.0, 0.0), (1.1, -112.012800)])
def test_quadratic_oracle_matches_the_closed_form(alpha, w20):
    path = u03._quadratic_oracle(np.array([[0.0]]), np.array([[2.0]]), np.array([[3.0]]), alpha, 20)
    closed = 3 + (0 - 3) * (1 - 2 * alpha) ** np.arange(21)
    assert path.shape == (1, 21)
    assert np.allclose(path[0], closed, rtol=1e-12, atol=1e-12)
    assert np.isclose(path[0, -1], w20, rtol=0, atol=5e-7)


def test_two_cycle_at_alpha_one():
    path = u03._quadratic_oracle(np.array([[1.0]]), np.array([[2.0]]), np.array([[3.0]]), 1.0, 6)
    assert np.allclose(path[0], [1, 5, 1, 5, 1, 5, 1])        # w0 and 6 - w0


def test_bowl_oracle_matches_the_matrix_power_form():
    w0, H, c, alpha = np.array([[-2.0], [2.0]]), u03.BOWL_H, u03.BOWL_C, 0.7
    path = u03._quadratic_oracle(w0, H, c, alpha, 15)
    step = np.eye(2) - alpha * H
    closed = np.concatenate([np.linalg.matrix_power(step, t) @ (w0 - c) + c for t in range(16)], axis=1)
    assert np.allclose(path, closed, rtol=1e-10, atol=1e-12)
    assert np.allclose(np.linalg.eigvalsh(H), [0.2, 2.0])


def test_update_oracle_is_the_plain_formula():
    rng = np.random.default_rng(0)
    w, dw = rng.normal(size=(5, 1)), rng.normal(size=(5, 1))
    w_new, b_new = u03._update_oracle(w, 0.3, dw, -0.2, 0.05)
    assert np.allclose(w_new, w - 0.05 * dw, rtol=1e-15) and np.isclose(b_new, 0.3 + 0.05 * 0.2, rtol=1e-15)


def _standardised():
    X, Y = study_sleep(rng=0, m=200)
    return (X - X.mean(axis=1, keepdims=True)) / X.std(axis=1, keepdims=True), Y


@pytest.mark.parametrize("alpha", [0.01, 0.1, 1.0])
def test_dlbook_train_matches_torch_sgd(alpha):
    X, Y = _standardised()
    w, b, costs = train(X, Y, alpha=alpha, iterations=40)
    w_ref, b_ref, costs_ref = u03._sgd_logistic(np.zeros((2, 1)), 0.0, X, Y, 40, alpha, 1)
    assert np.allclose(w, w_ref, rtol=1e-10) and np.isclose(b, b_ref, rtol=1e-10, atol=1e-14)
    assert np.allclose(costs, costs_ref, rtol=1e-10)


def test_costs_never_increase_on_standardised_data_for_alpha_up_to_one():
    X, Y = _standardised()
    for alpha in [0.01, 0.1, 0.5, 1.0]:
        _, _, costs = u03._sgd_logistic(np.zeros((2, 1)), 0.0, X, Y, 300, alpha, 1)
        assert np.all(np.diff(costs) <= 1e-12), alpha


def test_optimize_oracle_records_before_each_update():
    X, Y = _standardised()
    params, costs = u03._optimize_oracle(np.zeros((2, 1)), 0.0, X, Y, 25, 0.5, 10)
    assert len(costs) == 3 and np.isclose(costs[0], np.log(2), rtol=1e-14)   # zero start: a = 0.5 everywhere


def test_predict_oracle_and_dlbook_predict_agree_and_send_one_half_to_zero():
    w, X = np.array([[1.0], [-2.0]]), np.array([[0.0, 2.0, 1.0, -1.0], [0.0, 1.0, 1.0, 0.0]])
    assert np.array_equal(u03._predict_oracle(w, 0.0, X), [[0.0, 0.0, 0.0, 0.0]])
    rng = np.random.default_rng(1)
    w, X = rng.normal(size=(3, 1)), rng.normal(size=(3, 50))
    assert np.array_equal(u03._predict_oracle(w, 0.1, X), predict(w, 0.1, X))


def test_model_oracle_reproduces_the_chapter():
    X, Y = study_sleep(rng=0, m=200)
    order = np.random.default_rng(0).permutation(200)
    tr, te = order[:150], order[150:]
    mu, sd = X[:, tr].mean(axis=1, keepdims=True), X[:, tr].std(axis=1, keepdims=True)
    out = u03._model_oracle((X[:, tr] - mu) / sd, Y[:, tr], (X[:, te] - mu) / sd, Y[:, te], 1000, 0.5)
    assert np.isclose(out["train_accuracy"], 0.92) and np.isclose(out["test_accuracy"], 0.92)
    assert len(out["costs"]) == 10 and np.isclose(out["costs"][0], np.log(2))


def test_sgd_reference_uses_torch_optimizer():
    """Guard against the reference quietly turning into our own formula: it must call torch.optim.SGD."""
    calls = []
    original = torch.optim.SGD

    class Spy(original):
        def step(self, *a, **k):
            calls.append(1)
            return super().step(*a, **k)

    torch.optim.SGD = Spy
    try:
        u03._sgd_logistic(np.zeros((2, 1)), 0.0, np.ones((2, 3)), np.ones((1, 3)), 4, 0.1, 1)
    finally:
        torch.optim.SGD = original
    assert len(calls) == 4
