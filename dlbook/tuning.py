"""Hyperparameter search (unit 20): sampling on the right scale, grid against random search.

Randomness comes in as uniform draws u in [0, 1) (e.g. ``rng.random(n)``), so every sampler
is a plain function of its draws: the same u gives the same hyperparameters, in the chapter,
the exercises and the tests. Each sampler maps u = 0 to its first bound and u -> 1 to its
second, and keeps the shape and dtype of u (NumPy or PyTorch).

    alphas = sample_log_uniform(rng.random(25), 1e-4, 1.0)     # 25 learning rates, 10^-4 .. 1
    betas = sample_beta(rng.random(25), 0.9, 0.999)            # 1 - beta log-uniform
"""
import math

import numpy as np
from array_api_compat import array_namespace


# ----------------------------------------------------------------------------- samplers

def sample_linear(u, low, high):
    """Uniform on [low, high): low + u (high - low). For n[l] in [50, 100], dropout rates, ..."""
    return low + (high - low) * u


def sample_log_uniform(u, low, high):
    """Log-uniform on [low, high): 10**r with r uniform between log10(low) and log10(high).

    Every decade gets the same share of the samples. low, high > 0 (Python floats).
    """
    a, b = math.log10(low), math.log10(high)
    return 10.0 ** (a + (b - a) * u)               # the shape and dtype of u


def sample_beta(u, beta_min, beta_max):
    """beta in [beta_min, beta_max) with 1 - beta log-uniform: fine steps close to 1.

    u = 0 gives beta_min; 1 - beta runs from 1 - beta_min down to 1 - beta_max on a log scale.
    """
    return 1.0 - sample_log_uniform(u, 1.0 - beta_min, 1.0 - beta_max)


def sample_int(u, low, high):
    """Integers low .. high, inclusive, each equally likely: floor(low + u (high - low + 1)).

    Returns whole numbers in u's dtype (convert with astype where an index is needed).
    """
    xp = array_namespace(u)
    return xp.floor(low + (high - low + 1) * u)


SAMPLERS = {"linear": sample_linear, "log": sample_log_uniform, "beta": sample_beta, "int": sample_int}


def sample_hyperparameters(u, space):
    """n random configurations of a search space, one row of draws per hyperparameter.

    space: {name: (scale, low, high)} with scale "linear" | "log" | "beta" | "int", e.g.
    {"alpha": ("log", 1e-4, 1.0), "beta": ("beta", 0.9, 0.999), "n_h": ("int", 50, 100)}.
    u: (len(space), n) uniform draws; row j is used for the j-th entry of space, in order.
    Returns {name: (n,) array}: configuration i is {name: values[name][i]}.
    """
    return {name: SAMPLERS[scale](u[j], low, high) for j, (name, (scale, low, high)) in enumerate(space.items())}


# ----------------------------------------------------------------------------- grid against random

def grid_points(k, low, high):
    """k x k points of a grid over the unit-free box [low0, high0] x [low1, high1], as (2, k*k).

    low, high: pairs. The k values per axis include both ends (np.linspace), as a grid search
    over "k values of each hyperparameter" usually does.
    """
    axes = [np.linspace(lo, hi, k) for lo, hi in zip(low, high)]
    g0, g1 = np.meshgrid(*axes, indexing="ij")
    return np.stack([g0.ravel(), g1.ravel()])            # (2, k*k)


def random_points(u, low, high):
    """Random points in the box from draws u of shape (2, n): row j maps to axis j. (2, n)."""
    low, high = np.asarray(low, dtype=float)[:, None], np.asarray(high, dtype=float)[:, None]
    return low + (high - low) * u


def distinct_values(points, axis=0):
    """How many different values the points (2, n) try along one axis."""
    return int(np.unique(points[axis]).size)


def best_so_far(scores):
    """The running maximum of a sequence of scores: what a search has found after each trial."""
    return np.maximum.accumulate(np.asarray(scores, dtype=float))


def decade_shares(x, low, high):
    """The fraction of the samples x in each decade [10^k, 10^(k+1)) between low and high.

    low and high are powers of ten. Returns (edges, shares), with shares of shape (n_decades,).
    """
    a, b = round(math.log10(low)), round(math.log10(high))
    edges = 10.0 ** np.arange(a, b + 1)
    counts, _ = np.histogram(np.asarray(x), bins=edges)
    return edges, counts / max(np.asarray(x).size, 1)
