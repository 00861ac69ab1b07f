"""Numerical gradient checking with central differences (taught in full in unit 13).

    num = numerical_gradient(f, x)            # f: x -> float, x: float64 array
    rel_error(num, analytic) < 1e-7           # float64, eps = 1e-5: expect about 1e-10

Used by the graders and the chapters to show that a backward pass is right.
"""
import numpy as np


def numerical_gradient(f, x, eps=1e-5):
    """d f / d x by central differences; f(x) returns a scalar. x is restored afterwards."""
    x = np.asarray(x)
    if x.dtype != np.float64:
        raise TypeError(f"numerical_gradient needs float64 input, got {x.dtype}: float32 has too few digits")
    grad = np.zeros_like(x)
    for ix in np.ndindex(x.shape):
        old = x[ix]
        x[ix] = old + eps
        plus = float(f(x))
        x[ix] = old - eps
        minus = float(f(x))
        x[ix] = old
        grad[ix] = (plus - minus) / (2 * eps)
    return grad


def numerical_gradient_array(f, x, dout, eps=1e-5):
    """Gradient of sum(f(x) * dout) w.r.t. x, for array-valued f: what a backward pass returns."""
    return numerical_gradient(lambda z: np.sum(f(z) * dout), x, eps)


def rel_error(a, b):
    """max |a - b| / max(1e-12, |a| + |b|), elementwise max: scale-free, 0 when equal."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return float(np.max(np.abs(a - b) / np.maximum(1e-12, np.abs(a) + np.abs(b)), initial=0.0))


def gradcheck(f, params, grads, eps=1e-5):
    """Compare analytic `grads` with central differences of the scalar f(params).

    params, grads: dicts of float64 arrays with the same keys (grads may use "d" + key).
    Returns {key: relative error}. f reads the arrays in `params`, which are perturbed in place
    and restored.
    """
    errors = {}
    for key, x in params.items():
        g = grads[key] if key in grads else grads["d" + key]
        errors[key] = rel_error(numerical_gradient(lambda _: f(params), x, eps), g)
    return errors


def relative_difference(approx, grads):
    """||approx - grads||_2 / (||approx||_2 + ||grads||_2) over every entry at once (unit 13).

    The course's single number for a whole gradient check: approx and grads are arrays of the
    same shape, or dicts of them with the same keys (the norms then run over all the entries of
    all the arrays, as if each dict were one long vector θ). 0 when they agree; about 1e-7 or
    less is right in float64, above 1e-3 is a bug. Scale-free, unlike the absolute difference.
    """
    if isinstance(approx, dict):
        keys = sorted(approx)
        approx = np.concatenate([np.ravel(approx[k]) for k in keys])
        grads = np.concatenate([np.ravel(grads[k]) for k in keys])
    a, b = np.ravel(np.asarray(approx, dtype=float)), np.ravel(np.asarray(grads, dtype=float))
    denom = np.linalg.norm(a) + np.linalg.norm(b)
    return float(np.linalg.norm(a - b) / denom) if denom > 0 else 0.0
