"""Unit 20: dlbook.tuning's samplers against closed forms, the syllabus's numbers, and the grader's oracles."""
import numpy as np
import pytest
import torch

from dlbook import tuning
from grader.units import u20_hyperparameter_tuning as u20


def test_log_uniform_gives_one_value_per_decade():
    u = np.array([0.0, 0.25, 0.5, 0.75])
    np.testing.assert_allclose(tuning.sample_log_uniform(u, 1e-4, 1.0), [1e-4, 1e-3, 1e-2, 1e-1], rtol=1e-12)
    np.testing.assert_allclose(u20._log_uniform_oracle(u, 1e-4, 1.0), [1e-4, 1e-3, 1e-2, 1e-1], rtol=1e-12)


def test_log_uniform_shares_per_decade():
    u = np.random.default_rng(0).random(200_000)
    _, shares = tuning.decade_shares(tuning.sample_log_uniform(u, 1e-4, 1.0), 1e-4, 1.0)
    np.testing.assert_allclose(shares, 0.25, atol=0.005)
    _, linear = tuning.decade_shares(tuning.sample_linear(u, 1e-4, 1.0), 1e-4, 1.0)
    assert linear[-1] == pytest.approx(0.90009, abs=0.005)        # the notes' "90% in [0.1, 1]"


def test_beta_samples_one_minus_beta_on_a_log_scale():
    np.testing.assert_allclose(tuning.sample_beta(np.array([0.0, 0.5]), 0.9, 0.999), [0.9, 0.99], rtol=1e-12)
    u = np.random.default_rng(1).random(200_000)
    assert np.mean(tuning.sample_beta(u, 0.9, 0.999) >= 0.99) == pytest.approx(0.5, abs=0.005)
    assert np.mean(tuning.sample_linear(u, 0.9, 0.999) >= 0.99) == pytest.approx(0.0909, abs=0.005)


def test_window_sensitivity_near_one():
    window = lambda b: 1 / (1 - b)
    assert window(0.9005) == pytest.approx(10.05, rel=1e-3)
    assert window(0.9995) == pytest.approx(2 * window(0.999))


@pytest.mark.parametrize("low, high", [(1e-4, 1.0), (1e-6, 1e-2), (0.5, 2.0)])
def test_samplers_agree_with_the_oracles(low, high):
    u = np.random.default_rng(2).random(50)
    np.testing.assert_allclose(tuning.sample_log_uniform(u, low, high), u20._log_uniform_oracle(u, low, high),
                               rtol=1e-12)
    np.testing.assert_allclose(tuning.sample_beta(u, 0.9, 0.9999), u20._beta_oracle(u, 0.9, 0.9999), rtol=1e-12)


def test_integers_are_equally_likely_and_reach_high():
    k = 51                                                          # 50 .. 100
    u = (np.arange(10 * k) + 0.5) / (10 * k)                        # an even sweep of [0, 1)
    values = tuning.sample_int(u, 50, 100)
    counts = np.bincount(values.astype(int) - 50)
    assert counts.size == k and np.all(counts == 10)
    np.testing.assert_array_equal(values, u20._int_oracle(u, 50, 100))


def test_hyperparameters_match_the_oracle_and_keep_torch_float32():
    u = np.random.default_rng(3).random((len(u20.SPACE), 9))
    ours = tuning.sample_hyperparameters(u, u20.SPACE)
    ref = u20._space_oracle(u, u20.SPACE)
    for name in ref:
        np.testing.assert_allclose(ours[name], ref[name], rtol=1e-12)
    t = tuning.sample_hyperparameters(torch.tensor(u, dtype=torch.float32), u20.SPACE)
    assert all(v.dtype == torch.float32 and v.shape == (9,) for v in t.values())


def test_grid_tries_fewer_values_than_random():
    grid = tuning.grid_points(5, (-4.0, 0.0), (0.0, 1.0))
    rand = tuning.random_points(np.random.default_rng(0).random((2, 25)), (-4.0, 0.0), (0.0, 1.0))
    assert grid.shape == rand.shape == (2, 25)
    assert tuning.distinct_values(grid) == 5 and tuning.distinct_values(rand) == 25
    assert 1 - 0.95 ** 25 == pytest.approx(0.7226, abs=1e-4)


def test_best_so_far_is_a_running_maximum():
    np.testing.assert_array_equal(tuning.best_so_far([0.2, 0.1, 0.5, 0.3]), [0.2, 0.2, 0.5, 0.5])
