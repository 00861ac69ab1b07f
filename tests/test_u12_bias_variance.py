"""Unit 12: dlbook.diagnosis (the rule, polynomial fits, the decomposition) against the
syllabus's table, numpy.polyfit and torch, and the grader's oracles against dlbook."""
import numpy as np
import pytest
import torch

from dlbook import diagnosis
from dlbook.data import noisy_wave, wave
from grader.units import u12_bias_variance as u12

TABLE = [  # train, dev, Bayes -> label (syllabus §12.3)
    ((0.01, 0.11, 0.0), "high variance"),
    ((0.15, 0.16, 0.0), "high bias"),
    ((0.15, 0.30, 0.0), "high bias & high variance"),
    ((0.005, 0.01, 0.0), "good fit"),
    ((0.15, 0.16, 0.15), "good fit"),
    ((1 - 0.99, 1 - 0.89, 1 - 0.99), "high variance"),
]


@pytest.mark.parametrize("args, label", TABLE)
def test_diagnose_reproduces_the_table(args, label):
    d = diagnosis.diagnose(*args)
    assert d["label"] == label
    assert d == u12._diagnose_oracle(*args)


def test_listing_demo_gaps():
    d = diagnosis.diagnose(1 - 0.99, 1 - 0.89, 1 - 0.99)
    assert d["avoidable_bias"] == 0.0 and d["variance"] == pytest.approx(0.10)


def test_diagnose_agrees_with_the_exact_oracle_on_a_grid_of_percentages():
    values = [k / 200 for k in range(0, 41)]              # 0%, 0.5%, ..., 20%
    for bayes in (0.0, 0.01, 0.05):
        for train in values:
            for dev in values[::4]:
                assert diagnosis.diagnose(train, dev, bayes) == u12._diagnose_oracle(train, dev, bayes)


def test_boundaries_do_not_flip():
    assert not diagnosis.diagnose(0.03, 0.05, 0.01)["high_bias"]      # 0.019999999999999997
    assert not diagnosis.diagnose(0.03, 0.05, 0.01)["high_variance"]  # 0.020000000000000004
    assert diagnosis.diagnose(0.0301, 0.05, 0.01)["high_bias"]


def test_label_agrees_with_the_booleans():
    rng = np.random.default_rng(0)
    for train, dev, bayes in rng.uniform(0, 0.3, size=(200, 3)):
        d = diagnosis.diagnose(train, dev, bayes)
        assert d["label"] == diagnosis.LABELS[d["high_bias"], d["high_variance"]]


def test_poly_features_and_fit_match_polyfit_and_torch():
    X, Y = noisy_wave(rng=1, m=40)
    Phi = diagnosis.poly_features(X, 6)
    assert Phi.shape == (7, 40) and np.array_equal(Phi[0], np.ones(40))
    assert np.allclose(Phi, np.vander(X[0], 7, increasing=True).T)
    w = diagnosis.fit_poly(X, Y, 6)
    assert np.allclose(w[::-1, 0], np.polyfit(X[0], Y[0], 6))
    train, dev = u12._fit_oracle(6, X, Y, X, Y)
    assert diagnosis.mse(diagnosis.predict_poly(w, X), Y) == pytest.approx(train, rel=1e-9)
    Xt = torch.from_numpy(X)
    assert torch.allclose(diagnosis.poly_features(Xt, 6), torch.from_numpy(Phi))


def test_train_error_does_not_increase_with_degree():
    X, Y = noisy_wave(rng=2, m=30)
    Xd, Yd = noisy_wave(rng=3, m=100)
    errors = [u12._fit_oracle(d, X, Y, Xd, Yd)[0] for d in range(0, 12)]
    assert all(b <= a + 1e-12 for a, b in zip(errors, errors[1:]))


def test_decomposition_adds_up_and_matches_torch():
    rng = np.random.default_rng(5)
    preds = rng.normal(size=(30, 17)) + np.linspace(0, 1, 17)
    f = np.linspace(0, 1.2, 17)[None, :]
    bias2, var = diagnosis.bias_variance(preds, f)
    assert bias2 + var == pytest.approx(np.mean((preds - f) ** 2), rel=1e-12)
    assert (bias2, var) == pytest.approx(u12._bv_oracle(preds, f), rel=1e-12)


def test_capacity_sweep_shows_both_failure_modes():
    """Degree 1 underfits the wave at any size; degree 15 on 20 points overfits."""
    Xd, Yd = noisy_wave(rng=10, m=2000, noise=0.2)
    X, Y = noisy_wave(rng=11, m=320, noise=0.2)
    tr, dv = u12._fit_oracle(1, X, Y, Xd, Yd)
    assert diagnosis.diagnose(tr, dv, 0.04)["high_bias"] and tr - 0.04 > 0.3
    X, Y = noisy_wave(rng=12, m=20, noise=0.2)
    tr, dv = u12._fit_oracle(15, X, Y, Xd, Yd)
    assert diagnosis.diagnose(tr, dv, 0.04)["high_variance"]
    X, Y = noisy_wave(rng=13, m=320, noise=0.2)
    tr, dv = u12._fit_oracle(5, X, Y, Xd, Yd)
    assert diagnosis.diagnose(tr, dv, 0.04)["label"] == "good fit"


def test_wave_data_is_seeded_columns():
    X, Y = noisy_wave(rng=4, m=25, noise=0.0)
    assert X.shape == Y.shape == (1, 25) and np.allclose(Y, wave(X))
    assert np.array_equal(noisy_wave(rng=4, m=25)[0], noisy_wave(rng=np.random.default_rng(4), m=25)[0])
