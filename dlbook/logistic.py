"""Logistic regression from scratch (unit 01), as a forward/backward pair with a cache.

Layout: X (n_x, m) with examples as columns, Y (1, m) in {0, 1}, w (n_x, 1), b a float.
"""
from array_api_compat import array_namespace, device

from .activations import sigmoid
from .losses import bce_with_logits


def logistic_forward(w, b, X):
    """A = σ(wᵀX + b), shape (1, m). Returns (A, cache) with cache = (X, A)."""
    A = sigmoid(w.T @ X + b)
    return A, (X, A)


def logistic_backward(Y, cache):
    """Gradients of the mean cross-entropy w.r.t. w (n_x, 1) and b (float), from the cache."""
    xp = array_namespace(Y)
    X, A = cache
    m = X.shape[1]
    dZ = A - Y                                # (1, m): the whole chain rule of σ and the loss
    return X @ dZ.T / m, float(xp.sum(dZ)) / m


def train(X, Y, alpha=0.1, iterations=100, w=None, b=0.0):
    """Plain gradient descent from w = 0 (or the given w, b). Returns (w, b, costs per iteration).

    The cost is computed from the scores (dlbook.losses.bce_with_logits, unit 02), so it stays
    finite even when a large step saturates the sigmoid.
    """
    xp = array_namespace(X)
    w = xp.zeros((X.shape[0], 1), dtype=X.dtype, device=device(X)) if w is None else w
    costs = []
    for _ in range(iterations):
        costs.append(bce_with_logits(w.T @ X + b, Y))
        A, cache = logistic_forward(w, b, X)
        dw, db = logistic_backward(Y, cache)
        w, b = w - alpha * dw, b - alpha * db
    return w, b, costs


def predict(w, b, X):
    """1.0 where P(y=1|x) > 0.5, else 0.0; shape (1, m)."""
    xp = array_namespace(X)
    A, _ = logistic_forward(w, b, X)
    return xp.astype(A > 0.5, X.dtype)
