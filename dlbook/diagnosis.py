"""Diagnosing bias and variance (unit 12): the diagnosis rule, polynomial models of growing
capacity, and the bias-variance decomposition measured by refitting on resampled data.

Layout: a one-feature data set is X (1, m), Y (1, m); polynomial features are rows,
Phi (degree + 1, m) with row k holding x**k; the weights are a column w (degree + 1, 1).
"""
import numpy as np
from array_api_compat import array_namespace

SLACK = 1e-9       # a gap within 1e-9 of the tolerance is not "high": 1 - 0.99 = 0.010000000000000009

LABELS = {(True, True): "high bias & high variance", (True, False): "high bias",
          (False, True): "high variance", (False, False): "good fit"}


def diagnose(train_err, dev_err, bayes_err=0.0, tol=0.02):
    """Read a (train, dev) error pair against the Bayes (or human-level) error.

    avoidable bias = train_err - bayes_err, variance = dev_err - train_err; each is "high"
    when it exceeds tol by more than SLACK. Returns a dict with both gaps (floats), both
    verdicts (bools) and one of the four labels in LABELS.
    """
    avoidable_bias = float(train_err - bayes_err)
    variance = float(dev_err - train_err)
    high_bias = avoidable_bias > tol + SLACK
    high_variance = variance > tol + SLACK
    return {"avoidable_bias": avoidable_bias, "variance": variance, "high_bias": high_bias,
            "high_variance": high_variance, "label": LABELS[high_bias, high_variance]}


REMEDIES = {
    "high bias": "bigger network, train longer, another architecture",
    "high variance": "more data, regularization, another architecture",
    "high bias & high variance": "fix the bias first (bigger network), then the variance",
    "good fit": "done: ship it, or lower the error further with more data and a bigger model",
}


def poly_features(X, degree):
    """Powers of a single feature as rows: X (1, m) -> Phi (degree + 1, m), row k = x**k."""
    xp = array_namespace(X)
    powers = xp.arange(degree + 1, dtype=X.dtype)[:, None]           # (degree + 1, 1)
    return X ** powers                                                # broadcast to (degree + 1, m)


def fit_poly(X, Y, degree):
    """Least-squares polynomial fit; returns w (degree + 1, 1) with Y ≈ w.T @ Phi.

    NumPy only: np.linalg.lstsq works on rows, so Phi is transposed at the call. With more
    coefficients than examples it returns the smallest-norm interpolating polynomial.
    """
    Phi = poly_features(X, degree)                                  # (d + 1, m)
    w, *_ = np.linalg.lstsq(Phi.T, Y.T, rcond=None)                 # (m, d + 1) w = (m, 1)
    return w                                                        # (d + 1, 1)


def predict_poly(w, X):
    """Predictions (1, m) of the polynomial with coefficients w (degree + 1, 1) at X (1, m)."""
    return w.T @ poly_features(X, w.shape[0] - 1)


def mse(Y_hat, Y):
    """Mean squared error of predictions Y_hat against targets Y, both (1, m), as a float."""
    return float(np.mean((Y_hat - Y) ** 2))


def bias_variance(preds, f_true):
    """Bias² and variance of K refitted models, averaged over n points.

    preds: (K, n), row k = the k-th model's predictions; f_true: (1, n) or (n,), the noise-free
    target. With f_bar the mean over the K models: bias² = mean((f_bar - f)²) and
    variance = mean((preds - f_bar)²), dividing by K (so bias² + variance = mean((preds - f)²)).
    """
    f_bar = preds.mean(axis=0, keepdims=True)                       # (1, n)
    return float(np.mean((f_bar - f_true) ** 2)), float(np.mean((preds - f_bar) ** 2))
