"""Unit 21b: dlbook.multiclass against torch (softmax cross-entropy, its gradient, training),
the new data generators, and the grader's oracles against the syllabus's hand-computed numbers."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from dlbook import multiclass
from dlbook.activations import sigmoid, softmax
from dlbook.data import multiclass_blobs, spiral
from dlbook.gradcheck import numerical_gradient
from grader.units import u21b_softmax_pytorch as u21b

Z_NOTES = np.array([[5.0], [2.0], [-1.0], [3.0]])
CAT = np.array([[0.0], [1.0], [0.0], [0.0]])


pytestmark = pytest.mark.usefixtures("one_torch_thread")   # see conftest.py


# ----------------------------------------------------------------------------- the notes' numbers

def test_softmax_of_the_notes_scores():
    np.testing.assert_allclose(np.exp(Z_NOTES).ravel(), [148.413, 7.389, 0.368, 20.086], atol=5e-4)
    np.testing.assert_allclose(u21b._softmax_oracle(Z_NOTES).ravel(), [0.84203, 0.04192, 0.00209, 0.11396],
                               atol=5e-6)
    # note 002's mislabelled scores (5, -2, 1, 3) have other probabilities
    np.testing.assert_allclose(softmax(np.array([[5.0], [-2.0], [1.0], [3.0]])).ravel(),
                               [0.86613, 0.00079, 0.01586, 0.11722], atol=5e-6)


def test_cat_loss_and_gradient():
    Z = np.log(np.array([[0.3], [0.2], [0.1], [0.4]]))
    assert u21b._ce_oracle(Z, CAT) == pytest.approx(-np.log(0.2), rel=1e-12)
    assert u21b._ce_oracle(Z, CAT) == pytest.approx(1.6094, abs=5e-5)
    np.testing.assert_allclose(u21b._backward_oracle(Z, CAT).ravel(), [0.3, -0.8, 0.1, 0.4], atol=1e-12)
    np.testing.assert_allclose(u21b._backward_oracle(Z_NOTES, CAT).ravel(), [0.84203, -0.95808, 0.00209, 0.11396],
                               atol=5e-6)


def test_two_classes_are_logistic_regression():
    z = np.array([[1.3], [-0.4]])
    assert softmax(z)[0, 0] == pytest.approx(float(sigmoid(np.array(1.7))), rel=1e-14)
    assert softmax(z)[0, 0] == pytest.approx(0.845535, abs=5e-7)


def test_saddle_heuristic():
    assert -20_000 * np.log10(2) == pytest.approx(-6020.6, abs=0.05)


@pytest.mark.parametrize("coefficients, target, dtype", [((1.0, -10.0, 25.0), 5.0, torch.float64),
                                                         ((1.0, -20.0, 25.0), 10.0, torch.float64),
                                                         ((1.0, -20.0, 100.0), 10.0, torch.float64)])
def test_framework_demo_sgd(coefficients, target, dtype):
    c = torch.tensor(coefficients, dtype=dtype)
    w = torch.zeros(1, dtype=dtype, requires_grad=True)
    opt = torch.optim.SGD([w], lr=0.01)
    path = []
    for _ in range(1000):
        opt.zero_grad()
        (c[0] * w ** 2 + c[1] * w + c[2]).backward()
        opt.step()
        path.append(w.item())
    assert path[0] == pytest.approx(target * 0.02, rel=1e-12)              # 0.1 or 0.2 after one step
    assert path[-1] == pytest.approx(target * (1 - 0.98 ** 1000), rel=1e-12)


def test_framework_demo_adam_float32():
    w = torch.zeros(1, requires_grad=True)
    opt = torch.optim.Adam([w], lr=0.1)
    path = []
    for _ in range(1001):
        opt.zero_grad()
        (w ** 2 - 10 * w + 25).backward()
        opt.step()
        path.append(w.item())
    assert path[0] == pytest.approx(0.1, abs=1e-7)
    assert path[-1] == pytest.approx(5.0, abs=5e-6)


# ----------------------------------------------------------------------------- dlbook.multiclass

def test_one_hot_matches_torch_and_keeps_the_device_and_dtype():
    y = np.array([3, 0, 2, 2, 1])
    expected = F.one_hot(torch.from_numpy(y), 5).T.double().numpy()
    np.testing.assert_array_equal(multiclass.one_hot(y, 5), expected)
    Yt = multiclass.one_hot(torch.from_numpy(y.astype(np.int32)), 5)
    assert Yt.dtype == torch.float64 and Yt.shape == (5, 5)
    np.testing.assert_array_equal(Yt.numpy(), expected)


@pytest.mark.parametrize("scale", [1.0, 30.0, 1000.0])
def test_cost_matches_cross_entropy_even_for_huge_scores(scale):
    rng = np.random.default_rng(0)
    Z = scale * rng.normal(size=(5, 9))
    labels = rng.integers(0, 5, size=9)
    Y = multiclass.one_hot(labels, 5)
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        ours = multiclass.softmax_cross_entropy(Z, Y)
    assert ours == pytest.approx(F.cross_entropy(torch.from_numpy(Z.T), torch.from_numpy(labels)).item(),
                                 rel=1e-12)
    np.testing.assert_allclose(multiclass.log_softmax(Z), torch.log_softmax(torch.from_numpy(Z), dim=0).numpy(),
                               rtol=1e-12, atol=1e-12)


def test_backward_is_autograd_times_m_and_passes_a_gradient_check():
    rng = np.random.default_rng(1)
    Z = rng.normal(scale=2.0, size=(4, 6))
    labels = rng.integers(0, 4, size=6)
    Y = multiclass.one_hot(labels, 4)
    z = torch.tensor(Z.T, requires_grad=True)
    F.cross_entropy(z, torch.from_numpy(labels)).backward()               # the mean cost
    dZ = multiclass.softmax_backward(Z, Y)
    np.testing.assert_allclose(dZ / 6, z.grad.numpy().T, rtol=1e-12, atol=1e-15)
    numeric = numerical_gradient(lambda zz: multiclass.softmax_cross_entropy(zz, Y), Z.copy())
    np.testing.assert_allclose(dZ / 6, numeric, atol=1e-8)


@pytest.mark.parametrize("lib", ["numpy", "torch"])
def test_softmax_regression_matches_torch_training(lib):
    X, y = multiclass_blobs(rng=2, m=60, C=4)
    Y = multiclass.one_hot(y, 4)
    rng = np.random.default_rng(3)
    W0, b0 = 0.1 * rng.normal(size=(4, 2)), 0.1 * rng.normal(size=(4, 1))
    args = (X, Y, W0, b0) if lib == "numpy" else tuple(torch.from_numpy(a) for a in (X, Y, W0, b0))
    W, b, costs = multiclass.softmax_regression(args[0], args[1], 0.3, 25, W=args[2], b=args[3])
    W_t, b_t, costs_t = u21b._train_torch(*(torch.from_numpy(a) for a in (X, Y, W0, b0)), 0.3, 25)
    np.testing.assert_allclose(np.asarray(W), W_t.numpy(), rtol=1e-11, atol=1e-13)
    np.testing.assert_allclose(np.asarray(b), b_t.numpy(), rtol=1e-11, atol=1e-13)
    np.testing.assert_allclose(costs, costs_t, rtol=1e-12)
    assert np.mean(np.asarray(multiclass.predict(W, b, args[0])) == y) > 0.8


def test_softmax_regression_starts_at_zeros_and_reaches_high_accuracy():
    X, y = multiclass_blobs(rng=0, m=300, C=3)
    W, b, costs = multiclass.softmax_regression(X, multiclass.one_hot(y, 3), alpha=0.5, iterations=200)
    assert costs[0] == pytest.approx(np.log(3), rel=1e-12)                  # uniform start: log C
    assert costs[-1] < 0.1 and np.mean(multiclass.predict(W, b, X) == y) > 0.95


# ----------------------------------------------------------------------------- data

def test_multiclass_generators_are_seeded_and_balanced():
    for gen in (multiclass_blobs, spiral):
        X1, y1 = gen(rng=5, m=31, C=4)
        X2, y2 = gen(rng=5, m=31, C=4)
        assert X1.shape == (2, 31) and y1.shape == (31,) and y1.dtype.kind == "i"
        np.testing.assert_array_equal(X1, X2)
        np.testing.assert_array_equal(y1, y2)
        assert np.bincount(y1).tolist() == [8, 8, 8, 7]


def test_spiral_is_not_linearly_separable_but_blobs_are():
    for gen, lo, hi in ((multiclass_blobs, 0.95, 1.0), (spiral, 0.0, 0.7)):
        X, y = gen(rng=0, m=240, C=3)
        W, b, _ = multiclass.softmax_regression(X, multiclass.one_hot(y, 3), alpha=1.0, iterations=300)
        assert lo <= np.mean(multiclass.predict(W, b, X) == y) <= hi


# ----------------------------------------------------------------------------- grader oracles

def test_train_oracle_agrees_with_autograd_training():
    case = u21b._train_cases(np.random.default_rng(0))[1]
    W, b, costs = u21b._train_oracle(*case.args)
    X, Y, W0, b0, lr, n = case.args
    W_t, b_t, costs_t = u21b._train_torch(*(torch.from_numpy(a) for a in (X, Y, W0, b0)), lr, n)
    np.testing.assert_allclose(W, W_t.numpy(), rtol=1e-11, atol=1e-13)
    np.testing.assert_allclose(b, b_t.numpy(), rtol=1e-11, atol=1e-13)
    np.testing.assert_allclose(costs, costs_t, rtol=1e-12)


def test_extreme_cost_case_is_finite():
    assert u21b._ce_oracle(u21b.EXTREME_Z, u21b.EXTREME_Y) == pytest.approx((2000 + np.log(2)) / 3, rel=1e-12)
