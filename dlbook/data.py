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


SHAPES = ("circle", "square", "right", "left")


def synthetic_shapes(rng=0, m=100, size=16):
    """Small colour images of four shapes, for augmentation (unit 15) and the CNN units.

    Classes: 0 circle, 1 square, 2 triangle pointing right, 3 triangle pointing left (SHAPES).
    A horizontal flip keeps classes 0 and 1 and swaps 2 with 3: not every augmentation
    preserves every label.
    Returns X (m, size, size, 3) floats in [0, 1], images first (batch-first, like the CNN
    units' (m, n_H, n_W, n_C)), and y (m,) ints.
    Draw order: y = rng.integers(0, 4, m); centres rng.uniform(0.38, 0.62, (m, 2)) as (x, y);
    radii rng.uniform(0.2, 0.32, m); colours rng.uniform(0.0, 0.75, (m, 3));
    background grey levels rng.uniform(0.8, 1.0, m).
    """
    rng = _rng(rng)
    y = rng.integers(0, 4, m)
    centre = rng.uniform(0.38, 0.62, (m, 2))
    radius = rng.uniform(0.2, 0.32, m)
    colour = rng.uniform(0.0, 0.75, (m, 3))
    grey = rng.uniform(0.8, 1.0, m)
    s = 2 * size                                            # render at 2x, then average 2x2 blocks
    t = (np.arange(s) + 0.5) / s                            # pixel centres in (0, 1)
    u = t[None, None, :] - centre[:, 0, None, None]          # (m, 1, s): x from the centre
    v = t[None, :, None] - centre[:, 1, None, None]          # (m, s, 1): y from the centre (row 0 on top)
    r = radius[:, None, None]
    point = np.where(y == 2, 1.0, -1.0)[:, None, None]       # +1: apex on the right, -1: on the left
    inside = np.select(
        [(y == 0)[:, None, None], (y == 1)[:, None, None]],
        [u ** 2 + v ** 2 <= r ** 2,
         (np.abs(u) <= 0.8 * r) & (np.abs(v) <= 0.8 * r)],
        (np.abs(point * u) <= r) & (np.abs(v) <= (r - point * u) / 2))                 # (m, s, s)
    cover = inside.reshape(m, size, 2, size, 2).mean(axis=(2, 4))[..., None]          # (m, size, size, 1)
    X = cover * colour[:, None, None, :] + (1 - cover) * grey[:, None, None, None]    # (m, size, size, 3)
    return X, y


def multiclass_blobs(rng=0, m=300, C=3, radius=2.0, scale=0.8):
    """C Gaussian blobs whose centres sit evenly on a circle (unit 21b's softmax classifier).

    Returns X (2, m) and y (m,) integer labels in 0 .. C-1 (example i has class i % C, so
    every class gets m // C or m // C + 1 examples). One-hot them with
    dlbook.multiclass.one_hot(y, C) to get Y (C, m).
    """
    rng = _rng(rng)
    y = np.arange(m) % C
    angle = 2 * np.pi * np.arange(C) / C + np.pi / 2
    centres = radius * np.stack([np.cos(angle), np.sin(angle)])      # (2, C)
    return centres[:, y] + scale * rng.standard_normal((2, m)), y


def spiral(rng=0, m=300, C=3, turns=0.75, noise=0.2):
    """C interleaved spiral arms, one per class: no straight line separates them (unit 21b).

    Arm k starts at the origin and winds `turns` of a circle outwards, rotated by 2πk/C;
    the angle is jittered by noise·N(0, 1). Returns X (2, m) and y (m,) integer labels.
    """
    rng = _rng(rng)
    y = np.arange(m) % C
    r = rng.uniform(0.05, 1.0, size=m)                                 # distance from the centre
    t = 2 * np.pi * (turns * r + y / C) + noise * rng.standard_normal(m)
    return np.stack([r * np.cos(t), r * np.sin(t)]), y
