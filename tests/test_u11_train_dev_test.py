"""Unit 11: dlbook.splits (sizes, seeded split, leakage-safe standardizer, time masks) and the
grader's oracles against the syllabus's hand-computed numbers and against each other."""
import math

import numpy as np
import pytest
import torch

from dlbook import splits
from dlbook.data import moons, random_walk
from grader.units import u11_train_dev_test as u11


# ----------------------------------------------------------------------------- sizes

@pytest.mark.parametrize("m, dev, test, sizes", [
    (1_000_000, 0.01, 0.01, (980_000, 10_000, 10_000)),
    (100, 0.2, 0.2, (60, 20, 20)),
    (1797, 0.01, 0.01, (1763, 17, 17)),
    (569, 0.01, 0.01, (559, 5, 5)),
    (7, 0.2, 0.1, (6, 1, 0)),
])
def test_split_sizes_reproduce_the_worked_examples(m, dev, test, sizes):
    assert splits.split_sizes(m, dev, test) == sizes
    assert u11._sizes_oracle(m, dev, test) == sizes


def test_size_oracle_agrees_with_floor_everywhere():
    rng = np.random.default_rng(0)
    for _ in range(500):
        m = int(rng.integers(0, 3000))
        dev, test = rng.uniform(0, 0.4, 2).round(3)
        assert u11._sizes_oracle(m, dev, test) == splits.split_sizes(m, dev, test)


@pytest.mark.parametrize("n, se", [(200_000, 0.00067), (10_000, 0.0030), (18, 0.0707), (6, 0.1225)])
def test_standard_error_table(n, se):
    assert splits.standard_error(0.9, n) == pytest.approx(se, rel=5e-3)


# ----------------------------------------------------------------------------- split

def test_split_partitions_columns_and_keeps_labels_with_examples():
    X, Y = moons(rng=0, m=300)
    ids = np.arange(300.0)[None, :]
    parts = splits.split(np.vstack([X, ids]), Y, 0.2, 0.1, np.random.default_rng(5))
    cols = np.concatenate([Xs[2] for Xs, _ in parts]).astype(int)
    assert sorted(cols) == list(range(300))
    assert [Xs.shape[1] for Xs, _ in parts] == [210, 60, 30]
    for Xs, Ys in parts:
        assert np.array_equal(Ys, Y[:, Xs[2].astype(int)])


def test_split_matches_the_graders_loop_oracle():
    rng = np.random.default_rng(3)
    X, Y = rng.normal(size=(4, 57)), rng.normal(size=(2, 57))
    (Xtr, Ytr), (Xdv, Ydv), (Xte, Yte) = splits.split(X, Y, 0.15, 0.2, np.random.default_rng(9))
    expected = u11._split_oracle(X, Y, 0.15, 0.2, np.random.default_rng(9))
    for got, exp in zip((Xtr, Ytr, Xdv, Ydv, Xte, Yte), expected):
        assert np.array_equal(got, exp)


def test_split_draws_exactly_one_permutation():
    rng = np.random.default_rng(1)
    splits.split(np.zeros((2, 40)), np.zeros((1, 40)), 0.2, 0.2, rng)
    reference = np.random.default_rng(1)
    reference.permutation(40)
    assert rng.random() == reference.random()           # the generators are in the same state


# ----------------------------------------------------------------------------- standardizer

def test_standardizer_matches_torch_and_guards_zero_sigma():
    rng = np.random.default_rng(2)
    X = np.vstack([rng.normal(3.0, 2.0, size=(2, 50)), np.full((1, 50), 5.0)])
    mu, sigma = splits.fit_standardizer(X)
    Xt = torch.from_numpy(X)
    assert np.allclose(mu, Xt.mean(dim=1, keepdim=True).numpy(), rtol=1e-12)
    assert np.allclose(sigma[:2], Xt.std(dim=1, keepdim=True, correction=0).numpy()[:2], rtol=1e-12)
    assert sigma[2, 0] == 1.0
    dev = np.array([[3.0], [3.0], [6.0]])
    assert splits.apply_standardizer(dev, mu, sigma)[2, 0] == 1.0          # not 1e8


def test_standardizer_runs_on_torch():
    X = torch.randn(3, 20, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    mu, sigma = splits.fit_standardizer(X)
    assert isinstance(mu, torch.Tensor) and mu.shape == (3, 1)
    Z = splits.apply_standardizer(X, mu, sigma)
    assert torch.allclose(Z.mean(dim=1), torch.zeros(3, dtype=torch.float64), atol=1e-12)


def test_grader_standardize_oracle_is_the_train_only_rule():
    rng = np.random.default_rng(4)
    tr, dv, te = rng.normal(size=(3, 10)), rng.normal(size=(3, 4)) + 2, rng.normal(size=(3, 5))
    mu, sigma = splits.fit_standardizer(tr)
    for got, X in zip(u11._std_oracle(tr, dv, te), (tr, dv, te)):
        assert np.allclose(got, (X - mu) / sigma, rtol=1e-12)


# ----------------------------------------------------------------------------- time

def test_chronological_masks_are_disjoint_ordered_and_cover():
    t = np.random.default_rng(0).permutation(100)
    tr, dv, te = splits.chronological_masks(t, 60, 80)
    assert (tr.astype(int) + dv + te == 1).all()
    assert t[tr].max() < t[dv].min() <= t[dv].max() < t[te].min()
    for got, exp in zip((tr, dv, te), u11._chrono_oracle(t, 60, 80)):
        assert np.array_equal(got, exp)


def test_shuffled_split_of_a_random_walk_is_optimistic():
    price = random_walk(rng=2, n=600)
    days = np.arange(600)

    def nearest(train_days, dev_days):
        i = np.abs(dev_days[:, None] - train_days[None, :]).argmin(axis=1)
        return np.mean((price[train_days[i]] - price[dev_days]) ** 2)

    perm = np.random.default_rng(0).permutation(600)
    tr, dv, _ = splits.chronological_masks(days, 360, 480)
    assert nearest(days[tr], days[dv]) > 40 * nearest(np.sort(perm[240:]), perm[:120])


def test_the_winner_of_fifty_equal_models_looks_better_than_it_is():
    rng = np.random.default_rng(0)
    best = (rng.binomial(500, 0.10, size=(4000, 50)) / 500).min(axis=1).mean()
    assert 0.065 < best < 0.08
