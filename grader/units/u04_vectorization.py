"""Unit 04 · Vectorization.

Exercises (each the vectorized twin of a loop the notebook gives): L1, L2, outer,
logistic_forward. Oracles: F.l1_loss and F.mse_loss with reduction="sum", torch.outer,
torch.sigmoid(wᵀX + b). That the answers have no Python loop is checked in the notebook by
dlbook.vectorize.assert_vectorized, next to check(fn).
Layout as in unit 01: X (n_x, m), w (n_x, 1), b a float, A (1, m).
"""
import numpy as np
import torch
import torch.nn.functional as F

from grader.core import Case, Exercise

# The worked example of the chapter (the DLS assignment's numbers): L1 = 1.1, L2 = 0.43.
SEED_YHAT = np.array([0.9, 0.2, 0.1, 0.4, 0.9])
SEED_Y = np.array([1.0, 0.0, 0.0, 1.0, 1.0])


# ----------------------------------------------------------------------------- L1 and L2

def _loss_cases(rng):
    m = 8
    return [
        Case((SEED_YHAT.copy(), SEED_Y.copy()), "the worked example, shape (5,)"),
        Case((rng.random((1, m)), (rng.random((1, m)) < 0.5).astype(float)), "a row (1, 8) of predictions"),
        Case((rng.normal(scale=3.0, size=(3, 4)), rng.normal(size=(3, 4))), "a 2-D (3, 4) array: sum over all"),
        Case((np.array([[0.25]]), np.array([[1.0]])), "a single value (1, 1)"),
        Case((rng.normal(scale=1e3, size=(2, 50)), rng.normal(scale=1e3, size=(2, 50))),
             "large errors, (2, 50)"),
        Case((rng.random((1, 6)).astype(np.float32), np.array([[0, 1, 1, 0, 1, 0]], dtype=np.float32)),
             "float32 inputs", dtype=np.float32),
    ]


def _l1_oracle(yhat, y):
    return float(F.l1_loss(torch.from_numpy(yhat), torch.from_numpy(y), reduction="sum"))


def _l2_oracle(yhat, y):
    return float(F.mse_loss(torch.from_numpy(yhat), torch.from_numpy(y), reduction="sum"))


def _l1_mean(yhat, y):
    return float(np.mean(np.abs(yhat - y)))


def _l1_no_abs(yhat, y):
    return float(np.sum(yhat - y))


def _l1_squared(yhat, y):
    return float(np.sum((yhat - y) ** 2))


_LOSS_FORBIDDEN = ("torch.nn.functional.l1_loss", "torch.nn.functional.mse_loss",
                   "torch.nn.functional.smooth_l1_loss", "torch.nn.functional.huber_loss")

L1 = Exercise(
    name="L1",
    draw=_loss_cases,
    oracle=_l1_oracle,
    rtol=1e-9,
    forbidden=_LOSS_FORBIDDEN,
    wrong=[
        (_l1_no_abs, "take the absolute value of each difference before adding: without it, "
                     "errors of opposite sign cancel"),
        (_l1_squared, "that is the L2 loss (squared differences); L1 adds the absolute differences |ŷ − y|"),
        (_l1_mean, "L1 here is the sum over all elements, not the mean: xp.sum, not xp.mean"),
    ],
    arg_names=("yhat", "y"),
)


def _l2_norm(yhat, y):
    return float(np.sqrt(np.sum((yhat - y) ** 2)))


def _l2_mean(yhat, y):
    return float(np.mean((yhat - y) ** 2))


def _l2_abs(yhat, y):
    return float(np.sum(np.abs(yhat - y)))


def _l2_no_square(yhat, y):
    return float(np.sum(yhat - y))


L2 = Exercise(
    name="L2",
    draw=_loss_cases,
    oracle=_l2_oracle,
    rtol=1e-9,
    forbidden=_LOSS_FORBIDDEN + ("torch.linalg.vector_norm", "torch.norm", "numpy.linalg.norm"),
    wrong=[
        (_l2_norm, "do not take the square root: the L2 loss is the *squared* norm Σ (ŷ − y)²"),
        (_l2_abs, "that is the L1 loss; L2 squares each difference: Σ (ŷ − y)²"),
        (_l2_no_square, "square each difference before adding: Σ (ŷ − y)², so errors of opposite "
                        "sign cannot cancel"),
        (_l2_mean, "L2 here is the sum over all elements, not the mean: xp.sum, not xp.mean"),
    ],
    arg_names=("yhat", "y"),
)


# ----------------------------------------------------------------------------- outer

def _outer_cases(rng):
    return [
        Case((np.array([1.0, 2.0, 3.0]), np.array([4.0, 5.0, 7.0])), "u and v of the same length 3"),
        Case((rng.normal(size=4), rng.normal(size=2)), "n = 4, k = 2: the result is (4, 2)"),
        Case((np.array([2.5]), rng.normal(size=5)), "n = 1: one row"),
        Case((rng.normal(size=6), np.array([-1.5])), "k = 1: one column"),
        Case((rng.normal(size=3).astype(np.float32), rng.normal(size=4).astype(np.float32)),
             "float32 inputs", dtype=np.float32),
    ]


def _outer_oracle(u, v):
    return torch.outer(torch.from_numpy(u), torch.from_numpy(v)).numpy()


def _outer_elementwise(u, v):
    return u * v


def _outer_dot(u, v):
    return u.T @ v


def _outer_transposed(u, v):
    return v.reshape(-1, 1) * u.reshape(1, -1)


def _outer_sum(u, v):
    return u.reshape(-1, 1) + v.reshape(1, -1)


OUTER = Exercise(
    name="outer",
    draw=_outer_cases,
    oracle=_outer_oracle,
    forbidden=("numpy.outer", "torch.outer", "torch.ger", "torch.Tensor.outer", "torch.Tensor.ger",
               "array_api_compat.torch.linalg.outer", "numpy.linalg.outer"),
    wrong=[
        (_outer_dot, "u and v are rank-1 arrays, and .T does nothing to a rank-1 array: u.T @ v is the "
                     "dot product, a single number. Reshape u into a column (n, 1) and v into a row (1, k)"),
        (_outer_elementwise, "u * v multiplies element by element (and needs n = k). Reshape u into a "
                             "column (n, 1) and v into a row (1, k), then take the matrix product"),
        (_outer_transposed, "the result is transposed: M[i, j] = u_i v_j has one row per element of u"),
        (_outer_sum, "that is the outer *sum* u_i + v_j; the outer product multiplies: u_i · v_j"),
    ],
    arg_names=("u", "v"),
)


# ----------------------------------------------------------------------------- logistic_forward

def _forward_cases(rng):
    return [
        Case((np.array([[0.1], [-0.1]]), 0.0, np.array([[2.0], [5.0]])),
             "unit 01's student: z = -0.3, one example"),
        Case((rng.normal(size=(3, 1)), 0.5, rng.normal(size=(3, 7))), "n_x = 3, m = 7, b = 0.5"),
        Case((np.array([[2.0]]), -1.0, rng.normal(size=(1, 5))), "one feature, n_x = 1"),
        Case((np.array([[500.0], [-500.0]]), 0.0, np.array([[1.0, -1.0, 2.0, 0.0], [-1.0, 1.0, 0.0, 0.5]])),
             "scores of ±1000: the sigmoid must not overflow"),
        Case((rng.normal(size=(4, 1)).astype(np.float32), -0.2, rng.normal(size=(4, 6)).astype(np.float32)),
             "float32 inputs stay float32", dtype=np.float32),
    ]


def _forward_oracle(w, b, X):
    wt, Xt = torch.from_numpy(w), torch.from_numpy(X)
    return torch.sigmoid(wt.T @ Xt + b).numpy()


def _sig(z):
    return 1.0 / (1.0 + np.exp(-z))


def _forward_scores(w, b, X):
    return w.T @ X + b


def _forward_column(w, b, X):
    return _sig(X.T @ w + b)


def _forward_rank1(w, b, X):
    return _sig(np.dot(w.ravel(), X) + b)


def _forward_no_bias(w, b, X):
    return _sig(w.T @ X)


def _forward_sign(w, b, X):
    return 1.0 / (1.0 + np.exp(np.clip(w.T @ X + b, -700, 700)))


LOGISTIC_FORWARD = Exercise(
    name="logistic_forward",
    draw=_forward_cases,
    oracle=_forward_oracle,
    strict_fp=True,
    fp_hint=("1 / (1 + exp(-z)) overflows for scores below about -709: use the stable sigmoid of unit 01 "
             "(from dlbook.activations import sigmoid)"),
    forbidden=("torch.nn.functional.linear", "torch.addmm"),
    wrong=[
        (_forward_scores, "apply the sigmoid: A = σ(wᵀX + b); wᵀX + b alone is the score Z"),
        (_forward_column, "A is a row (1, m), one probability per example (per column of X): "
                          "compute w.T @ X, not X.T @ w"),
        (_forward_rank1, "keep the 2-D shapes: w.T @ X is (1, m); flattening w gives a rank-1 (m,) result"),
        (_forward_no_bias, "add the bias: Z = wᵀX + b"),
        (_forward_sign, "the sign is flipped: σ(z) = 1 / (1 + e^(−z)), so a large score gives a "
                        "probability near 1"),
    ],
    arg_names=("w", "b", "X"),
)

EXERCISES = {e.name: e for e in (L1, L2, OUTER, LOGISTIC_FORWARD)}
