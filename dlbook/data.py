"""Seeded data sets generated on the spot: no downloads, ever.

Every generator takes a `numpy.random.Generator` (or a seed) and returns examples as
*columns*, the book's layout: X has shape (n_x, m) and Y has shape (1, m).
"""
import numpy as np


def _rng(rng):
    return rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)


def study_sleep(rng=0, m=200):
    """Unit 01's toy problem: hours of study and of sleep -> pass (1) or fail (0).

    Two Gaussian clouds; the passing students study and sleep a little more.
    Returns X (2, m) in hours and Y (1, m) in {0., 1.}.
    """
    rng = _rng(rng)
    y = (rng.random(m) < 0.5).astype(float)
    centre = np.where(y == 1, [[5.0], [7.5]], [[2.5], [5.5]])     # (2, m)
    X = centre + rng.normal(scale=[[1.2], [1.0]], size=(2, m))
    return X, y[None, :]


def blobs(rng=0, m=200, centers=((-1.0, -1.0), (1.0, 1.0)), scale=0.6):
    """Two Gaussian blobs, one per class. Returns X (2, m), Y (1, m)."""
    rng = _rng(rng)
    y = (np.arange(m) % 2).astype(float)
    c = np.asarray(centers, dtype=float).T[:, y.astype(int)]       # (2, m)
    return c + scale * rng.standard_normal((2, m)), y[None, :]


def planar_flower(rng=0, m=400, petals=4, noise=0.2):
    """The "flower": two classes in interleaved petals, not linearly separable.

    Returns X (2, m) and Y (1, m). Half the points are in each class.
    """
    rng = _rng(rng)
    n = m // 2
    X = np.zeros((2, m))
    Y = np.zeros((1, m))
    for j in range(2):
        i = slice(n * j, n * (j + 1))
        t = np.linspace(j * 3.12, (j + 1) * 3.12, n) + rng.standard_normal(n) * noise
        r = petals * np.sin(4 * t) + rng.standard_normal(n) * noise
        X[:, i] = np.stack([r * np.sin(t), r * np.cos(t)])
        Y[0, i] = j
    return X, Y


def moons(rng=0, m=200, noise=0.15):
    """Two interleaved half circles. Returns X (2, m), Y (1, m)."""
    rng = _rng(rng)
    n0 = m // 2
    t0 = np.linspace(0, np.pi, n0)
    t1 = np.linspace(0, np.pi, m - n0)
    X = np.concatenate([np.stack([np.cos(t0), np.sin(t0)]),
                        np.stack([1 - np.cos(t1), 0.5 - np.sin(t1)])], axis=1)
    X = X + noise * rng.standard_normal(X.shape)
    Y = np.concatenate([np.zeros(n0), np.ones(m - n0)])[None, :]
    return X, Y


def noisy_series(rng=0, n=200, period=120.0, amplitude=10.0, noise=3.0, offset=15.0):
    """A daily-temperature-like series: a slow sine plus Gaussian noise. Returns (n,) floats."""
    rng = _rng(rng)
    t = np.arange(n)
    return offset + amplitude * np.sin(2 * np.pi * t / period) + noise * rng.standard_normal(n)


def wave(X):
    """The noise-free target of noisy_wave: f(x) = sin(4x + 1), elementwise."""
    return np.sin(4.0 * X + 1.0)


def noisy_wave(rng=0, m=20, noise=0.2):
    """Regression data with a capacity dial (unit 12): x ~ U[-1, 1], y = wave(x) + noise·N(0, 1).

    Returns X (1, m) and Y (1, m). noise² is the Bayes (irreducible) mean squared error. The
    wave needs a polynomial of degree 4 or more to fit well, so degree is a capacity dial.
    """
    rng = _rng(rng)
    X = rng.uniform(-1.0, 1.0, size=(1, m))
    return X, wave(X) + noise * rng.standard_normal((1, m))


def random_walk(rng=0, n=500, scale=1.0, start=100.0):
    """A price-like series: start plus the running sum of n Gaussian steps. Returns (n,)."""
    rng = _rng(rng)
    return start + np.cumsum(scale * rng.standard_normal(n))
