"""Train / dev / test splits and leakage-safe preprocessing (unit 11).

Layout: examples are columns, X (n_x, m) and Y (1, m); a split selects columns. Randomness
comes in as a NumPy Generator and is drawn once, as `rng.permutation(m)`. Statistics for
preprocessing are fitted on the training set only and then applied to every set.
"""
import math

from array_api_compat import array_namespace


def split_sizes(m, dev_frac, test_frac):
    """(n_train, n_dev, n_test) for m examples.

    n_dev = floor(dev_frac * m) and n_test = floor(test_frac * m), so the dev and test sets
    are never larger than asked; the training set takes the rest.
    """
    n_dev, n_test = math.floor(dev_frac * m), math.floor(test_frac * m)
    return m - n_dev - n_test, n_dev, n_test


def split(X, Y, dev_frac, test_frac, rng):
    """Shuffle the columns of X (n_x, m) and Y (k, m) with one permutation and cut them.

    perm = rng.permutation(m) is the only draw. The first n_dev shuffled columns form the dev
    set, the next n_test the test set, the rest the training set (sizes from split_sizes).
    Returns ((X_train, Y_train), (X_dev, Y_dev), (X_test, Y_test)).
    """
    m = X.shape[1]
    _, n_dev, n_test = split_sizes(m, dev_frac, test_frac)
    perm = rng.permutation(m)                              # one draw, shared by X and Y
    parts = perm[:n_dev], perm[n_dev:n_dev + n_test], perm[n_dev + n_test:]
    dev, test, train = ((X[:, idx], Y[:, idx]) for idx in parts)
    return train, dev, test


def standard_error(p, n):
    """Standard error of an accuracy (or error rate) p measured on n independent examples."""
    return math.sqrt(p * (1 - p) / n)


def fit_standardizer(X_train):
    """Per-feature mean and standard deviation of the training set X_train (n_x, m_train).

    Returns (mu, sigma), both (n_x, 1). sigma is the population standard deviation (divide by
    m_train); a feature that is constant on the training set gets sigma = 1, so it is only
    centred (the same rule as scikit-learn's StandardScaler).
    """
    xp = array_namespace(X_train)
    mu = xp.mean(X_train, axis=1, keepdims=True)                               # (n_x, 1)
    sigma = xp.sqrt(xp.mean((X_train - mu) ** 2, axis=1, keepdims=True))       # (n_x, 1)
    return mu, xp.where(sigma == 0, xp.ones_like(sigma), sigma)


def apply_standardizer(X, mu, sigma):
    """(X - mu) / sigma with the training statistics; X is any set, (n_x, m)."""
    return (X - mu) / sigma


def chronological_masks(t, dev_start, test_start):
    """Split by time: train t < dev_start <= dev < test_start <= test. Returns three bool masks."""
    return t < dev_start, (t >= dev_start) & (t < test_start), t >= test_start
