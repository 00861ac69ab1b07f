"""Mini-batch gradient descent (unit 16): shuffle, cut into mini-batches, one step per batch.

Layout: examples are columns, X (n_x, m), Y (n_y, m); a mini-batch is a set of columns.
One epoch draws one permutation of the m columns (`rng.permutation(m)`, a new one every epoch)
and cuts it into ceil(m / b) mini-batches of b columns, the last one smaller when b does not
divide m. A mini-batch size b = m is batch gradient descent; b = 1 is stochastic gradient
descent.

    for idx in minibatch_indices(m, 64, rng):       # one epoch
        X_t, Y_t = X[:, idx], Y[:, idx]              # (n_x, <= 64), (n_y, <= 64)
"""
import math

import numpy as np



def minibatch_indices(m, mini_batch_size, rng):
    """The column indices of one epoch's mini-batches: ceil(m / b) arrays, the last possibly shorter.

    Draws one rng.permutation(m) and cuts it in order: batch t holds perm[t*b : (t+1)*b].
    """
    perm = rng.permutation(m)
    return [perm[start:start + mini_batch_size] for start in range(0, m, mini_batch_size)]


def iterations_per_epoch(m, mini_batch_size):
    """ceil(m / b): the number of parameter updates in one pass over m examples."""
    return math.ceil(m / mini_batch_size)


def train_logistic_minibatch(X, Y, mini_batch_size, alpha, num_epochs, rng, w=None, b=0.0):
    """Logistic regression trained by mini-batch gradient descent, from w = 0 (or the given w, b).

    X: (n_x, m) and Y: (1, m) NumPy arrays. Every epoch draws a new permutation
    (minibatch_indices); every mini-batch gives one step with the gradients of that batch's
    mean cross-entropy, dw = X_t dZᵀ / b_t and db = mean(dZ) with dZ = σ(Z) − Y_t (unit 01).
    Written with bare NumPy because the chapters' figures run thousands of one-example steps.
    Returns (w, b, batch_cost, path): batch_cost (iterations,), the cost of each mini-batch
    before its step (what a training log shows); path (iterations + 1, n_x + 1), the
    parameters (w, b) at the start and after every step. path_costs(path, X, Y) gives the cost
    on all of X along the path.
    """
    n_x, m = X.shape
    w = np.zeros((n_x, 1), dtype=X.dtype) if w is None else w
    epochs = [minibatch_indices(m, mini_batch_size, rng) for _ in range(num_epochs)]
    batches = [idx for epoch in epochs for idx in epoch]
    path = np.empty((len(batches) + 1, n_x + 1))
    path[0, :n_x], path[0, n_x] = w[:, 0], b
    with np.errstate(over="ignore"):                             # exp(-Z) = inf gives σ = 0, as it should
        for t, idx in enumerate(batches, start=1):
            X_t, Y_t = X[:, idx], Y[:, idx]                       # (n_x, b_t), (1, b_t)
            dZ = 1 / (1 + np.exp(-(w.T @ X_t + b))) - Y_t         # (1, b_t)
            w = w - (alpha / idx.size) * (X_t @ dZ.T)             # the mean over this batch's columns
            b = b - (alpha / idx.size) * float(dZ.sum())
            path[t, :n_x], path[t, n_x] = w[:, 0], b
    # Each mini-batch's cost at the parameters it was given, for all batches at once.
    cols = np.concatenate(batches)                                # every epoch's order, end to end
    step = np.repeat(np.arange(len(batches)), [idx.size for idx in batches])
    Z = np.sum(path[step, :n_x] * X[:, cols].T, axis=1) + path[step, n_x]
    losses = _softplus(Z) - Y[0, cols] * Z                        # one per example per epoch
    starts = np.cumsum([0] + [idx.size for idx in batches[:-1]])
    batch_cost = np.add.reduceat(losses, starts) / [idx.size for idx in batches]
    return w, b, batch_cost, path


def path_costs(path, X, Y):
    """The mean cross-entropy on all of (X, Y) at every row (w, b) of a path: shape (rows,)."""
    Z = path[:, :-1] @ X + path[:, -1:]                           # (rows, m) scores
    return np.mean(_softplus(Z) - Y * Z, axis=1)


def _softplus(Z):
    """log(1 + e^Z) without overflow: the per-example cross-entropy is softplus(Z) - yZ."""
    return np.maximum(Z, 0) + np.log1p(np.exp(-np.abs(Z)))
