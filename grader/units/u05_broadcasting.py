"""Unit 05 · Broadcasting in NumPy.

Exercises: broadcast_shape (the rule, on plain tuples), normalize_rows, softmax (along a given
axis), standardize (per feature, population std). Oracles: np.broadcast_shapes cross-checked
with torch.broadcast_shapes (ValueError and RuntimeError both mean "incompatible"),
F.normalize(p=2, dim=1), torch.softmax(dim=axis), torch.mean and torch.std(correction=0):
torch.std alone is the *unbiased* estimator. Layout: X (n_x, m), statistics (n_x, 1).

The square cases come first: there a reduction without keepdims broadcasts along the wrong
axis and gives wrong numbers instead of an error, which is the trap the checks must catch.
"""
import numpy as np
import torch
import torch.nn.functional as F

from grader.core import Case, Exercise


def _quiet(fn):
    """Wrong implementations may divide by zero; their warnings would only clutter a student's output."""
    def wrapped(*args):
        with np.errstate(divide="ignore", invalid="ignore"):
            return fn(*args)
    wrapped.__name__ = fn.__name__
    return wrapped


# ----------------------------------------------------------------------------- broadcast_shape

FIXED_PAIRS = [
    (((5, 1), (1, 5)), "a column plus a row: the silent (5, 5) outer sum"),
    (((), (2, 3)), "a scalar (shape ()) with a matrix"),
    (((2, 1), (2,)), "a column (2, 1) and a rank-1 (2,): the rank-1 acts as a row, giving (2, 2)"),
    (((4, 3), (3,)), "(4, 3) and a rank-1 (3,): padded to (1, 3)"),
    (((4, 3), (4,)), "(4, 3) and a rank-1 (4,): padded to (1, 4), incompatible"),
    (((4, 3), (4, 1)), "(4, 3) and a column (4, 1)"),
    (((4, 3), (4, 2)), "(4, 3) and (4, 2): incompatible"),
    (((2, 3, 4), (3, 1)), "3-D with 2-D"),
    (((8, 1, 6, 1), (7, 1, 5)), "NumPy's documentation example: (8, 7, 6, 5)"),
    (((2, 1), (8, 4, 3)), "NumPy's documentation counter-example: incompatible"),
    (((1,), (1, 1, 1)), "all ones, different lengths"),
    (((3,), (3,)), "equal shapes"),
    (((5, 0), (1,)), "a length-0 axis: 1 stretches to 0, not the other way"),
]


def _broadcast_cases(rng):
    cases = [Case(pair, label) for pair, label in FIXED_PAIRS]
    for k in range(20):
        a, b = (tuple(int(d) for d in rng.choice([1, 2, 3], size=rng.integers(0, 5))) for _ in range(2))
        cases.append(Case((a, b), f"random pair {k + 1}"))
    return cases


def _broadcast_oracle(shape_a, shape_b):
    try:
        np_result = tuple(np.broadcast_shapes(tuple(shape_a), tuple(shape_b)))
    except ValueError:                     # NumPy's way of saying "incompatible"
        np_result = None
    try:
        torch_result = tuple(torch.broadcast_shapes(tuple(shape_a), tuple(shape_b)))
    except RuntimeError:                   # torch's way of saying the same
        torch_result = None
    assert np_result == torch_result, f"NumPy and torch disagree on {shape_a}, {shape_b}"
    return np_result


def _rule(x, y):
    """One aligned pair of dimensions: the result, or None when incompatible."""
    if x == y or y == 1:
        return x
    return y if x == 1 else None


def _combine(pairs):
    out = [_rule(x, y) for x, y in pairs]
    return None if None in out else tuple(out)


def _bs_same_rank_only(shape_a, shape_b):
    if len(shape_a) != len(shape_b):
        return None
    return _combine(zip(shape_a, shape_b))


def _bs_no_padding(shape_a, shape_b):
    out = _combine(zip(reversed(shape_a), reversed(shape_b)))
    return None if out is None else out[::-1]


def _bs_left_aligned(shape_a, shape_b):
    n = max(len(shape_a), len(shape_b))
    a, b = tuple(shape_a) + (1,) * (n - len(shape_a)), tuple(shape_b) + (1,) * (n - len(shape_b))
    return _combine(zip(a, b))


def _bs_no_check(shape_a, shape_b):
    n = max(len(shape_a), len(shape_b))
    a, b = (1,) * (n - len(shape_a)) + tuple(shape_a), (1,) * (n - len(shape_b)) + tuple(shape_b)
    return tuple(max(x, y) for x, y in zip(a, b))


def _bs_max(shape_a, shape_b):
    n = max(len(shape_a), len(shape_b))
    a, b = (1,) * (n - len(shape_a)) + tuple(shape_a), (1,) * (n - len(shape_b)) + tuple(shape_b)
    if any(x != y and 1 not in (x, y) for x, y in zip(a, b)):
        return None
    return tuple(max(x, y) for x, y in zip(a, b))


BROADCAST_SHAPE = Exercise(
    name="broadcast_shape",
    draw=_broadcast_cases,
    oracle=_broadcast_oracle,
    backends=("python",),
    forbidden=("numpy.broadcast_shapes", "numpy.broadcast", "numpy.broadcast_to", "numpy.broadcast_arrays",
               "torch.broadcast_shapes", "torch.broadcast_to", "torch.broadcast_tensors"),
    wrong=[
        (_bs_same_rank_only, "shapes of different lengths can broadcast too: pad the shorter one with 1s "
                             "on the left, so () and (2, 3) give (2, 3)"),
        (_bs_no_padding, "pad the shorter shape with 1s on the left: the result has as many dimensions "
                         "as the longer shape"),
        (_bs_left_aligned, "align the shapes from the right (the trailing dimensions): (4, 3) and (3,) "
                           "compare 3 with 3, and (3,) becomes (1, 3)"),
        (_bs_max, "a dimension of 1 takes the other size, whatever it is, even 0: the result is "
                  "not always the larger number"),
        (_bs_no_check, "two dimensions must be equal or one of them 1; otherwise the shapes do not "
                       "broadcast: return None"),
    ],
    arg_names=("shape_a", "shape_b"),
)


# ----------------------------------------------------------------------------- normalize_rows

def _normalize_cases(rng):
    with_zero = rng.normal(size=(5, 3))
    with_zero[2] = 0.0
    return [
        Case((np.array([[3.0, 4.0, 0.0], [1.0, 2.0, 2.0], [0.0, -5.0, 12.0]]),),
             "a square (3, 3): norms 5, 3 and 13"),
        Case((rng.normal(size=(4, 6)),), "random (4, 6)"),
        Case((with_zero,), "(5, 3) with a row of zeros, which must stay zeros"),
        Case((rng.normal(size=(1, 7)),), "one row (1, 7)"),
        Case((rng.normal(size=(6, 1)),), "one column (6, 1): every row becomes ±1"),
        Case((rng.normal(scale=10.0, size=(3, 5)).astype(np.float32),), "float32 input stays float32",
             dtype=np.float32),
    ]


def _normalize_oracle(x):
    return F.normalize(torch.from_numpy(x), p=2.0, dim=1).numpy()


@_quiet
def _nr_axis0(x):
    return x / np.linalg.norm(x, axis=0, keepdims=True)


@_quiet
def _nr_no_keepdims(x):
    return x / np.linalg.norm(x, axis=1)


@_quiet
def _nr_squared(x):
    return x / np.sum(x ** 2, axis=1, keepdims=True)


@_quiet
def _nr_l1(x):
    return x / np.sum(np.abs(x), axis=1, keepdims=True)


@_quiet
def _nr_matrix_norm(x):
    return x / np.linalg.norm(x)


@_quiet
def _nr_no_guard(x):
    return x / np.linalg.norm(x, axis=1, keepdims=True)


NORMALIZE_ROWS = Exercise(
    name="normalize_rows",
    draw=_normalize_cases,
    oracle=_normalize_oracle,
    forbidden=("torch.nn.functional.normalize", "sklearn.preprocessing.normalize"),
    wrong=[
        (_nr_axis0, "that normalizes the columns: take each row's norm along axis=1 (across the columns)"),
        (_nr_no_keepdims, "without keepdims=True the norms have shape (n,) and broadcast as a row, "
                          "dividing column j by the norm of row j; keep them as a column (n, 1)"),
        (_nr_squared, "divide by the norm √(Σ x²), not by the sum of squares"),
        (_nr_l1, "use the Euclidean (L2) norm √(Σ x²), not the sum of absolute values"),
        (_nr_matrix_norm, "divide each row by its own norm, not by the norm of the whole matrix"),
        (_nr_no_guard, "a row of zeros has norm 0 and 0 / 0 is NaN: divide by the norm clipped from "
                       "below at 1e-12, xp.clip(norm, 1e-12, None), as F.normalize does"),
    ],
    arg_names=("x",),
)


# ----------------------------------------------------------------------------- softmax

def _softmax_cases(rng):
    return [
        Case((np.array([[1.0, 2.0, 3.0], [0.5, -1.0, 2.0], [4.0, 0.0, 0.0]]), 1),
             "a square (3, 3) along axis=1: each row a distribution"),
        Case((rng.normal(size=(4, 5)), 0), "scores (4 classes, 5 examples) along axis=0: each column"),
        Case((rng.normal(size=(2, 3, 4)), 1), "3-D (2, 3, 4) along the middle axis"),
        Case((np.array([[1000.0, -1000.0, 0.0], [999.0, 1000.0, 1001.0]]), 0),
             "scores of ±1000 along axis=0: exp must not overflow"),
        Case((rng.normal(size=(1, 6)), 0), "one class (1, 6): every probability is 1"),
        Case((rng.normal(scale=3.0, size=(3, 4)).astype(np.float32), -1), "float32 along axis=-1",
             dtype=np.float32),
    ]


def _softmax_oracle(z, axis):
    return torch.softmax(torch.from_numpy(z), dim=axis).numpy()


def _sm(z, axis):
    e = np.exp(z - np.max(z, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def _sm_first_axis(z, axis):
    return _sm(z, 0)


def _sm_last_axis(z, axis):
    return _sm(z, -1)


def _sm_no_keepdims(z, axis):
    e = np.exp(z - np.max(z, axis=axis))
    return e / np.sum(e, axis=axis)


def _sm_total(z, axis):
    e = np.exp(z - np.max(z))
    return e / np.sum(e)


def _sm_naive(z, axis):
    e = np.exp(z)
    return e / np.sum(e, axis=axis, keepdims=True)


SOFTMAX_FP_HINT = ("exp overflows for scores above about 709: subtract the maximum along the axis first, "
                   "z - xp.max(z, axis=axis, keepdims=True); it cancels in the ratio")

SOFTMAX = Exercise(
    name="softmax",
    draw=_softmax_cases,
    oracle=_softmax_oracle,
    strict_fp=True,
    fp_hint=SOFTMAX_FP_HINT,
    forbidden=("torch.softmax", "torch.nn.functional.softmax", "torch.Tensor.softmax", "torch.special.softmax",
               "torch.log_softmax", "torch.nn.functional.log_softmax", "scipy.special.softmax"),
    wrong=[
        (_sm_first_axis, "use the axis argument: here each row (axis=1) must sum to 1, not each column"),
        (_sm_last_axis, "use the axis argument: with axis=0 each column must sum to 1, not each row"),
        (_sm_no_keepdims, "without keepdims=True the max and the sum lose the axis and broadcast along "
                          "the wrong one: xp.sum(e, axis=axis, keepdims=True)"),
        (_sm_total, "divide by the sum along the axis, not by the sum of all entries"),
        (_sm_naive, SOFTMAX_FP_HINT),
    ],
    arg_names=("z", "axis"),
)


# ----------------------------------------------------------------------------- standardize

def _standardize_cases(rng):
    constant = rng.normal(size=(2, 6))
    constant[1] = 3.0                      # exactly representable: mean 3, σ exactly 0
    return [
        Case((rng.normal(size=(4, 4)) * [[1.0], [5.0], [0.2], [3.0]] + [[0.0], [10.0], [-1.0], [2.0]], 1e-8),
             "a square (4, 4): 4 features, 4 examples"),
        Case((rng.random((3, 10)) * [[1.0], [100.0], [0.1]] + [[0.0], [50.0], [0.3]], 1e-8),
             "3 features on very different scales, m = 10"),
        Case((constant, 1e-8), "a constant feature (σ = 0) must map to 0, not NaN"),
        Case((rng.normal(size=(3, 1)), 1e-8), "one example (m = 1): every σ is 0"),
        Case((rng.normal(scale=0.1, size=(2, 8)), 1e-3), "eps = 1e-3: use the argument"),
        Case((rng.normal(size=(1, 5)) * 7.0 + 2.0, 1e-8), "a single feature (1, 5)"),
        Case(((rng.normal(size=(3, 7)) * 4.0 + 1.0).astype(np.float32), 1e-8), "float32 input stays float32",
             dtype=np.float32),
    ]


def _standardize_oracle(X, eps):
    Xt = torch.from_numpy(X)
    mu = torch.mean(Xt, dim=1, keepdim=True)
    sigma = torch.std(Xt, dim=1, keepdim=True, correction=0)     # population std, like np.std
    return ((Xt - mu) / (sigma + eps)).numpy(), mu.numpy(), sigma.numpy()


def _st(X, eps, axis=1, keepdims=True, ddof=0):
    mu = np.mean(X, axis=axis, keepdims=keepdims)
    sigma = np.std(X, axis=axis, keepdims=keepdims, ddof=ddof)
    return mu, sigma


@_quiet
def _st_unbiased(X, eps):
    mu, sigma = _st(X, eps, ddof=1)
    return (X - mu) / (sigma + eps), mu, sigma


@_quiet
def _st_axis0(X, eps):
    mu, sigma = _st(X, eps, axis=0)
    return (X - mu) / (sigma + eps), mu, sigma


@_quiet
def _st_no_keepdims(X, eps):
    mu, sigma = _st(X, eps, keepdims=False)
    return (X - mu) / (sigma + eps), mu, sigma


@_quiet
def _st_variance(X, eps):
    mu, sigma = _st(X, eps)
    return (X - mu) / (sigma ** 2 + eps), mu, sigma


@_quiet
def _st_no_eps(X, eps):
    mu, sigma = _st(X, eps)
    return (X - mu) / sigma, mu, sigma


@_quiet
def _st_fixed_eps(X, eps):
    mu, sigma = _st(X, eps)
    return (X - mu) / (sigma + 1e-8), mu, sigma


STANDARDIZE = Exercise(
    name="standardize",
    draw=_standardize_cases,
    oracle=_standardize_oracle,
    rtol=1e-6,                             # where eps = 1e-8, eps / sigma < 4e-7: forgetting eps
    atol=1e-9,                             # shows only where sigma = 0, with its own hint
    forbidden=("sklearn.preprocessing.scale", "sklearn.preprocessing.StandardScaler"),
    wrong=[
        (_st_unbiased, "use the population standard deviation (divide by m, ddof=0, what xp.std does); "
                       "the unbiased one divides by m − 1 (torch.std's default)"),
        (_st_axis0, "the statistics are per feature, one per row of X: average across the examples "
                    "with axis=1, which gives mu and sigma of shape (n_x, 1)"),
        (_st_no_keepdims, "mu and sigma must be columns (n_x, 1): use keepdims=True. As rank-1 (n_x,) "
                          "arrays they broadcast as rows, along the wrong axis"),
        (_st_variance, "divide by the standard deviation σ + eps, not by the variance σ²"),
        (_st_fixed_eps, "use the eps argument instead of a fixed 1e-8"),
        (_st_no_eps, "divide by sigma + eps, not by sigma: eps keeps a constant feature (σ = 0) from "
                     "giving 0 / 0 = NaN"),
    ],
    arg_names=("X", "eps"),
    returns=("X_norm", "mu", "sigma"),
)

EXERCISES = {e.name: e for e in (BROADCAST_SHAPE, NORMALIZE_ROWS, SOFTMAX, STANDARDIZE)}
