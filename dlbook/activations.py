"""Activation functions, written once with `xp` so they run on NumPy and PyTorch alike.

Introduced in unit 01 (sigmoid) and unit 07 (the others). Each works elementwise on an array
of any shape and returns the input's namespace, dtype and device.
"""
from array_api_compat import array_namespace


def sigmoid(z):
    """σ(z) = 1 / (1 + e^(−z)), computed without overflow for any z.

    e = e^(−|z|) is never above 1, so neither branch can overflow:
    σ(z) = 1 / (1 + e) for z ≥ 0, and e / (1 + e) for z < 0 (multiply top and bottom by e^z).
    """
    xp = array_namespace(z)
    e = xp.exp(-xp.abs(z))
    return xp.where(z >= 0, 1 / (1 + e), e / (1 + e))


def sigmoid_derivative(z):
    """σ'(z) = σ(z)(1 − σ(z)): at most 0.25, at z = 0, and near 0 once |z| is large."""
    s = sigmoid(z)
    return s * (1 - s)


def tanh(z):
    """tanh z = (e^z − e^(−z)) / (e^z + e^(−z)) = 2σ(2z) − 1, in (−1, 1).

    The library's tanh is used: the quotient of exponentials overflows for |z| above about 710.
    """
    xp = array_namespace(z)
    return xp.tanh(z)


def tanh_derivative(z):
    """tanh'(z) = 1 − tanh²(z): at most 1, at z = 0."""
    t = tanh(z)
    return 1 - t * t


def relu(z):
    """ReLU(z) = max(0, z)."""
    xp = array_namespace(z)
    return xp.where(z > 0, z, xp.zeros_like(z))


def relu_derivative(z):
    """1 where z > 0, else 0. At z = 0 exactly it is 0: the choice of PyTorch's autograd."""
    xp = array_namespace(z)
    return xp.astype(z > 0, z.dtype)


def leaky_relu(z, alpha=0.01):
    """Leaky ReLU: z where z > 0, else alpha·z (max(alpha·z, z) for 0 ≤ alpha ≤ 1)."""
    xp = array_namespace(z)
    return xp.where(z > 0, z, alpha * z)


def leaky_relu_derivative(z, alpha=0.01):
    """1 where z > 0, else alpha. At z = 0 exactly it is alpha, as in PyTorch's autograd."""
    xp = array_namespace(z)
    return xp.where(z > 0, xp.ones_like(z), xp.full_like(z, alpha))


def softmax(z, axis=0):
    """Softmax along `axis`: exponentiate, then divide by the sum along that axis (unit 05).

    axis=0 suits the book's layout, scores (classes, m) with one column per example: each column
    of the result is a probability distribution. Subtracting the maximum first cancels out of
    the ratio and keeps exp from overflowing (the largest exponent is e^0 = 1). keepdims=True
    keeps the reduced axis as size 1, so the max and the sum broadcast back along it.
    """
    xp = array_namespace(z)
    e = xp.exp(z - xp.max(z, axis=axis, keepdims=True))
    return e / xp.sum(e, axis=axis, keepdims=True)
