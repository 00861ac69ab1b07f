"""Unit 02 · Binary classification and the cross-entropy cost.

Exercises: binary_cross_entropy, bce_with_logits, logistic_backward_single, loss_landscape.
Oracles: F.binary_cross_entropy on A clamped to [eps, 1 - eps] (torch's own clamp of the log at
-100 then never acts: the clamped log is at least log(1e-12) = -27.6); F.binary_cross_entropy_with_logits;
torch autograd with retained gradients of a and z; a loop over the grid with torch built-ins.
Layout: X, Y, A, Z of shape (1, m); w (n_x, 1) for one neuron; w_grid (k, 1) for a 1-D landscape.
"""
import numpy as np
import torch
import torch.nn.functional as F

from grader.core import Case, Exercise

# The chapter's worked example: bag packed (x1 = 1), glances at the door (x2 = 5), escaped (y = 1).
SEED_X = np.array([[1.0], [5.0]])
SEED_W = np.array([[2.0], [0.5]])
SEED_B = -3.0
# The chapter's four-point set on which squared error has two local minima and BCE one.
FOUR_X = np.array([[-1.6, 0.2, 1.3, -4.9]])
FOUR_Y = np.array([[1.0, 1.0, 0.0, 0.0]])


def _t(a):
    return torch.from_numpy(np.asarray(a, dtype=np.float64))


def _labels(rng, m, p=0.5):
    return (rng.random((1, m)) < p).astype(float)


def _quiet(fn):
    """Wrong implementations may take log(0) on purpose: keep their warnings out of the notebook."""
    def wrapped(*args):
        with np.errstate(all="ignore"):
            return fn(*args)
    wrapped.__name__ = fn.__name__
    return wrapped


def _sig(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


# ----------------------------------------------------------------------------- binary_cross_entropy

def _bce_cases(rng):
    A = rng.uniform(0.05, 0.95, size=(1, 9))
    return [
        Case((np.array([[0.0, 1.0, 0.3, 0.9]]), np.array([[1.0, 0.0, 0.0, 1.0]])),
             "confidently wrong: A = 0 where Y = 1 and A = 1 where Y = 0 (must stay finite)"),
        Case((np.array([[0.8, 0.1, 1.0, 0.0]]), np.array([[1.0, 1.0, 1.0, 0.0]]), 1e-5),
             "the notes' four predictions with eps = 1e-5 (two of them exactly right)"),
        Case((np.array([[0.8175744761936437]]), np.array([[1.0]])), "the worked example, m = 1"),
        Case((A, _labels(rng, 9)), "random A in [0.05, 0.95], m = 9"),
        Case((np.array([[1e-6, 1 - 1e-6, 1e-6, 1 - 1e-6, 0.5]]), np.array([[0.0, 1.0, 1.0, 0.0, 1.0]])),
             "A at 1e-6 and 1 - 1e-6"),
        Case((rng.uniform(0.02, 0.98, size=(1, 6)).astype(np.float32),
              _labels(rng, 6).astype(np.float32)), "float32 inputs", dtype=np.float32),
    ]


def _bce_oracle(A, Y, eps=1e-12):
    A_clipped = torch.clamp(_t(A), eps, 1 - eps)
    return float(F.binary_cross_entropy(A_clipped, _t(Y)))


def _bce_no_clip(A, Y, eps=1e-12):
    return float(-np.mean(Y * np.log(A) + (1 - Y) * np.log(1 - A)))


def _bce_eps_inside(A, Y, eps=1e-12):
    return float(-np.mean(Y * np.log(A + eps) + (1 - Y) * np.log(1 - A + eps)))


def _clip(A, eps):
    return np.clip(A, eps, 1 - eps)


def _bce_sum(A, Y, eps=1e-12):
    A = _clip(A, eps)
    return float(-np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)))


def _bce_no_minus(A, Y, eps=1e-12):
    A = _clip(A, eps)
    return float(np.mean(Y * np.log(A) + (1 - Y) * np.log(1 - A)))


def _bce_log10(A, Y, eps=1e-12):
    A = _clip(A, eps)
    return float(-np.mean(Y * np.log10(A) + (1 - Y) * np.log10(1 - A)))


def _bce_one_term(A, Y, eps=1e-12):
    A = _clip(A, eps)
    return float(-np.mean(Y * np.log(A)))


BCE_CLIP_HINT = ("log(0) is -inf: clip A to [eps, 1 - eps] first (A = xp.clip(A, eps, 1 - eps)), "
                 "then take the logs")

BINARY_CROSS_ENTROPY = Exercise(
    name="binary_cross_entropy",
    draw=_bce_cases,
    oracle=_bce_oracle,
    strict_fp=True,
    fp_hint=BCE_CLIP_HINT,
    forbidden=("torch.nn.functional.binary_cross_entropy", "torch.nn.functional.binary_cross_entropy_with_logits",
               "torch.nn.BCELoss", "torch.nn.BCEWithLogitsLoss",
               "dlbook.losses.binary_cross_entropy", "dlbook.losses.bce_with_logits"),
    wrong=[
        (_quiet(_bce_no_clip), BCE_CLIP_HINT),
        (_bce_eps_inside, "adding eps inside the logs, log(A + eps), biases every term and makes a perfect "
                          "prediction's loss negative: clip A to [eps, 1 - eps] instead"),
        (_bce_one_term, "the loss has two terms: y log a for the examples with y = 1 and "
                        "(1 - y) log(1 - a) for those with y = 0"),
        (_bce_no_minus, "the cost is the *negative* log-likelihood: J = -mean(Y log A + (1 - Y) log(1 - A)), "
                        "a positive number"),
        (_bce_sum, "the cost is the mean over the m examples, not the sum"),
        (_bce_log10, "use the natural log (xp.log), not log10"),
    ],
    arg_names=("A", "Y", "eps"),
)


# ----------------------------------------------------------------------------- bce_with_logits

def _logit_cases(rng):
    return [
        Case((np.array([[1.5]]), np.array([[1.0]])), "the worked example: z = 1.5, y = 1"),
        Case((rng.normal(scale=3.0, size=(1, 8)), _labels(rng, 8)), "random scores, m = 8"),
        Case((np.array([[-30.0, -20.0, 25.0, 30.0, -25.0, 20.0]]), np.array([[0.0, 0.0, 1.0, 0.0, 1.0, 1.0]])),
             "large scores, |z| up to 30: sigma(z) rounds near 1"),
        Case((np.array([[-1000.0, 1000.0, -710.0, 710.0, 0.0]]), np.array([[1.0, 0.0, 0.0, 1.0, 1.0]])),
             "extreme scores, |z| up to 1000: z = -1000 with y = 1 costs exactly 1000"),
        Case((rng.normal(scale=4.0, size=(1, 7)).astype(np.float32), _labels(rng, 7).astype(np.float32)),
             "float32 inputs", dtype=np.float32),
    ]


def _logit_oracle(Z, Y):
    return float(F.binary_cross_entropy_with_logits(_t(Z), _t(Y)))


def _softplus(Z):
    return np.maximum(Z, 0) + np.log1p(np.exp(-np.abs(Z)))


def _logit_naive_softplus(Z, Y):
    return float(np.mean(np.log(1 + np.exp(Z)) - Y * Z))


def _logit_sigmoid_then_log(Z, Y):
    A = _sig(Z)
    return float(-np.mean(Y * np.log(A) + (1 - Y) * np.log(1 - A)))


def _logit_no_abs(Z, Y):
    return float(np.mean(np.maximum(Z, 0) + np.log1p(np.exp(-Z)) - Y * Z))


def _logit_flipped(Z, Y):
    return float(np.mean(_softplus(Z) - (1 - Y) * Z))


def _logit_sum(Z, Y):
    return float(np.sum(_softplus(Z) - Y * Z))


LOGITS_FP_HINT = ("e^z overflows for z above about 709: write log(1 + e^z) as "
                  "max(z, 0) + log1p(exp(-|z|)), whose exponent is never positive")

BCE_WITH_LOGITS = Exercise(
    name="bce_with_logits",
    draw=_logit_cases,
    oracle=_logit_oracle,
    strict_fp=True,
    fp_hint=LOGITS_FP_HINT,
    forbidden=("torch.nn.functional.binary_cross_entropy_with_logits", "torch.nn.functional.binary_cross_entropy",
               "torch.nn.functional.softplus", "torch.nn.BCEWithLogitsLoss", "torch.nn.BCELoss",
               "dlbook.losses.binary_cross_entropy", "dlbook.losses.bce_with_logits"),
    wrong=[
        (_quiet(_logit_sigmoid_then_log), "computing sigma(z) first and then log(1 - a) loses the digits of a "
                                          "tiny 1 - a (and gives log(0) once sigma rounds to 1): work from z, "
                                          "L = max(z, 0) + log1p(exp(-|z|)) - y z"),
        (_quiet(_logit_naive_softplus), LOGITS_FP_HINT),
        (_quiet(_logit_no_abs), "log(1 + e^z) = max(z, 0) + log1p(exp(-|z|)): the exponent needs the absolute "
                                "value |z|"),
        (_logit_flipped, "the label term is -y z (from -log sigma(z) = log(1 + e^z) - z): "
                         "use Y * Z, not (1 - Y) * Z"),
        (_logit_sum, "the cost is the mean over the m examples, not the sum"),
    ],
    arg_names=("Z", "Y"),
)


# ----------------------------------------------------------------------------- logistic_backward_single

def _single_cases(rng):
    return [
        Case((SEED_X.copy(), 1.0, SEED_W.copy(), SEED_B), "the worked example: x = (1, 5), y = 1"),
        Case((rng.normal(size=(3, 1)), 0.0, rng.normal(size=(3, 1)), 0.4), "random n_x = 3, y = 0"),
        Case((rng.normal(size=(1, 1)), 1.0, rng.normal(size=(1, 1)), -0.7), "one feature, y = 1"),
        Case((rng.normal(size=(5, 1)), 0.0, rng.normal(scale=0.5, size=(5, 1)), 1.2), "n_x = 5, y = 0"),
        Case((rng.normal(size=(4, 1)).astype(np.float32), 1.0, rng.normal(size=(4, 1)).astype(np.float32), 0.1),
             "float32 inputs", dtype=np.float32),
    ]


def _single_oracle(x, y, w, b):
    wt = torch.tensor(w, requires_grad=True)
    bt = torch.tensor(float(b), dtype=torch.float64, requires_grad=True)
    z = wt.T @ _t(x) + bt                      # (1, 1)
    a = torch.sigmoid(z)
    z.retain_grad()
    a.retain_grad()
    F.binary_cross_entropy(a, torch.full_like(a, float(y))).backward()
    return {"da": float(a.grad), "dz": float(z.grad), "dw": wt.grad.numpy(), "db": float(bt.grad)}


def _single_forward(x, y, w, b):
    return float(_sig(w.T @ x + b)[0, 0])


def _single_dz_sign(x, y, w, b):
    a = _single_forward(x, y, w, b)
    dz = y - a
    return {"da": -y / a + (1 - y) / (1 - a), "dz": dz, "dw": x * dz, "db": dz}


def _single_da_sign(x, y, w, b):
    a = _single_forward(x, y, w, b)
    dz = a - y
    return {"da": y / a - (1 - y) / (1 - a), "dz": dz, "dw": x * dz, "db": dz}


def _single_da_one_term(x, y, w, b):
    a = _single_forward(x, y, w, b)
    dz = a - y
    return {"da": -y / a, "dz": dz, "dw": x * dz, "db": dz}


def _single_no_sigma_prime(x, y, w, b):
    a = _single_forward(x, y, w, b)
    da = -y / a + (1 - y) / (1 - a)
    return {"da": da, "dz": da, "dw": x * da, "db": da}


def _single_dw_from_w(x, y, w, b):
    a = _single_forward(x, y, w, b)
    dz = a - y
    return {"da": -y / a + (1 - y) / (1 - a), "dz": dz, "dw": w * dz, "db": dz}


LOGISTIC_BACKWARD_SINGLE = Exercise(
    name="logistic_backward_single",
    draw=_single_cases,
    oracle=_single_oracle,
    forbidden=("torch.Tensor.backward", "torch.autograd.grad", "torch.autograd.backward"),
    wrong=[
        (_single_dz_sign, "dz = a - y (prediction minus label), not y - a"),
        (_single_da_sign, "dL/da = -y/a + (1 - y)/(1 - a): the loss has a minus sign in front"),
        (_single_da_one_term, "dL/da has two terms, -y/a + (1 - y)/(1 - a); the second matters when y = 0"),
        (_single_no_sigma_prime, "dz = dL/da * da/dz, and da/dz = a(1 - a): multiply by it (the product "
                                 "simplifies to a - y)"),
        (_single_dw_from_w, "z = wᵀx + b, so dz/dw = x: dw = x * dz (not w * dz)"),
    ],
    arg_names=("x", "y", "w", "b"),
)


# ----------------------------------------------------------------------------- loss_landscape

def _landscape_cases(rng):
    return [
        Case((np.linspace(-10, 10, 9)[:, None], FOUR_X.copy(), FOUR_Y.copy()),
             "the chapter's four points, w from -10 to 10 (|z| reaches 49)"),
        Case((rng.normal(size=(5, 1)), rng.normal(size=(1, 6)), _labels(rng, 6)), "random, k = 5, m = 6"),
        Case((np.array([[0.1374]]), FOUR_X.copy(), FOUR_Y.copy()), "one w (k = 1): the global minimum of MSE"),
        Case((rng.normal(scale=2.0, size=(7, 1)).astype(np.float32), rng.normal(size=(1, 3)).astype(np.float32),
              np.array([[1.0, 0.0, 1.0]], dtype=np.float32)), "float32 inputs", dtype=np.float32),
    ]


def _landscape_oracle(w_grid, X, Y):
    Xt, Yt = _t(X), _t(Y)
    mse, bce = [], []
    for w in w_grid[:, 0]:                      # one weight at a time: obviously right
        z = float(w) * Xt
        mse.append(float(torch.mean(0.5 * (torch.sigmoid(z) - Yt) ** 2)))
        bce.append(float(F.binary_cross_entropy_with_logits(z, Yt)))
    return np.array(mse)[:, None], np.array(bce)[:, None]


def _landscape_parts(w_grid, X, Y):
    Z = w_grid @ X                              # (k, m)
    return Z, _sig(Z)


def _landscape_naive_bce(w_grid, X, Y):
    Z, A = _landscape_parts(w_grid, X, Y)
    bce = -(Y * np.log(A) + (1 - Y) * np.log(1 - A))
    return np.mean(0.5 * (A - Y) ** 2, axis=1, keepdims=True), np.mean(bce, axis=1, keepdims=True)


def _landscape_no_half(w_grid, X, Y):
    Z, A = _landscape_parts(w_grid, X, Y)
    return (np.mean((A - Y) ** 2, axis=1, keepdims=True),
            np.mean(_softplus(Z) - Y * Z, axis=1, keepdims=True))


def _landscape_swapped(w_grid, X, Y):
    Z, A = _landscape_parts(w_grid, X, Y)
    return (np.mean(_softplus(Z) - Y * Z, axis=1, keepdims=True),
            np.mean(0.5 * (A - Y) ** 2, axis=1, keepdims=True))


def _landscape_wrong_axis(w_grid, X, Y):
    Z, A = _landscape_parts(w_grid, X, Y)
    return (np.mean(0.5 * (A - Y) ** 2, axis=0, keepdims=True),
            np.mean(_softplus(Z) - Y * Z, axis=0, keepdims=True))


def _landscape_sum(w_grid, X, Y):
    Z, A = _landscape_parts(w_grid, X, Y)
    return (np.sum(0.5 * (A - Y) ** 2, axis=1, keepdims=True),
            np.sum(_softplus(Z) - Y * Z, axis=1, keepdims=True))


LANDSCAPE_FP_HINT = ("sigma(z) rounds to exactly 1 for z above about 37, and log(1 - 1) = -inf: compute "
                     "the BCE from Z, L = max(Z, 0) + log1p(exp(-|Z|)) - Y * Z")

LOSS_LANDSCAPE = Exercise(
    name="loss_landscape",
    draw=_landscape_cases,
    oracle=_landscape_oracle,
    strict_fp=True,
    fp_hint=LANDSCAPE_FP_HINT,
    forbidden=("torch.nn.functional.binary_cross_entropy_with_logits", "torch.nn.functional.binary_cross_entropy",
               "torch.nn.functional.mse_loss", "torch.nn.functional.softplus"),
    wrong=[
        (_quiet(_landscape_naive_bce), LANDSCAPE_FP_HINT),
        (_landscape_swapped, "return (J_mse, J_bce) in that order"),
        (_landscape_no_half, "the squared-error loss of this chapter is (1/2)(a - y)^2: keep the 1/2"),
        (_landscape_wrong_axis, "Z = w_grid @ X has one row per w and one column per example: average over "
                                "the examples, axis=1 with keepdims=True, to get shape (k, 1)"),
        (_landscape_sum, "each cost is the mean over the m examples, not the sum"),
    ],
    arg_names=("w_grid", "X", "Y"),
    returns=("J_mse", "J_bce"),
)

EXERCISES = {e.name: e for e in (BINARY_CROSS_ENTROPY, BCE_WITH_LOGITS, LOGISTIC_BACKWARD_SINGLE, LOSS_LANDSCAPE)}
