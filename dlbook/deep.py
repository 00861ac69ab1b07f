"""Fully connected networks from scratch: layers as forward/backward pairs with caches.

Introduced in unit 08 (a one-hidden-layer network) and unit 09 (L layers); later chapters
import these blocks (regularization 13, dropout 14, batch norm 21).

Layout: examples are columns. For layer l, A_prev is (n[l-1], m), W (n[l], n[l-1]),
b (n[l], 1), Z and A (n[l], m). Parameters live in a dict {"W1", "b1", ..., "WL", "bL"}.

Gradient convention (the six equations of unit 08): dZ and dA are gradients of the *summed*
loss over the m examples, so they carry no 1/m; dW and db are gradients of the mean cost J
and take the 1/m. Every backward function returns gradients in the order its forward function
took the inputs, like CS231n's layers.
"""
from array_api_compat import array_namespace

from .activations import (leaky_relu, leaky_relu_derivative, relu, relu_derivative, sigmoid, sigmoid_derivative,
                          tanh, tanh_derivative)
from .initializers import initialize_parameters
from .losses import bce_with_logits


# ----------------------------------------------------------------------------- one layer

def linear_forward(A_prev, W, b):
    """Z = W A_prev + b, shape (n[l], m). Returns (Z, cache) with cache = (A_prev, W, b)."""
    Z = W @ A_prev + b                      # (n[l], n[l-1]) @ (n[l-1], m) + (n[l], 1)
    return Z, (A_prev, W, b)


def linear_backward(dZ, cache):
    """From dZ (n[l], m) and cache = (A_prev, W, b), return (dA_prev, dW, db).

    dA_prev (n[l-1], m), dW (n[l], n[l-1]), db (n[l], 1): each has its forward twin's shape.
    """
    xp = array_namespace(dZ)
    A_prev, W, b = cache
    m = A_prev.shape[1]
    dW = dZ @ A_prev.T / m                  # (n[l], m) @ (m, n[l-1]): an average over examples
    db = xp.sum(dZ, axis=1, keepdims=True) / m   # sum over the examples (columns)
    dA_prev = W.T @ dZ                      # (n[l-1], n[l]) @ (n[l], m): no 1/m here
    return dA_prev, dW, db


def relu_forward(Z):
    """A = max(0, Z). Returns (A, cache) with cache = Z."""
    return relu(Z), Z


def relu_backward(dA, cache):
    """dZ = dA where Z > 0, else 0 (ReLU'(0) = 0, PyTorch's choice). cache = Z."""
    return dA * relu_derivative(cache)


def tanh_forward(Z):
    """A = tanh(Z). Returns (A, cache) with cache = Z."""
    return tanh(Z), Z


def tanh_backward(dA, cache):
    """dZ = dA * (1 - tanh(Z)^2). cache = Z."""
    return dA * tanh_derivative(cache)


def sigmoid_forward(Z):
    """A = σ(Z), without overflow. Returns (A, cache) with cache = Z."""
    return sigmoid(Z), Z


def sigmoid_backward(dA, cache):
    """dZ = dA * σ(Z)(1 - σ(Z)). cache = Z."""
    return dA * sigmoid_derivative(cache)


def leaky_relu_forward(Z):
    """A = Z where Z > 0, else 0.01 Z. Returns (A, cache) with cache = Z."""
    return leaky_relu(Z), Z


def leaky_relu_backward(dA, cache):
    """dZ = dA where Z > 0, else 0.01 dA (the slope at 0 is 0.01, as in PyTorch). cache = Z."""
    return dA * leaky_relu_derivative(cache)


ACTIVATIONS = {
    "relu": (relu_forward, relu_backward),
    "leaky_relu": (leaky_relu_forward, leaky_relu_backward),
    "tanh": (tanh_forward, tanh_backward),
    "sigmoid": (sigmoid_forward, sigmoid_backward),
}


def _pair(activation):
    try:
        return ACTIVATIONS[activation]
    except KeyError:
        raise ValueError(f"unknown activation {activation!r}; use one of {sorted(ACTIVATIONS)}") from None


def linear_activation_forward(A_prev, W, b, activation):
    """A = g(W A_prev + b) for g in "relu" | "leaky_relu" | "tanh" | "sigmoid".

    Returns (A, cache) with cache = (linear_cache, activation_cache) = ((A_prev, W, b), Z).
    """
    forward, _ = _pair(activation)
    Z, linear_cache = linear_forward(A_prev, W, b)
    A, activation_cache = forward(Z)
    return A, (linear_cache, activation_cache)


def linear_activation_backward(dA, cache, activation):
    """Backward through g then the linear step. Returns (dA_prev, dW, db)."""
    _, backward = _pair(activation)
    linear_cache, activation_cache = cache
    dZ = backward(dA, activation_cache)
    return linear_backward(dZ, linear_cache)


# ----------------------------------------------------------------------------- L layers

def initialize_parameters_deep(layer_dims, rng):
    """He initialization for [n0, n1, ..., nL]: W[l] = N(0, 1) * sqrt(2 / n[l-1]), b[l] = 0.

    Draw order: for l = 1..L, W[l] = rng.standard_normal((n[l], n[l-1])) * sqrt(2 / n[l-1]);
    the biases use no draws. See dlbook.initializers for the other schemes (unit 10).
    """
    return initialize_parameters(layer_dims, rng, "he")


def n_layers(parameters):
    """L, the number of layers (weights) in a parameter dict {"W1", "b1", ...}."""
    return sum(1 for k in parameters if k.startswith("W"))


def L_model_forward(X, parameters, hidden="relu"):
    """[LINEAR -> hidden] x (L-1) -> LINEAR -> SIGMOID.

    X: (n0, m). Returns (AL, caches): AL (1, m) and caches, a list of L caches from
    linear_activation_forward, in layer order.
    """
    L = n_layers(parameters)
    caches, A = [], X
    for l in range(1, L):
        A, cache = linear_activation_forward(A, parameters[f"W{l}"], parameters[f"b{l}"], hidden)
        caches.append(cache)
    AL, cache = linear_activation_forward(A, parameters[f"W{L}"], parameters[f"b{L}"], "sigmoid")
    caches.append(cache)
    return AL, caches


def L_model_backward(AL, Y, caches, hidden="relu"):
    """Gradients of the mean cross-entropy of AL (1, m) against Y (1, m).

    Returns {"dA{l-1}", "dW{l}", "db{l}" for l = L..1}. It starts from dZ[L] = AL - Y: the
    sigmoid and the cross-entropy together, which never divides by AL or 1 - AL.
    """
    grads = {}
    L = len(caches)
    linear_cache, _ = caches[L - 1]
    dA, grads[f"dW{L}"], grads[f"db{L}"] = linear_backward(AL - Y, linear_cache)
    grads[f"dA{L - 1}"] = dA
    for l in range(L - 1, 0, -1):
        dA, grads[f"dW{l}"], grads[f"db{l}"] = linear_activation_backward(dA, caches[l - 1], hidden)
        grads[f"dA{l - 1}"] = dA
    return grads


def update_parameters(parameters, grads, learning_rate):
    """One gradient-descent step on every W[l], b[l]. Returns a new dict; the inputs are unchanged."""
    return {k: p - learning_rate * grads["d" + k] for k, p in parameters.items()}


def L_layer_model(X, Y, layer_dims, learning_rate, num_iterations, rng, hidden="relu",
                  parameters=None, record_every=1):
    """Train by full-batch gradient descent from He initialization (or from `parameters`).

    Returns (parameters, costs), the cost recorded every `record_every` iterations (before
    that iteration's update), so costs[0] is the cost at the start. The cost is computed from
    the scores Z[L] in the last cache (dlbook.losses.bce_with_logits), finite even when AL
    saturates.
    """
    if parameters is None:
        parameters = initialize_parameters_deep(layer_dims, rng)
    costs = []
    for i in range(num_iterations):
        AL, caches = L_model_forward(X, parameters, hidden)
        if i % record_every == 0:
            costs.append(bce_with_logits(caches[-1][1], Y))
        grads = L_model_backward(AL, Y, caches, hidden)
        parameters = update_parameters(parameters, grads, learning_rate)
    return parameters, costs


def predict(parameters, X, hidden="relu"):
    """1.0 where the network's P(y=1|x) > 0.5, else 0.0; shape (1, m), X's dtype."""
    xp = array_namespace(X)
    AL, _ = L_model_forward(X, parameters, hidden)
    return xp.astype(AL > 0.5, X.dtype)


# ----------------------------------------------------------------------------- one hidden layer (unit 08)

def forward_propagation(X, parameters):
    """The one-hidden-layer network of units 06 and 08: tanh hidden layer, sigmoid output.

    X: (n_x, m); parameters {"W1" (n_h, n_x), "b1" (n_h, 1), "W2" (1, n_h), "b2" (1, 1)}.
    Returns (A2, cache) with A2 (1, m) and cache = {"Z1", "A1", "Z2", "A2"}.
    """
    Z1 = parameters["W1"] @ X + parameters["b1"]          # (n_h, m)
    A1 = tanh(Z1)
    Z2 = parameters["W2"] @ A1 + parameters["b2"]         # (1, m)
    A2 = sigmoid(Z2)
    return A2, {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}


def backward_propagation(parameters, cache, X, Y):
    """The six equations. Returns {"dW1", "db1", "dW2", "db2"}, each the shape of its parameter."""
    xp = array_namespace(X)
    m = X.shape[1]
    A1, A2 = cache["A1"], cache["A2"]
    dZ2 = A2 - Y                                          # (1, m)
    dW2 = dZ2 @ A1.T / m                                  # (1, m) @ (m, n_h) -> (1, n_h)
    db2 = xp.sum(dZ2, axis=1, keepdims=True) / m          # (1, 1)
    dZ1 = (parameters["W2"].T @ dZ2) * (1 - A1 ** 2)      # (n_h, 1) @ (1, m), times tanh' elementwise
    dW1 = dZ1 @ X.T / m                                   # (n_h, m) @ (m, n_x) -> (n_h, n_x)
    db1 = xp.sum(dZ1, axis=1, keepdims=True) / m          # (n_h, 1)
    return {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}


def nn_model(X, Y, n_h, num_iterations, learning_rate, rng, scale=0.01, record_every=1):
    """Train the one-hidden-layer network by full-batch gradient descent.

    Initialization (draw order): W1 = rng.standard_normal((n_h, n_x)) * scale, then
    W2 = rng.standard_normal((1, n_h)) * scale; biases are zeros.
    Returns (parameters, costs), the cost recorded before every `record_every`-th update.
    """
    parameters = initialize_parameters([X.shape[0], n_h, 1], rng, scale)   # W1 then W2, biases 0
    costs = []
    for i in range(num_iterations):
        A2, cache = forward_propagation(X, parameters)
        if i % record_every == 0:
            costs.append(bce_with_logits(cache["Z2"], Y))
        grads = backward_propagation(parameters, cache, X, Y)
        parameters = update_parameters(parameters, grads, learning_rate)
    return parameters, costs
