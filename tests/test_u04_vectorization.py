"""Unit 04: the loop versions of dlbook.vectorize against torch, the oracles against the
chapter's numbers, and the loop detector that the exercise checks rely on."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from conftest import ROOT
from dlbook import vectorize as vz
from dlbook.logistic import logistic_backward, logistic_forward
from grader import loader
from grader.core import expected
from grader.units import u04_vectorization as u04

SOLUTION = ROOT / "solutions" / "04-vectorization.ipynb"


# ----------------------------------------------------------------------------- loop versions vs torch

def test_dot_and_losses_loops_match_torch():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=37), rng.normal(size=37)
    assert np.isclose(vz.dot_loop(a, b), float(torch.dot(torch.from_numpy(a), torch.from_numpy(b))), rtol=1e-12)
    yhat, y = rng.normal(size=(3, 5)), rng.normal(size=(3, 5))
    ty, tt = torch.from_numpy(yhat), torch.from_numpy(y)
    assert np.isclose(vz.l1_loop(yhat, y), float(F.l1_loss(ty, tt, reduction="sum")), rtol=1e-12)
    assert np.isclose(vz.l2_loop(yhat, y), float(F.mse_loss(ty, tt, reduction="sum")), rtol=1e-12)


def test_outer_loop_matches_torch_outer():
    rng = np.random.default_rng(1)
    u, v = rng.normal(size=4), rng.normal(size=6)
    M = vz.outer_loop(u, v)
    assert M.shape == (4, 6)
    np.testing.assert_allclose(M, torch.outer(torch.from_numpy(u), torch.from_numpy(v)).numpy(), rtol=1e-14)


def test_logistic_loops_match_torch_and_autograd():
    rng = np.random.default_rng(2)
    X, Y = rng.normal(size=(5, 30)), (rng.random((1, 30)) < 0.5).astype(float)
    w, b = rng.normal(size=(5, 1)), -0.4
    wt = torch.tensor(w, requires_grad=True)
    bt = torch.tensor(b, dtype=torch.float64, requires_grad=True)
    Z = wt.T @ torch.from_numpy(X) + bt
    A = vz.logistic_forward_loop(w, b, X)
    np.testing.assert_allclose(A, torch.sigmoid(Z).detach().numpy(), rtol=1e-12)
    F.binary_cross_entropy_with_logits(Z, torch.from_numpy(Y)).backward()
    dw, db = vz.logistic_gradients_loop(X, A, Y)
    np.testing.assert_allclose(dw, wt.grad.numpy(), rtol=1e-10, atol=1e-13)
    assert np.isclose(db, float(bt.grad), rtol=1e-10)


def test_loop_and_vectorized_logistic_agree_to_1e12():
    rng = np.random.default_rng(3)
    X, Y = rng.normal(size=(4, 50)), (rng.random((1, 50)) < 0.5).astype(float)
    w = rng.normal(size=(4, 1))
    A, cache = logistic_forward(w, 0.3, X)
    np.testing.assert_allclose(vz.logistic_forward_loop(w, 0.3, X), A, rtol=0, atol=1e-12)
    dw, db = logistic_backward(Y, cache)
    dw_loop, db_loop = vz.logistic_gradients_loop(X, A, Y)
    np.testing.assert_allclose(dw_loop, dw, rtol=0, atol=1e-12)
    assert abs(db_loop - db) < 1e-12


def test_forward_loop_does_not_overflow():
    with np.errstate(all="raise"):
        A = vz.logistic_forward_loop(np.array([[500.0]]), 0.0, np.array([[-2.0, 2.0]]))
    np.testing.assert_allclose(A, [[0.0, 1.0]], atol=1e-300)


# ----------------------------------------------------------------------------- oracles vs the chapter

def test_oracles_reproduce_the_worked_example():
    assert np.isclose(u04._l1_oracle(u04.SEED_YHAT, u04.SEED_Y), 1.1, rtol=1e-12)
    assert np.isclose(u04._l2_oracle(u04.SEED_YHAT, u04.SEED_Y), 0.43, rtol=1e-12)
    first = u04.LOGISTIC_FORWARD.cases(0)[0]
    np.testing.assert_allclose(expected(u04.LOGISTIC_FORWARD, first), [[0.425557483188341]], rtol=1e-12)
    M = expected(u04.OUTER, u04.OUTER.cases(0)[0])
    np.testing.assert_array_equal(M, [[4.0, 5.0, 7.0], [8.0, 10.0, 14.0], [12.0, 15.0, 21.0]])


def test_oracles_agree_with_the_loop_versions_on_every_case():
    pairs = [(u04.L1, vz.l1_loop), (u04.L2, vz.l2_loop), (u04.OUTER, vz.outer_loop),
             (u04.LOGISTIC_FORWARD, vz.logistic_forward_loop)]
    for exercise, loop in pairs:
        for case in exercise.cases(0):
            args = [a.astype(np.float64) if isinstance(a, np.ndarray) else a for a in case.args]
            np.testing.assert_allclose(loop(*args), exercise.oracle(*args), rtol=1e-10, atol=1e-300,
                                       err_msg=f"{exercise.name}: {case.label}")


# ----------------------------------------------------------------------------- loop detection

def _for(x):
    total = 0.0
    for v in x:
        total += v
    return total


def _while(x):
    i = 0
    while i < 3:
        i += 1
    return x


def _comprehension(x):
    return [v * 2 for v in x]


def _builtin_sum(x):
    return sum(x * x)


def _np_vectorize(x):
    return np.vectorize(abs)(x)


def _calls_a_loop(x):
    return _for(x)


def _vectorized(x):
    from array_api_compat import array_namespace
    xp = array_namespace(x)
    return float(xp.sum(xp.abs(x))) + float(xp.max(x, axis=None))


@pytest.mark.parametrize("fn, what", [(_for, "a for loop"), (_while, "a while loop"),
                                      (_comprehension, "a list comprehension"), (_builtin_sum, "sum()"),
                                      (_np_vectorize, "vectorize"), (_calls_a_loop, "(_for, line 3)")])
def test_python_loops_finds_each_kind(fn, what):
    found = vz.python_loops(fn)
    assert found and what in " ".join(found), found
    with pytest.raises(AssertionError, match="still loops in Python"):
        vz.assert_vectorized(fn)


def test_python_loops_accepts_vectorized_code():
    assert vz.python_loops(_vectorized) == []
    assert vz.python_loops(np.dot) == []                  # compiled functions have no bytecode


def test_every_loop_version_is_flagged():
    for fn in (vz.dot_loop, vz.l1_loop, vz.l2_loop, vz.outer_loop, vz.logistic_forward_loop,
               vz.logistic_gradients_loop):
        assert vz.python_loops(fn), fn.__name__


def test_solutions_are_vectorized():
    namespace = loader.define(SOLUTION)
    for name in u04.EXERCISES:
        assert vz.python_loops(namespace[name]) == [], name


def test_count_bytecodes_is_linear_for_the_loop_and_constant_for_np_dot():
    counts = [vz.count_bytecodes(vz.dot_loop, np.ones(n), np.ones(n)) for n in (1, 2, 10)]
    per_element = counts[1] - counts[0]
    assert per_element > 5 and counts[2] == counts[0] + 9 * per_element
    vec = [vz.count_bytecodes(lambda a, b: float(np.dot(a, b)), np.ones(n), np.ones(n)) for n in (1, 1000)]
    assert vec[0] == vec[1] < counts[0]


def test_best_time_returns_seconds_per_call():
    calls = []
    t = vz.best_time(lambda: calls.append(1), repeat=3, number=4)
    assert t >= 0 and len(calls) == 1 + 3 * 4                     # one warm-up call, then 3 x 4
