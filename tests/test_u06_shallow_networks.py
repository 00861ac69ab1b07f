"""Unit 06: the grader's oracles against the syllabus's numbers and against the plain equations
(the notes' listing run with seed 1, the draw order of initialize_parameters, the collapse of
two linear layers), and logistic regression's 0.51 on the flower data."""
import numpy as np
import pytest

from dlbook.activations import sigmoid
from dlbook.data import planar_flower
from dlbook.logistic import predict, train
from grader.units import u06_shallow_networks as u06


def test_forward_oracle_reproduces_the_notes_listing():
    A2, cache = u06._forward_oracle(u06.SEED_X, u06.seed_parameters())
    assert A2.shape == (1, 4)
    assert np.allclose(A2, [[0.500436, 0.500515, 0.500595, 0.500674]], atol=5e-7)
    assert np.allclose(cache["Z2"], [[0.001743, 0.002062, 0.002379, 0.002696]], atol=5e-7)


def _equations(X, p):
    Z1 = p["W1"] @ X + p["b1"]
    A1 = np.tanh(Z1)
    Z2 = p["W2"] @ A1 + p["b2"]
    return {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": sigmoid(Z2)}


@pytest.mark.parametrize("index", range(6))
def test_forward_oracle_agrees_with_the_four_equations(index):
    case = u06.FORWARD_PROPAGATION.cases(0)[index]
    X = case.args[0].astype(np.float64)                            # the grader casts float32 cases so
    p = {k: v.astype(np.float64) for k, v in case.args[1].items()}  # before it calls the oracle
    A2, cache = u06._forward_oracle(X, p)
    want = _equations(X, p)
    assert set(cache) == {"Z1", "A1", "Z2", "A2"} and np.array_equal(A2, cache["A2"])
    for k in want:
        assert cache[k].shape == want[k].shape
        assert np.allclose(cache[k], want[k], rtol=1e-12, atol=1e-14), k


def test_every_forward_case_has_nonzero_biases_or_is_the_listing():
    cases = u06.FORWARD_PROPAGATION.cases(0)
    assert not cases[0].args[1]["b1"].any()                         # the listing: zero biases
    assert all(c.args[1]["b1"].any() for c in cases[1:])            # the others catch a missing bias


def test_saturated_case_would_overflow_a_naive_sigmoid():
    case = next(c for c in u06.FORWARD_PROPAGATION.cases(0) if "saturated" in c.label)
    _, cache = u06._forward_oracle(*case.args)
    assert cache["Z2"].min() < -709


@pytest.mark.parametrize("n_x, n_h, n_y", [(2, 4, 1), (5, 3, 2), (1, 1, 1)])
def test_init_oracle_is_W1_then_W2(n_x, n_h, n_y):
    got = u06._init_oracle(n_x, n_h, n_y, np.random.default_rng(7), 0.01)
    rng = np.random.default_rng(7)
    W1 = rng.standard_normal((n_h, n_x)) * 0.01
    W2 = rng.standard_normal((n_y, n_h)) * 0.01
    assert np.array_equal(got["W1"], W1) and np.array_equal(got["W2"], W2)
    assert got["b1"].shape == (n_h, 1) and got["b2"].shape == (n_y, 1)
    assert not got["b1"].any() and not got["b2"].any()


def test_collapse_oracle_is_the_matrix_product():
    for case in u06.COLLAPSE_LINEAR.cases(0):
        p = {k: v.astype(np.float64) for k, v in case.args[0].items()}
        W, b = u06._collapse_oracle(p)
        assert np.allclose(W, p["W2"] @ p["W1"], rtol=1e-10, atol=1e-12)
        assert np.allclose(b, p["W2"] @ p["b1"] + p["b2"], rtol=1e-10, atol=1e-12)
        X = np.random.default_rng(0).normal(size=(p["W1"].shape[1], 9))
        assert np.allclose(W @ X + b, p["W2"] @ (p["W1"] @ X + p["b1"]) + p["b2"], rtol=1e-10, atol=1e-12)


def test_logistic_regression_cannot_fit_the_flower():
    X, Y = planar_flower(rng=1)
    w, b, _ = train(X, Y, alpha=1.2, iterations=300)
    assert 0.50 <= float(np.mean(predict(w, b, X) == Y)) <= 0.52     # the syllabus's 0.51
