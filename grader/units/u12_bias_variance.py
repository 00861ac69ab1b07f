"""Unit 12 · Diagnosing bias and variance.

Exercises: diagnose, poly_features, poly_fit_errors, bias_variance_decompose.
Oracles: exact rational arithmetic (fractions.Fraction) for the diagnosis rule; an explicit
power loop; torch.linalg.lstsq on the Vandermonde matrix; torch.var(correction=0).
Layout: one feature per example, X (1, m), Y (1, m); features are rows, Phi (degree + 1, m).
"""
from fractions import Fraction

import numpy as np
import torch

from grader.core import Case, Exercise

SLACK = 1e-9
LABELS = {(True, True): "high bias & high variance", (True, False): "high bias",
          (False, True): "high variance", (False, False): "good fit"}


# ----------------------------------------------------------------------------- diagnose

def _diagnose_cases(rng):
    return [
        Case((0.01, 0.11), "train 1%, dev 11%, Bayes 0%: the notes' first row"),
        Case((0.15, 0.16), "train 15%, dev 16%: the notes' second row"),
        Case((0.15, 0.30), "train 15%, dev 30%: both gaps are large"),
        Case((0.005, 0.01), "train 0.5%, dev 1%"),
        Case((0.15, 0.16, 0.15), "blurry documents: humans err 15% too"),
        Case((1 - 0.99, 1 - 0.89, 1 - 0.99), "the notes' listing: accuracies 99%, 89%, human 99%"),
        Case((0.125, 0.25, 0.0625, 0.0625), "avoidable bias exactly tol (binary fractions, no rounding): not high"),
        Case((0.03, 0.05, 0.01), "gaps 0.02 up to rounding (0.019999999999999997 and 0.020000000000000004)"),
        Case((0.10, 0.12, 0.02, 0.05), "a looser tolerance, tol = 5%"),
    ]


def _diagnose_oracle(train_err, dev_err, bayes_err=0.0, tol=0.02):
    # The gaps are judged in exact arithmetic on the decimal values the floats stand for.
    exact = lambda v: Fraction(repr(float(v)))
    bias_exact = exact(train_err) - exact(bayes_err)
    var_exact = exact(dev_err) - exact(train_err)
    high_bias, high_variance = bias_exact > exact(tol), var_exact > exact(tol)
    return {"avoidable_bias": float(train_err) - float(bayes_err), "variance": float(dev_err) - float(train_err),
            "high_bias": bool(high_bias), "high_variance": bool(high_variance),
            "label": LABELS[high_bias, high_variance]}


def _dg(bias, var, high_bias, high_variance):
    return {"avoidable_bias": bias, "variance": var, "high_bias": bool(high_bias),
            "high_variance": bool(high_variance), "label": LABELS[bool(high_bias), bool(high_variance)]}


def _diagnose_elif(train_err, dev_err, bayes_err=0.0, tol=0.02):
    bias, var = train_err - bayes_err, dev_err - train_err
    high_bias = bias > tol + SLACK
    return _dg(bias, var, high_bias, (not high_bias) and var > tol + SLACK)


def _diagnose_no_bayes(train_err, dev_err, bayes_err=0.0, tol=0.02):
    bias, var = train_err, dev_err - train_err
    return _dg(bias, var, bias > tol + SLACK, var > tol + SLACK)


def _diagnose_var_from_bayes(train_err, dev_err, bayes_err=0.0, tol=0.02):
    bias, var = train_err - bayes_err, dev_err - bayes_err
    return _dg(bias, var, bias > tol + SLACK, var > tol + SLACK)


def _diagnose_no_slack(train_err, dev_err, bayes_err=0.0, tol=0.02):
    bias, var = train_err - bayes_err, dev_err - train_err
    return _dg(bias, var, bias > tol, var > tol)


def _diagnose_ge(train_err, dev_err, bayes_err=0.0, tol=0.02):
    bias, var = train_err - bayes_err, dev_err - train_err
    return _dg(bias, var, bias >= tol - SLACK, var >= tol - SLACK)


DIAGNOSE = Exercise(
    name="diagnose",
    draw=_diagnose_cases,
    oracle=_diagnose_oracle,
    backends=("python",),
    wrong=[
        (_diagnose_elif, "judge the two gaps independently: both can be high at once (the notes' "
                         "if/elif can never say 'high bias & high variance')"),
        (_diagnose_no_bayes, "avoidable bias is measured from the Bayes (human-level) error: "
                             "train_err − bayes_err, not train_err alone"),
        (_diagnose_var_from_bayes, "the variance gap is dev_err − train_err (how much worse the model "
                                   "does on data it was not trained on), not dev_err − bayes_err"),
        (_diagnose_ge, "a gap equal to tol is not high: use gap > tol + 1e-9, not ≥"),
        (_diagnose_no_slack, "compare with the slack of the docstring, gap > tol + 1e-9: in floating "
                             "point 0.05 − 0.03 is 0.020000000000000004, which must count as 0.02"),
    ],
    arg_names=("train_err", "dev_err", "bayes_err", "tol"),
)


# ----------------------------------------------------------------------------- poly_features

def _feat_cases(rng):
    return [
        Case((np.array([[-1.0, 0.5, 2.0]]), 2), "x = (-1, 0.5, 2), degree 2"),
        Case((rng.uniform(-1, 1, size=(1, 7)), 4), "7 examples, degree 4"),
        Case((rng.uniform(-1, 1, size=(1, 1)), 3), "one example"),
        Case((rng.uniform(-1, 1, size=(1, 5)), 0), "degree 0: a row of ones"),
        Case((rng.uniform(-1, 1, size=(1, 6)), 1), "degree 1: ones and x"),
        Case((rng.uniform(-1, 1, size=(1, 8)).astype(np.float32), 5), "float32 stays float32", dtype=np.float32),
    ]


def _feat_oracle(X, degree):
    m = X.shape[1]
    Phi = np.empty((degree + 1, m))
    for k in range(degree + 1):
        for j in range(m):
            value = 1.0
            for _ in range(k):                     # x ** k as k multiplications
                value *= X[0, j]
            Phi[k, j] = value
    return Phi


def _feat_no_ones(X, degree):
    return np.concatenate([X ** k for k in range(1, degree + 1)], axis=0)


def _feat_short(X, degree):
    return np.concatenate([X ** k for k in range(degree)], axis=0)


def _feat_decreasing(X, degree):
    return np.concatenate([X ** k for k in range(degree, -1, -1)], axis=0)


def _feat_rows(X, degree):
    return np.concatenate([X ** k for k in range(degree + 1)], axis=0).T


POLY_FEATURES = Exercise(
    name="poly_features",
    draw=_feat_cases,
    oracle=_feat_oracle,
    rtol=1e-12,
    wrong=[
        (_feat_rows, "features are rows and examples columns: return (degree + 1, m), not (m, degree + 1)"),
        (_feat_decreasing, "row k holds x**k: increasing powers, x**0 (ones) first"),
        (_feat_no_ones, "start at k = 0: the first row is x**0, all ones (it plays the role of the bias)"),
        (_feat_short, "degree d needs d + 1 rows, k = 0, 1, ..., d: range(degree + 1)"),
    ],
    arg_names=("X", "degree"),
)


# ----------------------------------------------------------------------------- poly_fit_errors

def _wave(x):
    return np.sin(4.0 * x + 1.0)


def _fit_data(rng, m, m_dev, noise=0.2):
    X, Xd = rng.uniform(-1, 1, size=(1, m)), rng.uniform(-1, 1, size=(1, m_dev))
    return X, _wave(X) + noise * rng.normal(size=(1, m)), Xd, _wave(Xd) + noise * rng.normal(size=(1, m_dev))


def _fit_cases(rng):
    X4 = np.array([[-1.0, 0.0, 1.0, 2.0]])
    return [
        Case((1, X4, np.array([[1.0, 0.0, 2.0, 1.0]]), np.array([[0.5, 3.0]]), np.array([[1.0, 0.0]])),
             "a line through 4 points; dev x = 0.5 and 3"),
        Case((3, *_fit_data(rng, 20, 30)), "degree 3, 20 training and 30 dev examples"),
        Case((0, *_fit_data(rng, 10, 10)), "degree 0: the best constant is the mean of Y_train"),
        Case((5, *_fit_data(rng, 6, 12)), "degree 5 through 6 points: train MSE 0"),
        Case((9, *_fit_data(rng, 40, 200)), "degree 9, 40 training examples"),
    ]


def _vander(X, degree):
    return torch.stack([torch.from_numpy(X[0]) ** k for k in range(degree + 1)], dim=1)   # (m, d + 1)


def _fit_oracle(degree, X_train, Y_train, X_dev, Y_dev):
    A = _vander(X_train, degree)
    w = torch.linalg.lstsq(A, torch.from_numpy(Y_train[0])[:, None], driver="gelsd").solution   # (d + 1, 1)
    train = torch.mean((A @ w - torch.from_numpy(Y_train[0])[:, None]) ** 2)
    dev = torch.mean((_vander(X_dev, degree) @ w - torch.from_numpy(Y_dev[0])[:, None]) ** 2)
    return float(train), float(dev)


def _np_fit(X, Y, powers):
    Phi = np.concatenate([X ** k for k in powers], axis=0)
    w = np.linalg.lstsq(Phi.T, Y.T, rcond=None)[0]
    return w, Phi


def _np_errors(X, Y, Xd, Yd, powers, reduce=np.mean):
    w, Phi = _np_fit(X, Y, powers)
    Phid = np.concatenate([Xd ** k for k in powers], axis=0)
    return float(reduce((w.T @ Phi - Y) ** 2)), float(reduce((w.T @ Phid - Yd) ** 2))


def _fit_short(degree, X, Y, Xd, Yd):
    return _np_errors(X, Y, Xd, Yd, range(degree))


def _fit_no_ones(degree, X, Y, Xd, Yd):
    return _np_errors(X, Y, Xd, Yd, range(1, degree + 1))


def _fit_sum(degree, X, Y, Xd, Yd):
    return _np_errors(X, Y, Xd, Yd, range(degree + 1), reduce=np.sum)


def _fit_rmse(degree, X, Y, Xd, Yd):
    a, b = _np_errors(X, Y, Xd, Yd, range(degree + 1))
    return float(np.sqrt(a)), float(np.sqrt(b))


def _fit_refit_dev(degree, X, Y, Xd, Yd):
    train, _ = _np_errors(X, Y, Xd, Yd, range(degree + 1))
    dev, _ = _np_errors(Xd, Yd, X, Y, range(degree + 1))
    return train, dev


POLY_FIT_ERRORS = Exercise(
    name="poly_fit_errors",
    draw=_fit_cases,
    oracle=_fit_oracle,
    backends=("numpy",),
    rtol=1e-7,
    atol=1e-10,
    forbidden=("numpy.polyfit", "numpy.polynomial.polynomial.polyfit", "numpy.polynomial.Polynomial.fit"),
    wrong=[
        (_fit_refit_dev, "fit once, on the training set only, and evaluate that same w on the dev set; "
                         "refitting on the dev set measures how well the model can fit dev, not how it generalizes"),
        (_fit_sum, "the error is the *mean* squared error: divide the sum of squares by the number of examples"),
        (_fit_rmse, "return the mean squared error itself, without the square root"),
        (_fit_no_ones, "the model needs the constant term: use all powers k = 0, 1, ..., degree "
                       "(your poly_features)"),
        (_fit_short, "degree d has d + 1 coefficients, powers 0 to d: range(degree + 1)"),
    ],
    arg_names=("degree", "X_train", "Y_train", "X_dev", "Y_dev"),
    returns=("train_mse", "dev_mse"),
)


# ----------------------------------------------------------------------------- bias_variance_decompose

def _bv_cases(rng):
    f = np.array([[0.0, 1.0, 2.0]])
    return [
        Case((np.array([[1.0, 1.0, 2.0], [-1.0, 3.0, 2.0]]), f), "K = 2 models at n = 3 points"),
        Case((rng.normal(size=(50, 8)) * 0.3 + np.linspace(0, 1, 8), np.linspace(0, 1, 8)[None, :] + 0.2),
             "K = 50, n = 8, a systematic offset of 0.2"),
        Case((rng.normal(size=(1, 6)), rng.normal(size=(1, 6))), "a single model: the variance is 0"),
        Case((rng.normal(size=(4, 9)) + 3.0, np.zeros((1, 9))), "K = 4 < n = 9, far from the target"),
        Case((rng.normal(size=(6, 6)), rng.normal(size=(1, 6))), "square: K = n = 6"),
        Case(((rng.normal(size=(20, 5)) * 0.5).astype(np.float32), rng.normal(size=(1, 5)).astype(np.float32)),
             "float32 inputs", dtype=np.float32),
    ]


def _bv_oracle(preds, f_true):
    P, f = torch.from_numpy(preds), torch.from_numpy(f_true)
    bias2 = torch.mean((P.mean(dim=0, keepdim=True) - f) ** 2)
    variance = torch.var(P, dim=0, correction=0).mean()
    return float(bias2), float(variance)


def _bv_unbiased(preds, f_true):
    f_bar = preds.mean(axis=0, keepdims=True)
    var = np.var(preds, axis=0, ddof=1).mean() if preds.shape[0] > 1 else np.nan
    return float(np.mean((f_bar - f_true) ** 2)), float(var)


def _bv_axis(preds, f_true):
    f_bar = preds.mean(axis=1, keepdims=True)                # the mean over the points, (K, 1)
    return float(np.mean((f_bar - f_true) ** 2)), float(np.mean((preds - f_bar) ** 2))


def _bv_mse(preds, f_true):
    f_bar = preds.mean(axis=0, keepdims=True)
    return float(np.mean((preds - f_true) ** 2)), float(np.mean((preds - f_bar) ** 2))


def _bv_square_of_mean(preds, f_true):
    f_bar = preds.mean(axis=0, keepdims=True)
    return float(np.mean(f_bar - f_true) ** 2), float(np.mean((preds - f_bar) ** 2))


def _bv_not_squared(preds, f_true):
    f_bar = preds.mean(axis=0, keepdims=True)
    return float(np.mean(np.abs(f_bar - f_true))), float(np.mean((preds - f_bar) ** 2))


BIAS_VARIANCE_DECOMPOSE = Exercise(
    name="bias_variance_decompose",
    draw=_bv_cases,
    oracle=_bv_oracle,
    wrong=[
        (_bv_axis, "average over the K models (axis 0, the rows) to get f̄ at each point; "
                   "axis 1 averages one model over the points"),
        (_bv_mse, "bias² compares the *average* model f̄ with f: mean((f̄ − f)²); mean((preds − f)²) "
                  "is the total error, bias² + variance"),
        (_bv_square_of_mean, "square at each point first, then average over the points: "
                             "mean((f̄ − f)²), not (mean(f̄ − f))² (errors of opposite sign must not cancel)"),
        (_bv_not_squared, "bias² is squared: mean((f̄ − f)²), not the mean absolute difference"),
        (_bv_unbiased, "the variance divides by K, not K − 1 (torch.var divides by K − 1 unless you pass "
                       "correction=0), so that bias² + variance = mean((preds − f)²) exactly"),
    ],
    arg_names=("preds", "f_true"),
    returns=("bias2", "variance"),
)

EXERCISES = {e.name: e for e in (DIAGNOSE, POLY_FEATURES, POLY_FIT_ERRORS, BIAS_VARIANCE_DECOMPOSE)}
