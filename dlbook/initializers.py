"""Weight initialization and the shapes of an L-layer network (unit 10; unit 09 uses He).

    init_std("he", fan_in=1000, fan_out=2000)          # sqrt(2 / 1000) = 0.0447
    params = initialize_parameters([2, 8, 1], rng, "he")

The names, and the PyTorch call with the same standard deviation:

    "he"      sqrt(2 / fan_in)              nn.init.kaiming_normal_(w, mode="fan_in", nonlinearity="relu")
    "lecun"   sqrt(1 / fan_in)              kaiming_normal_(w, nonlinearity="linear"); the course's "Xavier"
    "glorot"  sqrt(2 / (fan_in + fan_out))  nn.init.xavier_normal_(w)

fan_in = n[l-1] (columns of W[l]), fan_out = n[l] (rows). nn.Linear's own default is none of
these: U(-1/sqrt(fan_in), 1/sqrt(fan_in)), whose standard deviation is 1/sqrt(3 fan_in).
"""
import math

import numpy as np
from array_api_compat import array_namespace

SCHEMES = ("he", "lecun", "glorot")


def init_std(method, fan_in, fan_out):
    """The standard deviation of a normal initializer, as a float: "he" | "lecun" | "glorot"."""
    if method == "he":
        return math.sqrt(2.0 / fan_in)
    if method == "lecun":
        return math.sqrt(1.0 / fan_in)
    if method == "glorot":
        return math.sqrt(2.0 / (fan_in + fan_out))
    if method == "xavier":
        raise ValueError('"xavier" is ambiguous: the course means "lecun" (sqrt(1/fan_in)), '
                         'Glorot and Bengio\'s paper and PyTorch mean "glorot" (sqrt(2/(fan_in+fan_out)))')
    raise ValueError(f"unknown initialization {method!r}; use one of {SCHEMES}")


def initialize_parameters(layer_dims, rng, method="he"):
    """Parameters {"W1", "b1", ..., "WL", "bL"} for layer_dims = [n0, n1, ..., nL].

    method: "zeros", "he", "lecun", "glorot", or a number c for a fixed std (0.01, 10, ...).
    Draw order: for l = 1..L, W[l] = rng.standard_normal((n[l], n[l-1])) * std; biases are
    zeros and use no draws; "zeros" uses no draws at all.
    """
    params = {}
    for l in range(1, len(layer_dims)):
        n_prev, n = layer_dims[l - 1], layer_dims[l]
        if isinstance(method, str) and method == "zeros":
            params[f"W{l}"] = np.zeros((n, n_prev))
        else:
            std = float(method) if not isinstance(method, str) else init_std(method, n_prev, n)
            params[f"W{l}"] = rng.standard_normal((n, n_prev)) * std
        params[f"b{l}"] = np.zeros((n, 1))
    return params


def layer_shapes(layer_dims, m):
    """The shape of every quantity of forward and backward propagation, for m examples.

    Keys "A0", "dA0" and, for l = 1..L, "W{l}", "b{l}", "Z{l}", "A{l}" and their gradients
    "dW{l}", "db{l}", "dZ{l}", "dA{l}": a gradient has the shape of what it is the gradient of.
    """
    shapes = {"A0": (layer_dims[0], m)}
    for l in range(1, len(layer_dims)):
        shapes[f"W{l}"] = (layer_dims[l], layer_dims[l - 1])
        shapes[f"b{l}"] = (layer_dims[l], 1)
        shapes[f"Z{l}"] = shapes[f"A{l}"] = (layer_dims[l], m)
    return {**shapes, **{"d" + k: v for k, v in shapes.items()}}


def activation_stats(X, parameters, activation="relu"):
    """Standard deviation (over all units and examples) of A[l] = g(W[l] A[l-1] + b[l]), l = 1..L.

    Every layer uses the same activation ("relu" | "tanh" | "linear"): a probe of how the
    scale of the signal changes with depth. Returns an array of shape (L,), X's namespace.
    """
    xp = array_namespace(X)
    g = {"relu": lambda z: xp.where(z > 0, z, xp.zeros_like(z)), "tanh": xp.tanh,
         "linear": lambda z: z}[activation]
    L = sum(1 for k in parameters if k.startswith("W"))
    stds, A = [], X
    for l in range(1, L + 1):
        A = g(parameters[f"W{l}"] @ A + parameters[f"b{l}"])
        stds.append(xp.std(A))
    return xp.stack(stds)
