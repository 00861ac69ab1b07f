"""Unit 19: dlbook.optim's schedules against torch.optim.lr_scheduler, the syllabus's hand-computed
values, the notes' off-by-one, and the grader's oracles."""
import inspect
import math

import numpy as np
import pytest
import torch

from dlbook import optim
from grader.units import u19_lr_decay as u19


def _torch_rates(make_scheduler, lr0, n_epochs):
    """The rate a scheduler sets for epochs 0 .. n_epochs-1, in the usual training-loop order."""
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=lr0)
    sched = make_scheduler(opt)
    rates = []
    for _ in range(n_epochs):
        rates.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return np.array(rates)


EPOCHS = np.arange(60)


@pytest.mark.parametrize("lr0, k", [(1.0, 0.1), (0.2, 1.0), (0.05, 0.0), (0.3, 0.37)])
def test_inverse_time_matches_lambda_lr(lr0, k):
    ref = _torch_rates(lambda o: torch.optim.lr_scheduler.LambdaLR(o, lambda e: 1 / (1 + k * e)), lr0, 60)
    np.testing.assert_allclose(optim.inverse_time_decay(lr0, EPOCHS, k), ref, rtol=1e-15)


@pytest.mark.parametrize("lr0, k", [(1.0, 0.95), (0.1, 0.5), (0.3, 0.99)])
def test_exponential_matches_exponential_lr(lr0, k):
    ref = _torch_rates(lambda o: torch.optim.lr_scheduler.ExponentialLR(o, gamma=k), lr0, 60)
    np.testing.assert_allclose(optim.exponential_decay(lr0, EPOCHS, k), ref, rtol=1e-13)


@pytest.mark.parametrize("lr0, drop, interval", [(1.0, 0.5, 10), (0.1, 0.1, 7), (0.3, 0.5, 1)])
def test_step_matches_step_lr(lr0, drop, interval):
    ref = _torch_rates(lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=interval, gamma=drop), lr0, 60)
    np.testing.assert_allclose(optim.step_decay(lr0, EPOCHS, drop, interval), ref, rtol=1e-13)
    assert optim.step_decay(lr0, interval - 1, drop, interval) == lr0        # no drop before epoch = interval


def test_schedules_accept_python_ints_and_return_floats():
    for value in (optim.inverse_time_decay(1, 3, 0.5), optim.exponential_decay(1, 3, 0.5),
                  optim.step_decay(1, 30, 0.5, 10)):
        assert isinstance(value, float)


def test_ng_example_and_syllabus_table():
    np.testing.assert_allclose([optim.inverse_time_decay(0.2, e, 1.0) for e in (1, 2, 3, 4)],
                               [0.1, 0.2 / 3, 0.05, 0.04], rtol=1e-15)
    e = np.array([0, 8, 9, 10, 19, 49])
    np.testing.assert_allclose(optim.inverse_time_decay(1.0, e, 0.1), [1, 0.5556, 0.5263, 0.5, 0.3448, 0.1695],
                               atol=5e-5)
    np.testing.assert_allclose(optim.exponential_decay(1.0, e, 0.95), [1, 0.6634, 0.6302, 0.5987, 0.3774, 0.0810],
                               atol=5e-5)
    np.testing.assert_array_equal(optim.step_decay(1.0, e, 0.5, 10), [1, 1, 1, 0.5, 0.5, 0.0625])


def test_notes_step_formula_drops_one_epoch_early():
    notes = lambda e: 0.5 ** math.floor((1 + e) / 10)
    drops = [e for e in range(1, 40) if notes(e) < notes(e - 1)]
    assert drops == [9, 19, 29, 39]
    ref = _torch_rates(lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=10, gamma=0.5), 1.0, 40)
    assert [e for e in range(1, 40) if ref[e] < ref[e - 1]] == [10, 20, 30]
    assert notes(99) == 0.5 ** 10 and optim.step_decay(1.0, 99, 0.5, 10) == 0.5 ** 9


def test_half_life_and_gentleness_depend_on_k():
    assert math.log(0.5) / math.log(0.95) == pytest.approx(13.51, abs=0.01)
    assert optim.inverse_time_decay(1, 99, 0.1) > optim.exponential_decay(1, 99, 0.95)      # the notes' k
    assert optim.inverse_time_decay(1, 99, 1.0) < optim.exponential_decay(1, 99, 0.99)      # not in general


def test_reduce_on_plateau_defaults_are_the_chapters():
    params = inspect.signature(torch.optim.lr_scheduler.ReduceLROnPlateau).parameters
    assert params["factor"].default == 0.1 and params["patience"].default == 10


# ----------------------------------------------------------------------------- grader oracles

def test_iteration_oracle_repeats_each_epochs_rate():
    rates = u19._iteration_oracle(0.2, 1.0, 4, 3)
    np.testing.assert_allclose(rates, np.repeat([0.2, 0.1, 0.2 / 3, 0.05], 3), rtol=1e-15)
    assert rates.dtype == np.float64 and rates.shape == (12,)


@pytest.mark.parametrize("name, ours", [("inverse_time_decay", optim.inverse_time_decay),
                                        ("exponential_decay", optim.exponential_decay),
                                        ("step_decay", optim.step_decay)])
def test_grader_oracles_agree_with_dlbook(name, ours):
    ex = u19.EXERCISES[name]
    for case in ex.cases(0):
        assert ours(*case.args) == pytest.approx(ex.oracle(*case.args), rel=1e-12), case.label


def test_scheduler_stepped_first_skips_the_initial_rate():
    """The ordering pitfall: scheduler.step() before the epoch's updates is the epoch + 1 mistake."""
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=0.2)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda e: 1 / (1 + e))
    seen = []
    with pytest.warns(UserWarning):
        for _ in range(3):
            sched.step()
            seen.append(opt.param_groups[0]["lr"])
            opt.step()
    np.testing.assert_allclose(seen, u19._iteration_epoch_plus_1(0.2, 1.0, 3, 1))
