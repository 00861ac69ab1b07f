"""Unit 01 · Logistic regression as a neural network.

Exercises: sigmoid, initialize_with_zeros, propagate, gd_step.
Oracles: torch.sigmoid; plain zeros; F.binary_cross_entropy_with_logits + autograd;
autograd's gradient and the SGD step p - alpha * grad. Layout: X (n_x, m), Y (1, m), w (n_x, 1).
"""
import numpy as np
import torch
import torch.nn.functional as F

from grader.cases import np_sigmoid
from grader.core import Case, Exercise

# The worked example of the chapter: study 2 h, sleep 5 h, passed (y = 1); w = (0.1, -0.1), b = 0.
SEED_W = np.array([[0.1], [-0.1]])
SEED_X = np.array([[2.0], [5.0]])
SEED_Y = np.array([[1.0]])


# ----------------------------------------------------------------------------- sigmoid

def _sigmoid_cases(rng):
    return [
        Case((np.array([[-0.3, 0.0, 0.3]]),), "the worked example's z = -0.3, 0 and 0.3"),
        Case((rng.normal(scale=4.0, size=(3, 4)),), "random (3, 4)"),
        Case((np.array([-1000.0, -710.0, -40.0, 0.0, 40.0, 710.0, 1000.0]),),
             "extreme values: no overflow allowed for |z| up to 1000"),
        Case((np.array([[2.5]]),), "a single value (1, 1)"),
        Case((rng.normal(scale=3.0, size=(2, 5)).astype(np.float32),), "float32 input stays float32",
             dtype=np.float32),
    ]


def _sigmoid_oracle(z):
    return torch.sigmoid(torch.from_numpy(z)).numpy()


def _sigmoid_wrong_sign(z):
    return 1.0 / (1.0 + np.exp(np.clip(z, -700, 700)))


def _sigmoid_tanh(z):
    return 0.5 * (1.0 + np.tanh(z))


def _sigmoid_derivative(z):
    s = np_sigmoid(z)
    return s * (1 - s)


def _sigmoid_rounded(z):
    return np.round(np_sigmoid(z), 3)


SIGMOID = Exercise(
    name="sigmoid",
    draw=_sigmoid_cases,
    oracle=_sigmoid_oracle,
    strict_fp=True,
    fp_hint=("1 / (1 + exp(-z)) overflows for z below about -709. Use the stable form: "
             "e = xp.exp(-xp.abs(z)), then xp.where(z >= 0, 1 / (1 + e), e / (1 + e))"),
    forbidden=("torch.sigmoid", "torch.special.expit", "torch.Tensor.sigmoid",
               "torch.nn.functional.sigmoid", "scipy.special.expit"),
    wrong=[
        (_sigmoid_wrong_sign, "the sign of z is flipped: σ(z) = 1 / (1 + e^(−z)), so σ(3) is close to 1"),
        (_sigmoid_tanh, "(1 + tanh(z)) / 2 is σ(2z); the identity is σ(z) = (1 + tanh(z/2)) / 2"),
        (_sigmoid_derivative, "that is the derivative σ(z)(1 − σ(z)), not σ(z) itself"),
        (_sigmoid_rounded, "do not round the result: return the full-precision values"),
    ],
    arg_names=("z",),
)


# ----------------------------------------------------------------------------- initialize_with_zeros

def _zeros_cases(rng):
    return [Case((2,), "n_x = 2, the worked example"), Case((1,), "n_x = 1"),
            Case((7,), "n_x = 7"), Case((64,), "n_x = 64, an 8x8 image")]


def _zeros_oracle(n_x):
    return np.zeros((n_x, 1)), 0.0


def _zeros_rank1(n_x):
    return np.zeros(n_x), 0.0


def _zeros_row(n_x):
    return np.zeros((1, n_x)), 0.0


def _zeros_int(n_x):
    return np.zeros((n_x, 1), dtype=int), 0


def _zeros_b_array(n_x):
    return np.zeros((n_x, 1)), np.zeros((1, 1))


ZEROS = Exercise(
    name="initialize_with_zeros",
    draw=_zeros_cases,
    oracle=_zeros_oracle,
    backends=("python",),
    wrong=[
        (_zeros_rank1, "np.zeros(n_x) is a rank-1 array of shape (n_x,); w must be a column: np.zeros((n_x, 1))"),
        (_zeros_row, "w is a column vector of shape (n_x, 1), not a row (1, n_x)"),
        (_zeros_int, "w must hold floats (float64): np.zeros((n_x, 1)) without dtype=int, and b = 0.0"),
        (_zeros_b_array, "b is a single number: return the Python float 0.0, not an array"),
    ],
    arg_names=("n_x",),
    returns=("w", "b"),
)


# ----------------------------------------------------------------------------- propagate

def _propagate_cases(rng):
    n, m = 3, 7
    return [
        Case((SEED_W.copy(), 0.0, SEED_X.copy(), SEED_Y.copy()), "the worked example, m = 1"),
        Case((rng.normal(size=(n, 1)), 0.5, rng.normal(size=(n, m)),
              (rng.random((1, m)) < 0.5).astype(float)), "random, n_x = 3, m = 7"),
        Case((rng.normal(size=(4, 1)), -1.0, np.zeros((4, 5)), np.array([[1.0, 0, 1, 1, 0]])),
             "X all zeros: dw must be 0"),
        Case((rng.normal(size=(5, 1)), 0.2, rng.normal(scale=3.0, size=(5, 40)),
              (rng.random((1, 40)) < 0.3).astype(float)), "larger scores, m = 40"),
        Case((rng.normal(size=(2, 1)).astype(np.float32), 0.1, rng.normal(size=(2, 6)).astype(np.float32),
              np.array([[0, 1, 1, 0, 1, 0]], dtype=np.float32)), "float32 inputs", dtype=np.float32),
    ]


def _propagate_oracle(w, b, X, Y):
    wt = torch.tensor(w, requires_grad=True)
    bt = torch.tensor(float(b), dtype=torch.float64, requires_grad=True)
    z = wt.T @ torch.from_numpy(X) + bt                         # (1, m)
    cost = F.binary_cross_entropy_with_logits(z, torch.from_numpy(Y))   # mean over the m examples
    cost.backward()
    return {"dw": wt.grad.numpy(), "db": float(bt.grad)}, float(cost.detach())


def _sig(z):
    return 1.0 / (1.0 + np.exp(-z))


def _propagate_parts(w, b, X, Y):
    m = X.shape[1]
    A = _sig(w.T @ X + b)
    cost = float(-np.mean(Y * np.log(A) + (1 - Y) * np.log(1 - A)))
    return m, A, cost


def _propagate_no_mean(w, b, X, Y):
    m, A, cost = _propagate_parts(w, b, X, Y)
    dZ = A - Y
    return {"dw": X @ dZ.T, "db": float(np.sum(dZ))}, cost * m


def _propagate_dw_no_mean(w, b, X, Y):
    m, A, cost = _propagate_parts(w, b, X, Y)
    dZ = A - Y
    return {"dw": X @ dZ.T, "db": float(np.sum(dZ) / m)}, cost


def _propagate_sign(w, b, X, Y):
    m, A, cost = _propagate_parts(w, b, X, Y)
    dZ = Y - A
    return {"dw": X @ dZ.T / m, "db": float(np.sum(dZ) / m)}, cost


def _propagate_row_dw(w, b, X, Y):
    m, A, cost = _propagate_parts(w, b, X, Y)
    dZ = A - Y
    return {"dw": dZ @ X.T / m, "db": float(np.sum(dZ) / m)}, cost


def _propagate_cost_sign(w, b, X, Y):
    m, A, cost = _propagate_parts(w, b, X, Y)
    dZ = A - Y
    return {"dw": X @ dZ.T / m, "db": float(np.sum(dZ) / m)}, -cost


def _propagate_cost_sum(w, b, X, Y):
    m, A, cost = _propagate_parts(w, b, X, Y)
    dZ = A - Y
    return {"dw": X @ dZ.T / m, "db": float(np.sum(dZ) / m)}, cost * m


def _propagate_no_bias(w, b, X, Y):
    m, A, cost = _propagate_parts(w, 0.0, X, Y)
    dZ = A - Y
    return {"dw": X @ dZ.T / m, "db": float(np.sum(dZ) / m)}, cost


PROPAGATE = Exercise(
    name="propagate",
    draw=_propagate_cases,
    oracle=_propagate_oracle,
    rtol=1e-9,
    forbidden=("torch.nn.functional.binary_cross_entropy", "torch.nn.functional.binary_cross_entropy_with_logits",
               "torch.autograd.grad", "torch.autograd.backward", "torch.Tensor.backward"),
    wrong=[
        (_propagate_no_mean, "the cost and gradients are averages over the m examples: divide by m"),
        (_propagate_dw_no_mean, "dw is an average too: dw = X @ dZ.T / m"),
        (_propagate_sign, "dZ = A − Y (prediction minus label), not Y − A"),
        (_propagate_row_dw, "dw must have w's shape (n_x, 1): dw = X @ dZ.T / m, not dZ @ X.T"),
        (_propagate_cost_sign, "the cost is the *negative* log-likelihood: J = −mean(Y log A + (1 − Y) log(1 − A))"),
        (_propagate_cost_sum, "the cost is a mean over the examples, not a sum"),
        (_propagate_no_bias, "the bias b is part of the score: Z = wᵀX + b"),
    ],
    arg_names=("w", "b", "X", "Y"),
    returns=("grads", "cost"),
)


# ----------------------------------------------------------------------------- gd_step

def _gd_cases(rng):
    return [
        Case((SEED_W.copy(), 0.0, SEED_X.copy(), SEED_Y.copy(), 0.1), "the worked example, alpha = 0.1"),
        Case((rng.normal(size=(3, 1)), -0.3, rng.normal(size=(3, 8)),
              (rng.random((1, 8)) < 0.5).astype(float), 0.5), "random, m = 8, alpha = 0.5"),
        Case((rng.normal(size=(4, 1)), 1.0, rng.normal(size=(4, 1)), np.array([[0.0]]), 0.01),
             "one example with y = 0, alpha = 0.01"),
    ]


def _gd_oracle(w, b, X, Y, alpha):
    # Autograd's gradient, then the plain SGD step p - lr * grad (what torch.optim.SGD does with
    # no momentum; importing torch.optim would cost several seconds in every fresh kernel).
    wt = torch.tensor(w, requires_grad=True)
    bt = torch.tensor(float(b), dtype=torch.float64, requires_grad=True)
    F.binary_cross_entropy_with_logits(wt.T @ torch.from_numpy(X) + bt, torch.from_numpy(Y)).backward()
    return (wt - alpha * wt.grad).detach().numpy(), float((bt - alpha * bt.grad).detach())


def _grads(w, b, X, Y):
    m = X.shape[1]
    dZ = _sig(w.T @ X + b) - Y
    return X @ dZ.T / m, float(np.sum(dZ) / m)


def _gd_ascent(w, b, X, Y, alpha):
    dw, db = _grads(w, b, X, Y)
    return w + alpha * dw, b + alpha * db


def _gd_no_alpha(w, b, X, Y, alpha):
    dw, db = _grads(w, b, X, Y)
    return w - dw, b - db


def _gd_w_only(w, b, X, Y, alpha):
    dw, _ = _grads(w, b, X, Y)
    return w - alpha * dw, b


GD_STEP = Exercise(
    name="gd_step",
    draw=_gd_cases,
    oracle=_gd_oracle,
    forbidden=PROPAGATE.forbidden + ("torch.optim.SGD",),
    wrong=[
        (_gd_ascent, "gradient *descent* subtracts: w ← w − α·dw (adding climbs the cost)"),
        (_gd_no_alpha, "multiply the gradient by the learning rate alpha"),
        (_gd_w_only, "update the bias too: b ← b − α·db"),
    ],
    arg_names=("w", "b", "X", "Y", "alpha"),
    returns=("w", "b"),
)

EXERCISES = {e.name: e for e in (SIGMOID, ZEROS, PROPAGATE, GD_STEP)}
