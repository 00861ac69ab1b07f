"""Feature scaling with broadcasting (unit 05): standardize features, normalize rows.

Layout: X (n_x, m), one example per column, so per-feature statistics are columns (n_x, 1)
and broadcast across the m examples. Written with `xp`: NumPy and PyTorch alike.
"""
from array_api_compat import array_namespace


def standardize(X, eps=1e-8):
    """Per-feature standardization: X_norm = (X − μ) / (σ + eps).

    X: (n_x, m). Returns (X_norm (n_x, m), mu (n_x, 1), sigma (n_x, 1)), with σ the
    population standard deviation (divide by m, like np.std; torch.std needs correction=0).
    eps keeps a constant feature (σ = 0) at 0 instead of 0/0 = NaN. To scale new data (a dev
    or test set) the same way, reuse mu and sigma from the training set (unit 11).
    """
    xp = array_namespace(X)
    mu = xp.mean(X, axis=1, keepdims=True)                                  # (n_x, 1)
    sigma = xp.sqrt(xp.mean((X - mu) ** 2, axis=1, keepdims=True))          # (n_x, 1)
    return (X - mu) / (sigma + eps), mu, sigma


def normalize_rows(x, eps=1e-12):
    """Each row of x (n, k) divided by its Euclidean norm, like F.normalize(x, p=2, dim=1).

    Norms below eps are raised to eps, so a zero row stays zero instead of becoming NaN.
    """
    xp = array_namespace(x)
    norms = xp.linalg.vector_norm(x, axis=1, keepdims=True)                # (n, 1)
    return x / xp.clip(norms, eps, None)
