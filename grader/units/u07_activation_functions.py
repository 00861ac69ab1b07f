"""Unit 07 · Activation functions.

Exercises: relu, leaky_relu (forward); sigmoid_backward, tanh_backward, relu_backward,
leaky_relu_backward (dZ = dA * g'(Z)); chain_gradient (the product of w_l g'(z_l) along a path).
Oracles: torch.relu and F.leaky_relu; torch.autograd.grad through torch.sigmoid, torch.tanh,
torch.relu and F.leaky_relu. Autograd fixes the convention at Z = 0 exactly: ReLU'(0) = 0,
leaky'(0) = alpha, σ'(0) = 0.25, tanh'(0) = 1. The cases include exact zeros, extremes and float32.
"""
import numpy as np
import torch
import torch.nn.functional as F

from grader.core import Case, Exercise

AUTOGRAD = ("torch.autograd.grad", "torch.autograd.backward", "torch.Tensor.backward")
TORCH_RELU = ("torch.relu", "torch.nn.functional.relu", "torch.Tensor.relu", "torch.nn.functional.leaky_relu")
TORCH_SIGMOID = ("torch.sigmoid", "torch.Tensor.sigmoid", "torch.nn.functional.sigmoid", "torch.special.expit")

# The torch functions whose autograd defines each derivative.
TORCH_G = {
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "relu": torch.relu,
    "leaky_relu": lambda z, alpha=0.01: F.leaky_relu(z, negative_slope=alpha),
}


def _autograd_dZ(name, dA, Z, **kw):
    z = torch.tensor(Z, requires_grad=True)
    (dZ,) = torch.autograd.grad(TORCH_G[name](z, **kw), z, grad_outputs=torch.from_numpy(dA))
    return dZ.numpy()


def _sig(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


# A row of inputs with an exact zero (and a negative zero) between negatives and positives.
ZERO_ROW = np.array([[-3.0, -0.5, -0.0, 0.0, 0.5, 3.0]])
EXTREMES = np.array([[-1e6, -1000.0, -710.0, -40.0, 40.0, 710.0, 1000.0, 1e6]])


# ----------------------------------------------------------------------------- relu

def _relu_cases(rng):
    return [
        Case((ZERO_ROW.copy(),), "negatives, ±0 and positives"),
        Case((rng.normal(scale=3.0, size=(3, 4)),), "random (3, 4)"),
        Case((EXTREMES.copy(),), "extreme values up to ±1e6"),
        Case((np.array([[-2.5]]),), "a single negative value (1, 1)"),
        Case((rng.normal(scale=2.0, size=(2, 5)).astype(np.float32),), "float32 input stays float32",
             dtype=np.float32),
    ]


def _relu_oracle(z):
    return torch.relu(torch.from_numpy(z)).numpy()


def _relu_abs(z):
    return np.abs(z)


def _relu_min(z):
    return np.minimum(z, 0.0)


def _relu_leaky(z):
    return np.where(z > 0, z, 0.01 * z)


def _relu_clip(z):
    return np.clip(z, 0.0, 1.0)


def _relu_mask(z):
    return (z > 0).astype(z.dtype)


RELU = Exercise(
    name="relu",
    draw=_relu_cases,
    oracle=_relu_oracle,
    forbidden=TORCH_RELU,
    wrong=[
        (_relu_abs, "negative inputs must become 0, not |z|: ReLU(z) = max(0, z)"),
        (_relu_min, "max, not min: ReLU keeps the positive part, max(0, z)"),
        (_relu_leaky, "that is a leaky ReLU: plain ReLU sends every negative input to exactly 0"),
        (_relu_clip, "ReLU has no upper limit: max(0, z), not a clip to [0, 1]"),
        (_relu_mask, "that is the derivative (a 0/1 mask); ReLU itself returns z where z > 0"),
    ],
    arg_names=("z",),
)


# ----------------------------------------------------------------------------- leaky_relu

def _leaky_cases(rng):
    return [
        Case((ZERO_ROW.copy(), 0.01), "negatives, ±0 and positives, alpha = 0.01"),
        Case((rng.normal(scale=3.0, size=(3, 4)), 0.2), "random (3, 4), alpha = 0.2"),
        Case((EXTREMES.copy(), 0.01), "extreme values, alpha = 0.01"),
        Case((rng.normal(size=(2, 3)), 0.0), "alpha = 0 is the plain ReLU"),
        Case((np.array([[-4.0]]), 0.3), "a single negative value, alpha = 0.3"),
        Case((rng.normal(scale=2.0, size=(2, 5)).astype(np.float32), 0.1), "float32 input, alpha = 0.1",
             dtype=np.float32),
    ]


def _leaky_oracle(z, alpha):
    return F.leaky_relu(torch.from_numpy(z), negative_slope=alpha).numpy()


def _leaky_fixed(z, alpha):
    return np.where(z > 0, z, 0.01 * z)


def _leaky_plain(z, alpha):
    return np.maximum(z, 0.0)


def _leaky_swapped(z, alpha):
    return np.where(z > 0, alpha * z, z)


def _leaky_constant(z, alpha):
    return np.where(z > 0, z, alpha)


def _leaky_mask(z, alpha):
    return np.where(z > 0, 1.0, alpha).astype(z.dtype)


LEAKY_RELU = Exercise(
    name="leaky_relu",
    draw=_leaky_cases,
    oracle=_leaky_oracle,
    forbidden=TORCH_RELU,
    wrong=[
        (_leaky_plain, "keep the leak: a negative input z gives alpha·z, not 0"),
        (_leaky_fixed, "use the argument alpha; 0.01 is only its default"),
        (_leaky_swapped, "the slope alpha belongs to the negative side: z where z > 0, alpha·z elsewhere"),
        (_leaky_constant, "for z ≤ 0 the output is alpha·z, a line through 0, not the constant alpha"),
        (_leaky_mask, "that is the derivative (1 or alpha); leaky ReLU itself returns z or alpha·z"),
    ],
    arg_names=("z", "alpha"),
)


# ----------------------------------------------------------------------------- the backward functions

def _backward_cases(rng, extremes=True):
    dA_row = np.array([[1.5, -2.0, 0.7, 3.0, -1.0, 2.0]])
    cases = [
        Case((dA_row.copy(), ZERO_ROW.copy()), "Z holds an exact 0 and a -0: the convention at 0 matters"),
        Case((rng.normal(size=(4, 6)), rng.normal(scale=2.0, size=(4, 6))), "random (4, 6)"),
        Case((rng.normal(size=(3, 1)), np.array([[0.0], [-1.2], [2.2]])), "one example (3, 1) with a 0"),
        Case((rng.normal(size=(2, 5)).astype(np.float32), rng.normal(scale=2.0, size=(2, 5)).astype(np.float32)),
             "float32 inputs stay float32", dtype=np.float32),
    ]
    if extremes:
        cases.insert(2, Case((rng.normal(size=EXTREMES.shape), EXTREMES.copy()),
                             "extreme Z up to ±1e6: no overflow allowed"))
    return cases


def _sigmoid_backward_oracle(dA, Z):
    return _autograd_dZ("sigmoid", dA, Z)


def _sb_no_dA(dA, Z):
    s = _sig(Z)
    return s * (1 - s)


def _sb_on_Z(dA, Z):
    return dA * Z * (1 - Z)


def _sb_one_factor(dA, Z):
    return dA * _sig(Z)


def _sb_tanh_form(dA, Z):
    return dA * (1 - _sig(Z) ** 2)


def _sb_plus(dA, Z):
    s = _sig(Z)
    return dA + s * (1 - s)


SIGMOID_BACKWARD = Exercise(
    name="sigmoid_backward",
    draw=_backward_cases,
    oracle=_sigmoid_backward_oracle,
    strict_fp=True,
    fp_hint=("1 / (1 + exp(-Z)) overflows for Z below about -709: use the stable sigmoid imported in "
             "the first cell (from dlbook.activations)"),
    forbidden=AUTOGRAD + TORCH_SIGMOID,
    wrong=[
        (_sb_no_dA, "multiply by the upstream gradient: dZ = dA * σ'(Z), not σ'(Z) alone"),
        (_sb_on_Z, "apply σ first: σ'(Z) = σ(Z)(1 − σ(Z)). Z(1 − Z) is the formula A(1 − A) with Z in place of A"),
        (_sb_one_factor, "the derivative is σ(Z)(1 − σ(Z)); you multiplied by σ(Z) only"),
        (_sb_tanh_form, "1 − a² is the derivative of tanh; the sigmoid's is a(1 − a) with a = σ(Z)"),
        (_sb_plus, "the chain rule multiplies: dZ = dA * g'(Z), not dA + g'(Z)"),
    ],
    arg_names=("dA", "Z"),
)


def _tanh_backward_oracle(dA, Z):
    return _autograd_dZ("tanh", dA, Z)


def _tb_no_dA(dA, Z):
    return 1 - np.tanh(Z) ** 2


def _tb_on_Z(dA, Z):
    return dA * (1 - Z ** 2)


def _tb_square_outside(dA, Z):
    return dA * (1 - np.tanh(Z)) ** 2


def _tb_not_squared(dA, Z):
    return dA * (1 - np.tanh(Z))


def _tb_sigmoid_form(dA, Z):
    t = np.tanh(Z)
    return dA * t * (1 - t)


TANH_BACKWARD = Exercise(
    name="tanh_backward",
    draw=_backward_cases,
    oracle=_tanh_backward_oracle,
    strict_fp=True,
    fp_hint=("(e^z − e^−z) / (e^z + e^−z) overflows for |z| above about 710: use xp.tanh, "
             "which is computed safely"),
    forbidden=AUTOGRAD,
    wrong=[
        (_tb_no_dA, "multiply by the upstream gradient: dZ = dA * (1 − tanh²(Z))"),
        (_tb_on_Z, "1 − a² needs a = tanh(Z); you used Z itself: 1 − tanh(Z)², not 1 − Z²"),
        (_tb_square_outside, "1 − tanh²(Z) means 1 − (tanh Z)², not (1 − tanh Z)²"),
        (_tb_not_squared, "square the tanh: the derivative is 1 − tanh²(Z), not 1 − tanh(Z)"),
        (_tb_sigmoid_form, "a(1 − a) is the sigmoid's derivative; tanh's is 1 − a² with a = tanh(Z)"),
    ],
    arg_names=("dA", "Z"),
)


def _relu_backward_oracle(dA, Z):
    return _autograd_dZ("relu", dA, Z)


def _rb_ge(dA, Z):
    return dA * (Z >= 0)


def _rb_no_dA(dA, Z):
    return (Z > 0).astype(dA.dtype)


def _rb_times_relu(dA, Z):
    return dA * np.maximum(Z, 0.0)


def _rb_mask_from_dA(dA, Z):
    return dA * (dA > 0)


def _rb_identity(dA, Z):
    return dA.copy()


RELU_BACKWARD = Exercise(
    name="relu_backward",
    draw=_backward_cases,
    oracle=_relu_backward_oracle,
    forbidden=AUTOGRAD + TORCH_RELU,
    wrong=[
        (_rb_ge, "at Z = 0 exactly the derivative is taken as 0 (PyTorch's convention): use Z > 0, not Z >= 0"),
        (_rb_no_dA, "multiply the 0/1 mask by the upstream gradient: dZ = dA * (Z > 0)"),
        (_rb_times_relu, "multiply dA by the derivative, the 0/1 mask (Z > 0), not by ReLU(Z) itself"),
        (_rb_mask_from_dA, "the mask comes from Z, the forward input, not from dA"),
        (_rb_identity, "where Z ≤ 0 the unit was off, so no gradient passes: set dZ to 0 there"),
    ],
    arg_names=("dA", "Z"),
)


def _leaky_backward_cases(rng):
    base = _backward_cases(rng)
    alphas = [0.01, 0.2, 0.05, 0.3, 0.1]
    return [Case(c.args + (a,), f"{c.label}, alpha = {a:g}", c.dtype) for c, a in zip(base, alphas)]


def _leaky_backward_oracle(dA, Z, alpha):
    return _autograd_dZ("leaky_relu", dA, Z, alpha=alpha)


def _lb_ge(dA, Z, alpha):
    return dA * np.where(Z >= 0, 1.0, alpha)


def _lb_no_leak(dA, Z, alpha):
    return dA * (Z > 0)


def _lb_fixed(dA, Z, alpha):
    return dA * np.where(Z > 0, 1.0, 0.01)


def _lb_alpha_z(dA, Z, alpha):
    return dA * np.where(Z > 0, 1.0, alpha * Z)


def _lb_no_dA(dA, Z, alpha):
    return np.where(Z > 0, 1.0, alpha).astype(dA.dtype)


LEAKY_RELU_BACKWARD = Exercise(
    name="leaky_relu_backward",
    draw=_leaky_backward_cases,
    oracle=_leaky_backward_oracle,
    forbidden=AUTOGRAD + TORCH_RELU,
    wrong=[
        (_lb_ge, "at Z = 0 exactly the derivative is alpha (PyTorch's convention): use Z > 0, not Z >= 0"),
        (_lb_no_leak, "negative inputs still pass alpha·dA back: that is the point of the leak"),
        (_lb_fixed, "use the argument alpha; 0.01 is only its default"),
        (_lb_alpha_z, "the derivative of alpha·z is the constant alpha, not alpha·z"),
        (_lb_no_dA, "multiply by the upstream gradient: dZ = dA * g'(Z)"),
    ],
    arg_names=("dA", "Z", "alpha"),
)


# ----------------------------------------------------------------------------- chain_gradient

def _chain_cases(rng):
    pos = rng.uniform(0.1, 3.0, size=10)
    with_zero = pos[:6].copy()
    with_zero[3] = 0.0
    mixed = np.array([1.2, -0.7, 0.0, 2.0, -3.0])
    return [
        Case((np.zeros(10), np.ones(10), "sigmoid"), "the notes' argument: 10 sigmoid layers at z = 0, w = 1"),
        Case((pos, np.ones(10), "relu"), "10 active ReLU layers (z > 0), w = 1"),
        Case((rng.normal(size=6), rng.normal(size=6), "tanh"), "tanh, random z and w"),
        Case((with_zero, rng.normal(size=6), "relu"), "ReLU with one z exactly 0"),
        Case((mixed, rng.normal(size=5), "leaky_relu"), "leaky ReLU with negatives and a 0"),
        Case((np.zeros(10), np.full(10, 4.0), "sigmoid"), "sigmoid at z = 0 with w = 4: the weights undo the 0.25"),
        Case((rng.normal(size=8).astype(np.float32), rng.normal(size=8).astype(np.float32), "sigmoid"),
             "float32 inputs", dtype=np.float32),
    ]


def _chain_oracle(z, w, activation):
    zt = torch.tensor(z, requires_grad=True)
    (g_prime,) = torch.autograd.grad(TORCH_G[activation](zt), zt, grad_outputs=torch.ones_like(zt))
    return float(torch.prod(torch.from_numpy(w) * g_prime))


def _np_g(z, activation):
    return {"sigmoid": _sig, "tanh": np.tanh, "relu": lambda x: np.maximum(x, 0.0),
            "leaky_relu": lambda x: np.where(x > 0, x, 0.01 * x)}[activation](z)


def _np_g_prime(z, activation, relu_at_zero=0.0):
    if activation == "sigmoid":
        s = _sig(z)
        return s * (1 - s)
    if activation == "tanh":
        return 1 - np.tanh(z) ** 2
    if activation == "relu":
        return np.where(z > 0, 1.0, np.where(z == 0, relu_at_zero, 0.0))
    return np.where(z > 0, 1.0, 0.01)


def _chain_sum(z, w, activation):
    return float(np.sum(w * _np_g_prime(z, activation)))


def _chain_no_w(z, w, activation):
    return float(np.prod(_np_g_prime(z, activation)))


def _chain_values(z, w, activation):
    return float(np.prod(w * _np_g(z, activation)))


def _chain_relu_one_at_zero(z, w, activation):
    return float(np.prod(w * _np_g_prime(z, activation, relu_at_zero=1.0)))


CHAIN_GRADIENT = Exercise(
    name="chain_gradient",
    draw=_chain_cases,
    oracle=_chain_oracle,
    forbidden=AUTOGRAD + TORCH_RELU + TORCH_SIGMOID,
    wrong=[
        (_chain_sum, "the chain rule multiplies the factors of the layers: a product ∏ w_l g'(z_l), not a sum"),
        (_chain_values, "multiply the derivatives g'(z_l), not the activations g(z_l)"),
        (_chain_no_w, "each layer contributes w_l · g'(z_l): include the weights"),
        (_chain_relu_one_at_zero, "ReLU'(0) is 0 by the book's (and PyTorch's) convention, so a z exactly 0 "
                                  "blocks the path"),
    ],
    arg_names=("z", "w", "activation"),
)

EXERCISES = {e.name: e for e in (RELU, LEAKY_RELU, SIGMOID_BACKWARD, TANH_BACKWARD, RELU_BACKWARD,
                                 LEAKY_RELU_BACKWARD, CHAIN_GRADIENT)}
