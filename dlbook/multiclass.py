"""Softmax regression: one-hot labels, the cross-entropy of a softmax, and its gradient (unit 21b).

The book's layout: one column per example. For C classes and m examples the scores Z, the
probabilities A = softmax(Z) and the one-hot labels Y all have shape (C, m); the weights of
the output layer are W (C, n_x) and b (C, 1). The softmax itself is
`dlbook.activations.softmax(Z, axis=0)` (unit 05). Every function runs on NumPy arrays and
PyTorch tensors alike (xp = array_namespace(...)).

    one_hot(y, C)                  integer labels (m,) -> Y (C, m)
    log_softmax(Z)                 log A, computed without exp overflow or log(0)
    softmax_cross_entropy(Z, Y)    the cost J: mean over the m examples, from the scores
    softmax_backward(Z, Y)         dZ = A - Y, the course's per-example gradient
    softmax_regression(X, Y, ...)  gradient descent on W, b from scratch
"""
from array_api_compat import array_namespace

from .activations import softmax


def one_hot(y, C):
    """Integer labels y (m,) in 0 .. C-1 -> Y (C, m) float64 with Y[y_i, i] = 1, zeros elsewhere.

    Column i is example i: the class index picks the row. Y stays on y's device.
    """
    xp = array_namespace(y)
    classes = xp.reshape(xp.arange(C, device=y.device), (C, 1))         # (C, 1)
    return xp.astype(classes == xp.reshape(y, (1, -1)), xp.float64)     # (C, 1) == (1, m) -> (C, m)


def log_softmax(Z):
    """log softmax(Z) along axis 0, (C, m): Z - max - log(sum(exp(Z - max))).

    The log-sum-exp trick: after subtracting each column's maximum the largest exponent is
    e^0 = 1, so the sum lies in [1, C] and neither exp nor log can overflow or see a 0.
    log(softmax(Z)) computed in two steps gives -inf as soon as a probability underflows to 0.
    """
    xp = array_namespace(Z)
    shifted = Z - xp.max(Z, axis=0, keepdims=True)                       # (C, m), every column's max is 0
    return shifted - xp.log(xp.sum(xp.exp(shifted), axis=0, keepdims=True))


def softmax_cross_entropy(Z, Y):
    """J = -(1/m) sum_i sum_j Y[j, i] log A[j, i] with A = softmax(Z), from the scores Z.

    Z, Y: (C, m), Y one-hot. With one-hot labels each example contributes -log of the
    probability of its true class. Returns a Python float.
    """
    xp = array_namespace(Z, Y)
    m = Z.shape[1]
    return float(-xp.sum(Y * log_softmax(Z)) / m)


def softmax_backward(Z, Y):
    """dZ = softmax(Z) - Y, (C, m): the gradient of each example's loss with respect to its scores.

    This is the course's dZ^[L]: per example, without 1/m. The 1/m of the mean cost is applied
    once, when dW = dZ A_prev^T / m and db are formed (dlbook.deep.linear_backward), so the
    gradient of J itself with respect to Z is dZ / m.
    """
    return softmax(Z, axis=0) - Y


def softmax_regression(X, Y, alpha, iterations, W=None, b=None):
    """Softmax regression (no hidden layer) trained by full-batch gradient descent.

    X: (n_x, m); Y: (C, m) one-hot; W: (C, n_x) and b: (C, 1) to start from (zeros by default).
    Each iteration: Z = W X + b, cost J, dZ = A - Y, dW = dZ X^T / m, db = mean of dZ's
    columns, then W -= alpha dW, b -= alpha db. Returns (W, b, costs), costs[i] being the
    cost before update i.
    """
    xp = array_namespace(X, Y)
    (C, m), n_x = Y.shape, X.shape[0]
    W = xp.zeros((C, n_x), dtype=X.dtype, device=X.device) if W is None else W
    b = xp.zeros((C, 1), dtype=X.dtype, device=X.device) if b is None else b
    costs = []
    for _ in range(iterations):
        Z = W @ X + b                                       # (C, n_x) @ (n_x, m) + (C, 1) -> (C, m)
        costs.append(softmax_cross_entropy(Z, Y))
        dZ = softmax_backward(Z, Y)                         # (C, m)
        dW = dZ @ X.T / m                                   # (C, m) @ (m, n_x) -> (C, n_x)
        db = xp.sum(dZ, axis=1, keepdims=True) / m          # (C, 1)
        W, b = W - alpha * dW, b - alpha * db
    return W, b, costs


def predict(W, b, X):
    """The predicted class of every example: the argmax of its scores (hardmax). Returns (m,) ints."""
    xp = array_namespace(X)
    return xp.argmax(W @ X + b, axis=0)
