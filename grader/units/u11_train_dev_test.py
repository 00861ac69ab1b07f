"""Unit 11 · Train / dev / test sets.

Exercises: split_sizes, split_data, standardize_splits, chronological_split.
Oracles: plain integer arithmetic; an index loop over an independently drawn permutation;
torch.mean / torch.std(correction=0) on the training set; a loop over the timestamps.
Layout: examples are columns, X (n_x, m), Y (1, m); a split selects columns.
"""
import math

import numpy as np
import torch

from grader.core import Case, Exercise


# ----------------------------------------------------------------------------- split_sizes

def _sizes_cases(rng):
    return [
        Case((1_000_000, 0.01, 0.01), "a million examples, 98/1/1: 10,000 each for dev and test"),
        Case((100, 0.2, 0.2), "100 examples, 60/20/20"),
        Case((7, 0.2, 0.1), "7 examples: 1.4 and 0.7 round down to 1 and 0"),
        Case((1797, 0.01, 0.01), "the digits data set (1,797 images) at 98/1/1: 17.97 rounds down"),
        Case((10, 0.15, 0.25), "10 examples: 1.5 and 2.5 round down to 1 and 2"),
        Case((int(rng.integers(200, 5000)), 0.3, 0.0), "70/30 with no test set"),
    ]


def _sizes_oracle(m, dev_frac, test_frac):
    n_dev = 0
    while n_dev + 1 <= dev_frac * m:           # the largest count that does not exceed the fraction
        n_dev += 1
    n_test = 0
    while n_test + 1 <= test_frac * m:
        n_test += 1
    return m - n_dev - n_test, n_dev, n_test


def _sizes_round(m, dev_frac, test_frac):
    n_dev, n_test = round(dev_frac * m), round(test_frac * m)
    return m - n_dev - n_test, n_dev, n_test


def _sizes_ceil(m, dev_frac, test_frac):
    n_dev, n_test = math.ceil(dev_frac * m), math.ceil(test_frac * m)
    return m - n_dev - n_test, n_dev, n_test


def _sizes_train_floor(m, dev_frac, test_frac):
    n_dev, n_test = math.floor(dev_frac * m), math.floor(test_frac * m)
    return math.floor((1 - dev_frac - test_frac) * m), n_dev, n_test


def _sizes_order(m, dev_frac, test_frac):
    n_dev, n_test = math.floor(dev_frac * m), math.floor(test_frac * m)
    return n_dev, n_test, m - n_dev - n_test


SPLIT_SIZES = Exercise(
    name="split_sizes",
    draw=_sizes_cases,
    oracle=_sizes_oracle,
    backends=("python",),
    wrong=[
        (_sizes_order, "return the sizes in the order (n_train, n_dev, n_test)"),
        (_sizes_train_floor, "the training set takes the rest: n_train = m − n_dev − n_test, so the three "
                             "sizes add up to m (flooring (1 − dev − test)·m loses examples)"),
        (_sizes_round, "round *down*: n_dev = floor(dev_frac · m) (math.floor or int), not round(); "
                       "the dev and test sets must never be larger than asked"),
        (_sizes_ceil, "round *down*: n_dev = floor(dev_frac · m), not ceil() (scikit-learn's "
                      "train_test_split rounds the test size up; this book's rule rounds down)"),
    ],
    arg_names=("m", "dev_frac", "test_frac"),
    returns=("n_train", "n_dev", "n_test"),
)


# ----------------------------------------------------------------------------- split_data

def _gen(rng):
    return np.random.default_rng(int(rng.integers(1 << 31)))


def _split_cases(rng):
    X10 = np.arange(30.0).reshape(3, 10)                 # column j is (j, 10 + j, 20 + j)
    Y10 = (np.arange(10) % 2).astype(float)[None, :]
    X40, Y40 = rng.normal(size=(2, 40)), (rng.random((1, 40)) < 0.5).astype(float)
    return [
        Case((X10, Y10, 0.2, 0.2, _gen(rng)), "X (3, 10), 60/20/20: column j of X is (j, 10 + j, 20 + j)"),
        Case((X40, Y40, 0.15, 0.1, _gen(rng)), "X (2, 40), dev 15%, test 10%: 6 and 4 columns"),
        Case((rng.normal(size=(4, 7)), rng.normal(size=(1, 7)), 0.2, 0.1, _gen(rng)),
             "7 examples: the test set is empty, shape (n_x, 0)"),
        Case((rng.normal(size=(12, 8)), np.arange(8.0)[None, :], 0.25, 0.25, _gen(rng)),
             "more features than examples: X (12, 8)"),
        Case((rng.normal(size=(5, 1000)), rng.normal(size=(2, 1000)), 0.01, 0.01, _gen(rng)),
             "m = 1000 at 98/1/1, two targets per example: Y (2, 1000)"),
        Case((rng.normal(size=(3, 25)).astype(np.float32), np.ones((1, 25), dtype=np.float32), 0.2, 0.2,
              _gen(rng)), "float32 data stays float32", dtype=np.float32),
    ]


def _split_oracle(X, Y, dev_frac, test_frac, rng):
    m = X.shape[1]
    _, n_dev, n_test = _sizes_oracle(m, dev_frac, test_frac)
    perm = rng.permutation(m)
    groups = {"dev": [], "test": [], "train": []}
    for position, column in enumerate(perm):             # walk the shuffled order once
        name = "dev" if position < n_dev else "test" if position < n_dev + n_test else "train"
        groups[name].append(column)
    out = []
    for name in ("train", "dev", "test"):
        cols = groups[name]
        Xs = np.empty((X.shape[0], len(cols)), dtype=X.dtype)
        Ys = np.empty((Y.shape[0], len(cols)), dtype=Y.dtype)
        for k, column in enumerate(cols):
            Xs[:, k] = X[:, column]
            Ys[:, k] = Y[:, column]
        out += [Xs, Ys]
    return tuple(out)


def _split_with(X, Y, dev_frac, test_frac, perm_x, perm_y, n_dev, n_test):
    cut = lambda p: (p[:n_dev], p[n_dev:n_dev + n_test], p[n_dev + n_test:])
    dx, tx, rx = cut(perm_x)
    dy, ty, ry = cut(perm_y)
    return X[:, rx], Y[:, ry], X[:, dx], Y[:, dy], X[:, tx], Y[:, ty]


def _floor_sizes(m, dev_frac, test_frac):
    return math.floor(dev_frac * m), math.floor(test_frac * m)


def _split_no_shuffle(X, Y, dev_frac, test_frac, rng):
    m = X.shape[1]
    order = np.arange(m)
    return _split_with(X, Y, dev_frac, test_frac, order, order, *_floor_sizes(m, dev_frac, test_frac))


def _split_two_perms(X, Y, dev_frac, test_frac, rng):
    m = X.shape[1]
    perm_x, perm_y = rng.permutation(m), rng.permutation(m)
    return _split_with(X, Y, dev_frac, test_frac, perm_x, perm_y, *_floor_sizes(m, dev_frac, test_frac))


def _split_len(X, Y, dev_frac, test_frac, rng):
    m = len(X)                                           # the number of rows: n_x, not m
    perm = rng.permutation(m)
    return _split_with(X, Y, dev_frac, test_frac, perm, perm, *_floor_sizes(m, dev_frac, test_frac))


def _split_train_first(X, Y, dev_frac, test_frac, rng):
    m = X.shape[1]
    n_dev, n_test = _floor_sizes(m, dev_frac, test_frac)
    perm = rng.permutation(m)
    n_train = m - n_dev - n_test
    tr, dv, te = perm[:n_train], perm[n_train:n_train + n_dev], perm[n_train + n_dev:]
    return X[:, tr], Y[:, tr], X[:, dv], Y[:, dv], X[:, te], Y[:, te]


def _split_round(X, Y, dev_frac, test_frac, rng):
    m = X.shape[1]
    perm = rng.permutation(m)
    return _split_with(X, Y, dev_frac, test_frac, perm, perm, round(dev_frac * m), round(test_frac * m))


SPLIT_DATA = Exercise(
    name="split_data",
    draw=_split_cases,
    oracle=_split_oracle,
    backends=("numpy",),
    wrong=[
        (_split_len, "m is the number of *columns*, X.shape[1]: examples are columns in this book, "
                     "and len(X) or X.shape[0] counts the features (rows)"),
        (_split_no_shuffle, "shuffle before you cut: perm = rng.permutation(m), then take columns "
                            "X[:, perm[...]]; cutting the data in its stored order puts whatever "
                            "order it was collected in into the split"),
        (_split_two_perms, "draw ONE permutation and use it for both X and Y: with two permutations "
                           "the labels no longer belong to their examples"),
        (_split_train_first, "the docstring fixes the order: the first n_dev shuffled columns are dev, "
                             "the next n_test are test, and the rest is train"),
        (_split_round, "sizes: n_dev = floor(dev_frac · m) and n_test = floor(test_frac · m) "
                       "(use your split_sizes), not round()"),
    ],
    arg_names=("X", "Y", "dev_frac", "test_frac", "rng"),
    returns=("X_train", "Y_train", "X_dev", "Y_dev", "X_test", "Y_test"),
)


# ----------------------------------------------------------------------------- standardize_splits

def _std_cases(rng):
    n = 3
    shifted = rng.normal(size=(n, 5)) + np.array([[3.0], [0.0], [-2.0]])
    const_tr = np.vstack([rng.normal(size=(1, 6)), np.full((1, 6), 5.0)])
    const_dev = np.vstack([rng.normal(size=(1, 3)), np.array([[6.0, 5.0, 4.0]])])
    return [
        Case((rng.normal(2.0, 3.0, size=(n, 20)), rng.normal(2.0, 3.0, size=(n, 5)),
              rng.normal(2.0, 3.0, size=(n, 6))), "train (3, 20), dev (3, 5), test (3, 6)"),
        Case((rng.normal(size=(n, 30)) * np.array([[1.0], [100.0], [0.01]]), shifted,
              rng.normal(size=(n, 4))), "features on very different scales; a dev set that has shifted"),
        Case((const_tr, const_dev, np.array([[0.5, -0.5], [5.0, 7.0]])),
             "feature 2 is 5 on every training example: its σ is 0"),
        Case((rng.normal(size=(4, 1)), rng.normal(size=(4, 3)), rng.normal(size=(4, 2))),
             "one training example: every σ is 0"),
        Case(tuple(a.astype(np.float32) for a in (rng.normal(size=(2, 9)), rng.normal(size=(2, 4)),
                                                  rng.normal(size=(2, 3)))),
             "float32 inputs", dtype=np.float32),
    ]


def _std_oracle(X_train, X_dev, X_test):
    tr = torch.from_numpy(X_train)
    mu = tr.mean(dim=1, keepdim=True)
    sigma = tr.std(dim=1, keepdim=True, correction=0)
    sigma = torch.where(sigma == 0, torch.ones_like(sigma), sigma)
    return tuple(((torch.from_numpy(X) - mu) / sigma).numpy() for X in (X_train, X_dev, X_test))


def _np_stats(X, ddof=0):
    return X.mean(axis=1, keepdims=True), X.std(axis=1, keepdims=True, ddof=ddof)


def _guard(sigma):
    return np.where(sigma == 0, 1.0, sigma)


def _std_all_data(X_train, X_dev, X_test):
    mu, sigma = _np_stats(np.concatenate([X_train, X_dev, X_test], axis=1))
    return tuple((X - mu) / _guard(sigma) for X in (X_train, X_dev, X_test))


def _std_each_own(X_train, X_dev, X_test):
    out = []
    for X in (X_train, X_dev, X_test):
        mu, sigma = _np_stats(X)
        out.append((X - mu) / _guard(sigma))
    return tuple(out)


def _std_ddof1(X_train, X_dev, X_test):
    if X_train.shape[1] < 2:
        return _std_oracle(X_train, X_dev, X_test)          # ddof=1 is undefined for one example
    mu, sigma = _np_stats(X_train, ddof=1)
    return tuple((X - mu) / _guard(sigma) for X in (X_train, X_dev, X_test))


def _std_eps(X_train, X_dev, X_test):
    mu, sigma = _np_stats(X_train)
    return tuple((X - mu) / (sigma + 1e-8) for X in (X_train, X_dev, X_test))


def _std_no_guard(X_train, X_dev, X_test):
    mu, sigma = _np_stats(X_train)
    with np.errstate(divide="ignore", invalid="ignore"):
        return tuple((X - mu) / sigma for X in (X_train, X_dev, X_test))


STANDARDIZE_SPLITS = Exercise(
    name="standardize_splits",
    draw=_std_cases,
    oracle=_std_oracle,
    forbidden=("sklearn.preprocessing.StandardScaler",),
    wrong=[
        (_std_all_data, "leakage: μ and σ must come from X_train only; statistics of all the data "
                        "let the dev and test sets influence the model"),
        (_std_each_own, "transform the dev and test sets with the *training* μ and σ; standardizing "
                        "each set by its own statistics hides a shift between them"),
        (_std_eps, "a constant feature has σ = 0: replace that σ by 1 instead of adding ε "
                   "(with σ + 1e-8 a dev value of 6 where training had 5 becomes 10⁸)"),
        (_std_no_guard, "a feature that is constant on the training set has σ = 0: set that σ to 1 "
                        "(xp.where(sigma == 0, 1, sigma)) to avoid 0/0 and x/0"),
        (_std_ddof1, "σ is the population standard deviation: divide by m_train (np.std's default, "
                     "torch.std(..., correction=0)), not by m_train − 1"),
    ],
    arg_names=("X_train", "X_dev", "X_test"),
    returns=("X_train", "X_dev", "X_test"),
)


# ----------------------------------------------------------------------------- chronological_split

def _chrono_cases(rng):
    days = np.arange(334)                                     # day 0 = 1 January, .., 333 = 30 November
    return [
        Case((days, 273, 304), "days 0-333 of a year: train to 30 September, dev October, test November"),
        Case((np.array([5, 1, 9, 3, 7, 3, 10, 2]), 3, 7), "unsorted times, ties on both boundaries"),
        Case((np.sort(rng.uniform(0.0, 100.0, 50)), 60.0, 80.0), "50 float timestamps"),
        Case((np.array([1.0, 2.0, 3.0]), 10.0, 20.0), "everything before dev_start: dev and test are empty"),
    ]


def _chrono_oracle(t, dev_start, test_start):
    masks = [np.zeros(len(t), dtype=bool) for _ in range(3)]
    for i, time in enumerate(t.tolist()):
        k = 0 if time < dev_start else 1 if time < test_start else 2
        masks[k][i] = True
    return tuple(masks)


def _chrono_inclusive(t, dev_start, test_start):
    return t <= dev_start, (t > dev_start) & (t <= test_start), t > test_start


def _chrono_overlap(t, dev_start, test_start):
    return t < test_start, (t >= dev_start) & (t < test_start), t >= test_start


def _chrono_positions(t, dev_start, test_start):
    order = np.argsort(np.argsort(t, kind="stable"), kind="stable")   # rank of each time
    return order < dev_start, (order >= dev_start) & (order < test_start), order >= test_start


def _chrono_sorted(t, dev_start, test_start):
    s = np.sort(t)
    return s < dev_start, (s >= dev_start) & (s < test_start), s >= test_start


CHRONOLOGICAL_SPLIT = Exercise(
    name="chronological_split",
    draw=_chrono_cases,
    oracle=_chrono_oracle,
    wrong=[
        (_chrono_overlap, "the sets must not overlap: train is t < dev_start only (dev examples "
                          "must not also be in the training set)"),
        (_chrono_inclusive, "a time equal to dev_start belongs to dev, and one equal to test_start "
                            "to test: train is t < dev_start, dev is dev_start ≤ t < test_start"),
        (_chrono_sorted, "return masks in the order of the given t, one entry per example; do not "
                         "sort the times first"),
        (_chrono_positions, "dev_start and test_start are times, not positions: compare t itself "
                            "with them"),
    ],
    arg_names=("t", "dev_start", "test_start"),
    returns=("train_mask", "dev_mask", "test_mask"),
)

EXERCISES = {e.name: e for e in (SPLIT_SIZES, SPLIT_DATA, STANDARDIZE_SPLITS, CHRONOLOGICAL_SPLIT)}
