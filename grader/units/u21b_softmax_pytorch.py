"""Unit 21b · Softmax regression, the optimization landscape, and PyTorch.

Exercises: softmax, one_hot, softmax_cross_entropy, softmax_backward (NumPy and torch, via xp),
and train_softmax_torch (torch only: nn.Linear, F.cross_entropy and torch.optim.SGD).
Oracles: torch.softmax(dim=0); F.one_hot transposed; F.cross_entropy on the transposed scores
with class indices; autograd of F.cross_entropy(reduction="sum"); and, for the PyTorch
exercise, the other way round: a plain NumPy gradient-descent loop with dZ = A - Y.
Layout: scores Z, probabilities A and one-hot labels Y are (C, m), one column per example;
W (C, n_x), b (C, 1), X (n_x, m). PyTorch is batch-first, so every oracle transposes.
"""
import numpy as np
import torch
import torch.nn.functional as F

from grader.core import Case, Exercise

# The notes' examples: scores z = (5, 2, -1, 3) of one image, and the prediction
# ŷ = (0.3, 0.2, 0.1, 0.4) for a cat, the second of four classes.
SEED_Z = np.array([[5.0], [2.0], [-1.0], [3.0]])
SEED_YHAT = np.array([[0.3], [0.2], [0.1], [0.4]])
SEED_Y = np.array([[0.0], [1.0], [0.0], [0.0]])

SOFTMAX_BUILTINS = ("torch.softmax", "torch.nn.functional.softmax", "torch.Tensor.softmax",
                    "torch.special.softmax", "torch.log_softmax", "torch.nn.functional.log_softmax",
                    "torch.Tensor.log_softmax", "torch.special.log_softmax", "scipy.special.softmax",
                    "scipy.special.log_softmax", "dlbook.activations.softmax")


def _one_hot_np(labels, C):
    Y = np.zeros((C, labels.size))
    Y[labels, np.arange(labels.size)] = 1.0
    return Y


def _scores_and_labels(rng, C, m, scale=2.0, dtype=np.float64):
    Z = (scale * rng.normal(size=(C, m))).astype(dtype)
    return Z, _one_hot_np(rng.integers(0, C, size=m), C).astype(dtype)


# Scores of ±1000: exp overflows unless each column's maximum is subtracted first. The true
# class of the first column is the low score, so log(softmax) there is log(0) = -inf.
EXTREME_Z = np.array([[1000.0, 0.0, -1000.0], [-1000.0, 0.0, 1000.0]])
EXTREME_Y = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 1.0]])


# ----------------------------------------------------------------------------- softmax

def _softmax_cases(rng):
    far = np.array([[0.0, -720.0], [1.0, -722.0], [2.0, -725.0], [3.0, -721.0]])
    return [
        Case((SEED_Z.copy(),), "the notes' scores z = (5, 2, -1, 3): one example, a (4, 1) column"),
        Case((rng.normal(scale=3.0, size=(3, 5)),), "random scores, 3 classes x 5 examples"),
        Case((np.array([[1000.0, -1000.0], [1001.0, 0.0], [1002.0, 1000.0]]),),
             "scores near ±1000: exp must not overflow"),
        Case((far,), "one column near 0 and one near -720: each column needs its own maximum"),
        Case((np.array([[1.3], [-0.4]]),), "two classes, one example: the first row is σ(z₁ − z₂)"),
        Case((rng.normal(scale=4.0, size=(4, 6)).astype(np.float32),), "float32 input stays float32",
             dtype=np.float32),
    ]


def _softmax_oracle(Z):
    return torch.softmax(torch.from_numpy(Z), dim=0).numpy()


def _sm(Z, axis=0):
    e = np.exp(Z - np.max(Z, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def _softmax_rows(Z):
    return _sm(Z, axis=1)


def _softmax_hardmax(Z):
    return (Z == np.max(Z, axis=0, keepdims=True)).astype(Z.dtype)


def _softmax_row_max(Z):
    e = np.exp(Z - np.max(Z, axis=1, keepdims=True))
    return e / np.sum(e, axis=0, keepdims=True)


def _softmax_total(Z):
    e = np.exp(Z - np.max(Z, axis=0, keepdims=True))
    return e / np.sum(e)


def _softmax_global_max(Z):
    e = np.exp(Z - np.max(Z))
    return e / np.sum(e, axis=0, keepdims=True)


def _softmax_naive(Z):
    e = np.exp(Z)
    return e / np.sum(e, axis=0, keepdims=True)


SOFTMAX_FP_HINT = ("exp overflows for scores above about 709: subtract each column's maximum first, "
                   "Z - xp.max(Z, axis=0, keepdims=True); a constant per column cancels in the ratio")

SOFTMAX = Exercise(
    name="softmax",
    draw=_softmax_cases,
    oracle=_softmax_oracle,
    strict_fp=True,
    fp_hint=SOFTMAX_FP_HINT,
    forbidden=SOFTMAX_BUILTINS,
    wrong=[
        (_softmax_rows, "each column is one example: normalise over the classes, axis=0 (the rows of a "
                        "column), so that every column sums to 1"),
        (_softmax_hardmax, "that is hardmax (1 at the largest score, 0 elsewhere); softmax returns "
                           "e^z / sum(e^z), a probability for every class"),
        (_softmax_row_max, "subtract each column's maximum (axis=0): a constant per example cancels in "
                           "the ratio, a constant per class (axis=1) does not"),
        (_softmax_total, "divide by the sum of each column (axis=0, keepdims=True), not by the sum of "
                         "the whole matrix"),
        (_softmax_global_max, "subtract each column's own maximum, not the largest score of the whole "
                              "matrix: a column far below it underflows to tiny numbers and loses its digits"),
        (_softmax_naive, SOFTMAX_FP_HINT),
    ],
    arg_names=("Z",),
)


# ----------------------------------------------------------------------------- one_hot

def _one_hot_cases(rng):
    return [
        Case((np.array([2, 0, 1]), 3), "labels (2, 0, 1) with C = 3: a square result, rows are classes"),
        Case((np.array([1]), 4), "the notes' cat: class 1 of 4 gives the column (0, 1, 0, 0)"),
        Case((rng.integers(0, 5, size=10), 5), "10 random labels, C = 5"),
        Case((np.array([0, 2, 2, 1, 0, 1, 2]), 6), "C = 6 but only classes 0-2 occur: rows 3-5 stay 0"),
        Case((rng.integers(0, 4, size=8).astype(np.int32), 4), "int32 labels: the result is still float64"),
    ]


def _one_hot_oracle(labels, C):
    return F.one_hot(torch.from_numpy(labels.astype(np.int64)), C).T.to(torch.float64).numpy()


def _one_hot_transposed(labels, C):
    return np.eye(C)[labels]


def _one_hot_rows(labels, C):
    Y = np.zeros((C, labels.size))
    Y[labels] = 1.0
    return Y


def _one_hot_ints(labels, C):
    return (np.arange(C)[:, None] == labels[None, :]).astype(np.int64)


ONE_HOT = Exercise(
    name="one_hot",
    draw=_one_hot_cases,
    oracle=_one_hot_oracle,
    forbidden=("torch.nn.functional.one_hot", "dlbook.multiclass.one_hot"),
    wrong=[
        (_one_hot_transposed, "Y is (C, m): one column per example and one row per class. "
                              "xp.eye(C)[y] is the transpose, (m, C)"),
        (_one_hot_rows, "set one entry per example, Y[y_i, i] = 1: indexing with the labels alone "
                        "(Y[y] = 1) fills whole rows"),
        (_one_hot_ints, "return floats (float64), not integers or booleans: "
                        "xp.astype(..., xp.float64)"),
    ],
    arg_names=("y", "C"),
)


# ----------------------------------------------------------------------------- softmax_cross_entropy

def _ce_cases(rng):
    return [
        Case((np.log(SEED_YHAT), SEED_Y.copy()),
             "the notes' ŷ = (0.3, 0.2, 0.1, 0.4) for a cat (class 1): the loss is -log 0.2"),
        Case(_scores_and_labels(rng, 3, 8), "random scores, 3 classes x 8 examples"),
        Case((EXTREME_Z.copy(), EXTREME_Y.copy()),
             "scores of ±1000, once with the true class at -1000: the cost is finite (about 667)"),
        Case(_scores_and_labels(rng, 5, 1), "one example, 5 classes"),
        Case(_scores_and_labels(rng, 4, 50, scale=5.0), "large scores, 4 classes x 50 examples"),
        Case(_scores_and_labels(rng, 3, 6, dtype=np.float32), "float32 inputs", dtype=np.float32),
    ]


def _ce_oracle(Z, Y):
    labels = torch.from_numpy(np.argmax(Y, axis=0))
    return float(F.cross_entropy(torch.from_numpy(Z.T), labels))    # batch-first: (m, C) scores


def _ce_terms(Z, Y):
    return Y * np.log(_sm(Z))                                          # (C, m)


def _ce_sum(Z, Y):
    return float(-np.sum(_ce_terms(Z, Y)))


def _ce_mean_all(Z, Y):
    return float(-np.mean(_ce_terms(Z, Y)))


def _ce_sign(Z, Y):
    return float(np.sum(_ce_terms(Z, Y)) / Z.shape[1])


def _ce_binary(Z, Y):
    A = _sm(Z)
    return float(-np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / Z.shape[1])


def _ce_rows(Z, Y):
    return float(-np.sum(Y * np.log(_sm(Z, axis=1))) / Z.shape[1])


def _ce_log_of_softmax(Z, Y):
    return float(-np.sum(Y * np.log(_sm(Z))) / Z.shape[1])


CE_FP_HINT = ("compute the log-probabilities from the scores with the log-sum-exp trick, "
              "log A = (Z − max) − log(sum(exp(Z − max))) per column: log(softmax(Z)) takes the log of 0 "
              "once a probability underflows, and exp(Z) without the max overflows")

SOFTMAX_CROSS_ENTROPY = Exercise(
    name="softmax_cross_entropy",
    draw=_ce_cases,
    oracle=_ce_oracle,
    strict_fp=True,
    fp_hint=CE_FP_HINT,
    forbidden=SOFTMAX_BUILTINS + (
        "torch.nn.functional.cross_entropy", "torch.nn.functional.nll_loss", "torch.logsumexp",
        "torch.Tensor.logsumexp", "torch.special.logsumexp", "scipy.special.logsumexp",
        "dlbook.multiclass.softmax_cross_entropy", "dlbook.multiclass.log_softmax"),
    wrong=[
        (_ce_rows, "softmax runs down each column (axis=0): the classes of one example, not the "
                   "examples of one class"),
        (_ce_sign, "the cost is the *negative* log-likelihood: J = −(1/m) Σ Y log A (log A ≤ 0, so J ≥ 0)"),
        (_ce_binary, "that is the binary cross-entropy of every class; with softmax the loss is "
                     "−Σ_j y_j log ŷ_j, only the true class's term"),
        (_ce_mean_all, "divide by the number of examples m, not by C·m: xp.mean over all entries "
                       "also divides by the number of classes"),
        (_ce_sum, "the cost is the mean over the m examples: divide the sum by m"),
        (_ce_log_of_softmax, CE_FP_HINT),
    ],
    arg_names=("Z", "Y"),
)


# ----------------------------------------------------------------------------- softmax_backward

def _backward_cases(rng):
    return [
        Case((SEED_Z.copy(), SEED_Y.copy()), "the notes' z = (5, 2, -1, 3) with the true class 1"),
        Case(_scores_and_labels(rng, 3, 5), "random scores, 3 classes x 5 examples"),
        Case((np.log(SEED_YHAT), SEED_Y.copy()), "ŷ = (0.3, 0.2, 0.1, 0.4): dz = ŷ − y = (0.3, −0.8, 0.1, 0.4)"),
        Case((EXTREME_Z.copy(), EXTREME_Y.copy()), "scores of ±1000: exp must not overflow"),
        Case(_scores_and_labels(rng, 2, 1), "two classes, one example"),
        Case(_scores_and_labels(rng, 4, 6, dtype=np.float32), "float32 inputs", dtype=np.float32),
    ]


def _backward_oracle(Z, Y):
    z = torch.tensor(Z.T, requires_grad=True)                          # (m, C)
    labels = torch.from_numpy(np.argmax(Y, axis=0))
    F.cross_entropy(z, labels, reduction="sum").backward()            # sum: per-example gradients
    return z.grad.T.numpy()


def _backward_sign(Z, Y):
    return Y - _sm(Z)


def _backward_over_m(Z, Y):
    return (_sm(Z) - Y) / Z.shape[1]


def _backward_no_y(Z, Y):
    return _sm(Z)


def _backward_elementwise(Z, Y):
    A = _sm(Z)
    return (-Y / np.where(A > 0, A, 1.0)) * A * (1 - A)


def _backward_rows(Z, Y):
    return _sm(Z, axis=1) - Y


def _backward_naive(Z, Y):
    return _softmax_naive(Z) - Y


BACKWARD_FP_HINT = SOFTMAX_FP_HINT

SOFTMAX_BACKWARD = Exercise(
    name="softmax_backward",
    draw=_backward_cases,
    oracle=_backward_oracle,
    strict_fp=True,
    fp_hint=BACKWARD_FP_HINT,
    forbidden=SOFTMAX_BUILTINS + (
        "torch.autograd.grad", "torch.autograd.backward", "torch.Tensor.backward",
        "dlbook.multiclass.softmax_backward"),
    wrong=[
        (_backward_sign, "dZ = A − Y (prediction minus label), not Y − A: the true class's score must "
                         "go up when we step against the gradient"),
        (_backward_no_y, "subtract the labels: dZ = A − Y, so the true class gets A − 1 < 0"),
        (_backward_elementwise, "softmax is not element-wise: its Jacobian is diag(a) − a aᵀ, and with "
                                "the cross-entropy the chain rule collapses to dZ = A − Y, not dA·A(1 − A)"),
        (_backward_rows, "softmax runs down each column (axis=0), over the classes of one example"),
        (_backward_over_m, "this dZ is per example, without 1/m: the course's convention applies the 1/m "
                           "once, in dW = dZ A_prevᵀ / m and db (dividing here would divide twice)"),
        (_backward_naive, BACKWARD_FP_HINT),
    ],
    arg_names=("Z", "Y"),
)


# ----------------------------------------------------------------------------- train_softmax_torch

def _train_case(rng, n_x, C, m, lr, iterations, dtype=np.float64, scale=1.0):
    X = (scale * rng.normal(size=(n_x, m))).astype(dtype)
    Y = _one_hot_np(np.arange(m) % C, C).astype(dtype)                   # every class occurs
    Y = Y[:, rng.permutation(m)]
    W = (0.1 * rng.normal(size=(C, n_x))).astype(dtype)
    b = (0.1 * rng.normal(size=(C, 1))).astype(dtype)
    return (X, Y, W, b, lr, iterations)


def _train_cases(rng):
    return [
        Case(_train_case(rng, 2, 3, 30, 0.5, 10, scale=2.0), "2 features, 3 classes, 30 examples, α = 0.5, 10 steps"),
        Case(_train_case(rng, 4, 5, 20, 0.1, 15), "4 features, 5 classes, α = 0.1, 15 steps"),
        Case(_train_case(rng, 3, 2, 1, 1.0, 3), "one example, 2 classes, α = 1, 3 steps"),
        Case(_train_case(rng, 3, 4, 12, 0.3, 1), "a single step"),
        Case(_train_case(rng, 3, 4, 12, 0.2, 8, dtype=np.float32), "float32 tensors stay float32",
             dtype=np.float32),
    ]


def _train_oracle(X, Y, W, b, learning_rate, num_iterations):
    """Plain NumPy gradient descent with the chapter's formulas: independent of autograd."""
    m = X.shape[1]
    costs = []
    for _ in range(num_iterations):
        Z = W @ X + b                                                  # (C, m)
        e = np.exp(Z - Z.max(axis=0, keepdims=True))
        A = e / e.sum(axis=0, keepdims=True)
        costs.append(float(-np.sum(Y * np.log(A)) / m))
        dZ = A - Y
        W, b = W - learning_rate * dZ @ X.T / m, b - learning_rate * dZ.sum(axis=1, keepdims=True) / m
    return W, b, tuple(costs)


def _torch_in_numpy_out(fn):
    """Run a torch implementation on NumPy inputs too (hints compare it on NumPy inputs)."""
    def wrapper(X, Y, W, b, learning_rate, num_iterations):
        was_numpy = isinstance(X, np.ndarray)
        as_t = (lambda a: torch.from_numpy(np.array(a))) if was_numpy else (lambda a: a)
        W_out, b_out, costs = fn(as_t(X), as_t(Y), as_t(W), as_t(b), learning_rate, num_iterations)
        if was_numpy:
            return W_out.numpy(), b_out.numpy(), costs
        return W_out, b_out, costs
    wrapper.__name__ = fn.__name__
    return wrapper


def _train_torch(X, Y, W, b, lr, iterations, *, zero_grad=True, double_softmax=False,
                 reduction="mean", train_bias=True):
    C, n_x = W.shape
    model = torch.nn.Linear(n_x, C, dtype=X.dtype, device=X.device)
    with torch.no_grad():
        model.weight.copy_(W)
        model.bias.copy_(b[:, 0])
    model.bias.requires_grad_(train_bias)
    opt = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=lr)
    labels = torch.argmax(Y, dim=0)
    costs = []
    for _ in range(iterations):
        if zero_grad:
            opt.zero_grad()
        logits = model(X.T)
        if double_softmax:
            logits = torch.softmax(logits, dim=1)
        loss = F.cross_entropy(logits, labels, reduction=reduction)
        loss.backward()
        opt.step()
        costs.append(loss.item())
    return model.weight.detach().clone(), model.bias.detach().clone()[:, None], costs


@_torch_in_numpy_out
def _train_no_zero_grad(X, Y, W, b, lr, iterations):
    return _train_torch(X, Y, W, b, lr, iterations, zero_grad=False)


@_torch_in_numpy_out
def _train_double_softmax(X, Y, W, b, lr, iterations):
    return _train_torch(X, Y, W, b, lr, iterations, double_softmax=True)


@_torch_in_numpy_out
def _train_sum(X, Y, W, b, lr, iterations):
    return _train_torch(X, Y, W, b, lr, iterations, reduction="sum")


@_torch_in_numpy_out
def _train_frozen_bias(X, Y, W, b, lr, iterations):
    return _train_torch(X, Y, W, b, lr, iterations, train_bias=False)


TRAIN_SOFTMAX_TORCH = Exercise(
    name="train_softmax_torch",
    draw=_train_cases,
    oracle=_train_oracle,
    backends=("torch",),
    rtol=1e-9,
    wrong=[
        (_train_no_zero_grad, "call optimizer.zero_grad() in every iteration: backward() adds to .grad, "
                              "so without it each step uses the sum of all the gradients so far"),
        (_train_double_softmax, "F.cross_entropy takes the scores (logits) and applies log-softmax itself; "
                                "passing probabilities applies softmax twice"),
        (_train_sum, "the cost is the mean over the m examples: keep F.cross_entropy's default "
                     "reduction='mean' (with 'sum' every step is m times too large)"),
        (_train_frozen_bias, "train the bias too: give the optimizer model.parameters(), weight and bias"),
    ],
    arg_names=("X", "Y", "W", "b", "learning_rate", "num_iterations"),
    returns=("W", "b", "costs"),
)

EXERCISES = {e.name: e for e in (SOFTMAX, ONE_HOT, SOFTMAX_CROSS_ENTROPY, SOFTMAX_BACKWARD,
                                 TRAIN_SOFTMAX_TORCH)}
