"""Small NumPy helpers that several units' grader modules use to draw cases and build wrong
answers. They are trusted grader code (never student code) and never the oracle itself: oracles
are PyTorch built-ins, autograd, or obviously-correct loops in each unit's module.
"""
import numpy as np


def np_sigmoid(z):
    """A right, overflow-free NumPy sigmoid (unit 01's stable form)."""
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def n_layers(parameters):
    """L, the number of layers, of a {"W1", "b1", ..., "WL", "bL"} dict."""
    return sum(1 for k in parameters if k.startswith("W"))


def np_forward(X, parameters, hidden="relu"):
    """Unit 09's forward pass in plain NumPy: hidden ReLU (or tanh) layers, sigmoid output.

    Returns (AL, caches) with caches[l] = ((A_prev, W, b), Z), the layout of unit 09's exercises.
    """
    L = n_layers(parameters)
    caches, A = [], X
    for l in range(1, L + 1):
        W, b = parameters[f"W{l}"], parameters[f"b{l}"]
        Z = W @ A + b
        caches.append(((A, W, b), Z))
        A = np_sigmoid(Z) if l == L else (np.maximum(Z, 0) if hidden == "relu" else np.tanh(Z))
    return A, caches


def as32(tree):
    """A copy of a case's inputs with every float64 array as float32 (lists, tuples, dicts kept)."""
    if isinstance(tree, np.ndarray):
        return tree.astype(np.float32) if tree.dtype == np.float64 else tree
    if isinstance(tree, dict):
        return {k: as32(v) for k, v in tree.items()}
    if isinstance(tree, (list, tuple)):
        return type(tree)(as32(v) for v in tree)
    return tree
