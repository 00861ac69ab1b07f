"""Inverted dropout, as a layer and inside an L-layer network (unit 14).

    out = dropout_forward(A, u, keep_prob)          # u: uniform draws in [0, 1), A's shape
    dA = dropout_backward(dout, u, keep_prob)       # the same u: the same mask

The random numbers come in as arguments (design §4): a unit is kept where u < keep_prob, so
whoever holds u can rebuild the mask, and the forward and the backward pass cannot disagree.
Draw u with ``rng.random(A.shape)``, a fresh one for every layer and every iteration.

Layout as in unit 09: A[l] is (n[l], m), one column per example. Dropout acts on the hidden
activations A[1] .. A[L-1]; never on the input X or the output A[L], and never at test time.
"""
from array_api_compat import array_namespace

from .deep import ACTIVATIONS, linear_activation_forward, linear_backward, n_layers


def check_keep_prob(keep_prob):
    """Raise ValueError unless 0 < keep_prob <= 1 (the probability of *keeping* a unit)."""
    if not 0.0 < keep_prob <= 1.0:
        raise ValueError(f"keep_prob must be in (0, 1], got {keep_prob}. "
                         f"Did you pass the drop rate? Use keep_prob = 1 - rate.")


def dropout_forward(A, u, keep_prob, training=True):
    """Inverted dropout: keep A where u < keep_prob, scaled by 1 / keep_prob; zero elsewhere.

    A, u: (n, m); u holds uniform draws in [0, 1). The scaling keeps every entry's expected
    value: E[mask * A / keep_prob] = A. At test time (training=False) A comes back unchanged:
    no mask and no scaling.
    """
    check_keep_prob(keep_prob)
    if not training:
        return A
    xp = array_namespace(A, u)
    return xp.where(u < keep_prob, A / keep_prob, xp.zeros_like(A))     # (n, m), A's dtype


def dropout_backward(dA, u, keep_prob):
    """The gradient through dropout: the same mask and the same 1 / keep_prob as the forward pass.

    out = A * mask / keep_prob is linear in A, so dA_in = dA_out * mask / keep_prob.
    """
    check_keep_prob(keep_prob)
    xp = array_namespace(dA, u)
    return xp.where(u < keep_prob, dA / keep_prob, xp.zeros_like(dA))


def L_model_forward_with_dropout(X, parameters, keep_probs, draws, hidden="relu"):
    """[LINEAR -> hidden -> DROPOUT] x (L-1) -> LINEAR -> SIGMOID.

    keep_probs: L-1 floats, one per hidden layer; draws: L-1 arrays, draws[l-1] of shape
    (n[l], m) for hidden layer l. Returns (AL, caches) with the caches of unit 09,
    ((A_prev, W, b), Z), where A_prev is the input the layer really saw: the *dropped*
    activation of the layer below.
    """
    L = n_layers(parameters)
    caches, A = [], X
    for l in range(1, L):
        A, cache = linear_activation_forward(A, parameters[f"W{l}"], parameters[f"b{l}"], hidden)
        A = dropout_forward(A, draws[l - 1], keep_probs[l - 1])              # (n[l], m)
        caches.append(cache)
    AL, cache = linear_activation_forward(A, parameters[f"W{L}"], parameters[f"b{L}"], "sigmoid")
    caches.append(cache)
    return AL, caches


def L_model_backward_with_dropout(AL, Y, caches, keep_probs, draws, hidden="relu"):
    """Gradients of the mean cross-entropy through the network above, with the same masks.

    Returns {"dW1", "db1", ..., "dWL", "dbL"}. Going down, layer l+1's linear step gives the
    gradient for the dropped activation; dropout_backward turns it into the gradient for
    A[l] before dropout, and the activation's backward takes it from there.
    """
    _, activation_backward = ACTIVATIONS[hidden]
    grads = {}
    L = len(caches)
    dA, grads[f"dW{L}"], grads[f"db{L}"] = linear_backward(AL - Y, caches[L - 1][0])
    for l in range(L - 1, 0, -1):
        dA = dropout_backward(dA, draws[l - 1], keep_probs[l - 1])          # (n[l], m)
        linear_cache, Z = caches[l - 1]
        dA, grads[f"dW{l}"], grads[f"db{l}"] = linear_backward(activation_backward(dA, Z), linear_cache)
    return grads

