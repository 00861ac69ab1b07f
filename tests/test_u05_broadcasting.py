"""Unit 05: dlbook.preprocess and dlbook.activations.softmax against torch, the broadcasting-rule
oracle against NumPy and torch, and the chapter's hand-computed numbers."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from conftest import ROOT
from dlbook.activations import softmax
from dlbook.preprocess import normalize_rows, standardize
from grader import loader
from grader.core import expected
from grader.units import u05_broadcasting as u05

SOLUTION = ROOT / "solutions" / "05-broadcasting.ipynb"


# ----------------------------------------------------------------------------- the rule

def _random_shapes(rng, n):
    for _ in range(n):
        yield tuple(tuple(int(d) for d in rng.choice([0, 1, 2, 3], size=rng.integers(0, 5))) for _ in range(2))


def test_oracle_agrees_with_numpy_and_torch_and_the_solution():
    solution = loader.define(SOLUTION)["broadcast_shape"]
    rng = np.random.default_rng(0)
    compatible = 0
    for a, b in _random_shapes(rng, 500):
        want = u05._broadcast_oracle(a, b)          # asserts NumPy == torch inside
        try:
            got_np = np.broadcast_shapes(a, b)
        except ValueError:
            got_np = None
        assert want == got_np
        assert solution(a, b) == want, (a, b)
        compatible += want is not None
    assert 100 < compatible < 400                    # both outcomes are well represented


def test_incompatible_shapes_raise_different_errors_in_numpy_and_torch():
    with pytest.raises(ValueError):
        np.broadcast_shapes((4, 3), (4, 2))
    with pytest.raises(RuntimeError):
        torch.broadcast_shapes((4, 3), (4, 2))
    assert u05._broadcast_oracle((4, 3), (4, 2)) is None
    assert u05._broadcast_oracle((5, 0), (1,)) == (5, 0)


def test_stride_zero_view():
    row = np.array([1.0, 2.0, 3.0])
    tall = np.broadcast_to(row, (1000, 3))
    assert tall.strides == (0, 8) and tall.base.nbytes == 24 and not tall.flags.writeable
    assert torch.tensor(row).expand(1000, 3).stride() == (0, 1)


# ----------------------------------------------------------------------------- the dlbook functions vs torch

def test_standardize_matches_torch_with_correction_0():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(4, 9)) * [[1.0], [30.0], [0.01], [2.0]] + 5.0
    X[2] = 0.25                                          # constant feature
    X_norm, mu, sigma = standardize(X)
    Xt = torch.from_numpy(X)
    ref_sigma = torch.std(Xt, dim=1, keepdim=True, correction=0)
    assert mu.shape == sigma.shape == (4, 1)
    np.testing.assert_allclose(sigma, ref_sigma.numpy(), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(X_norm, ((Xt - Xt.mean(dim=1, keepdim=True)) / (ref_sigma + 1e-8)).numpy(),
                               rtol=1e-10, atol=1e-12)
    assert np.all(X_norm[2] == 0)
    # torch.std's default is the unbiased estimator: the trap the oracle avoids
    four = torch.tensor([1.0, 2.0, 3.0, 4.0], dtype=torch.float64)
    assert round(float(torch.std(four)), 4) == 1.2910 and round(float(torch.std(four, correction=0)), 4) == 1.1180


def test_normalize_rows_matches_f_normalize_with_a_zero_row():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(5, 4))
    x[3] = 0.0
    np.testing.assert_allclose(normalize_rows(x), F.normalize(torch.from_numpy(x), p=2, dim=1).numpy(),
                               rtol=1e-12, atol=1e-15)
    assert np.all(normalize_rows(x)[3] == 0)


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_softmax_matches_torch_on_every_axis(axis):
    z = np.random.default_rng(3).normal(size=(3, 4, 5))
    np.testing.assert_allclose(softmax(z, axis=axis), torch.softmax(torch.from_numpy(z), dim=axis).numpy(),
                               rtol=1e-12)


def test_softmax_does_not_overflow_and_stays_torch_float32():
    with np.errstate(over="raise", invalid="raise", divide="raise"):    # underflow to 0 is fine
        p = softmax(np.array([[1000.0, -1000.0], [999.0, 1000.0]]), axis=0)
    np.testing.assert_allclose(p.sum(axis=0), 1.0)
    zt = torch.randn(3, 6, generator=torch.Generator().manual_seed(0))
    for out in (softmax(zt, axis=0), normalize_rows(zt), standardize(zt)[0]):
        assert isinstance(out, torch.Tensor) and out.dtype == torch.float32


# ----------------------------------------------------------------------------- the chapter and the checks

def test_calorie_example():
    G = np.array([[28.0, 0.0, 22.0], [2.7, 31.0, 21.0], [0.3, 3.6, 50.0]])
    E = np.array([[4.0], [4.0], [9.0]]) * G
    T = E.sum(axis=0, keepdims=True)
    np.testing.assert_allclose(T, [[125.5, 156.4, 622.0]])
    np.testing.assert_allclose((100 * E / T).round(2), [[89.24, 0, 14.15], [8.61, 79.28, 13.50],
                                                         [2.15, 20.72, 72.35]])


@pytest.mark.parametrize("exercise, no_keepdims", [(u05.NORMALIZE_ROWS, u05._nr_no_keepdims),
                                                   (u05.SOFTMAX, u05._sm_no_keepdims),
                                                   (u05.STANDARDIZE, u05._st_no_keepdims)])
def test_first_case_is_square_so_a_missing_keepdims_is_silently_wrong(exercise, no_keepdims):
    case = exercise.cases(0)[0]
    assert case.args[0].shape[0] == case.args[0].shape[1]
    got = no_keepdims(*case.args)                      # runs without an error ...
    want = expected(exercise, case)
    first = lambda v: v[0] if isinstance(v, tuple) else v
    assert first(got).shape == first(want).shape and not np.allclose(first(got), first(want))  # ... and is wrong
