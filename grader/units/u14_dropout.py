"""Unit 14 · Dropout (inverted dropout).

Exercises: dropout_forward, dropout_backward, L_model_forward_with_dropout,
L_model_backward_with_dropout.
The random numbers come in as arguments: u, uniform draws in [0, 1) with A's shape, and a unit
is kept where u < keep_prob. torch's own F.dropout draws from its own generator, so the oracles
build the same mask from the same u with torch ops: torch.where(u < keep_prob, A / keep_prob, 0)
for the forward pass, torch.autograd through A * mask / keep_prob for the backward pass, and the
network written with torch tensors (Z = W A + b, ReLU, the mask, then the sigmoid) differentiated
by autograd for the two network exercises.
Layout: X (n0, m); W[l] (n[l], n[l-1]); b[l] (n[l], 1); A[l] and draws[l-1] (n[l], m); caches as
in unit 09, ((A_prev, W, b), Z) per layer, A_prev being the dropped activation the layer saw.
"""
import numpy as np
import torch
import torch.nn.functional as F

from grader.cases import as32, n_layers, np_sigmoid
from grader.core import Case, Exercise

NO_AUTOGRAD = ("torch.autograd.grad", "torch.autograd.backward", "torch.Tensor.backward")
NO_DROPOUT = ("torch.nn.functional.dropout", "torch.dropout", "torch.nn.Dropout.forward")


def named(name, fn):
    """fn, renamed (wrong implementations made by factories get readable test ids)."""
    fn.__name__ = fn.__qualname__ = name
    return fn


def notes_draws():
    """The draws of the notes' demo, np.random.seed(1); np.random.rand(5, 3), without global state.

    With keep_prob = 0.8 one unit of the 15 is dropped, at (4, 1) (u = 0.878).
    """
    return np.random.RandomState(1).rand(5, 3)


def tie_draws(rng, shape, keep_prob):
    """Uniform draws with some entries exactly keep_prob (dropped) and some exactly 0 (kept)."""
    u = rng.random(shape)
    u[0, 0] = keep_prob
    u[-1, -1] = 0.0
    return u




def _t(a):
    return torch.from_numpy(np.asarray(a, dtype=np.float64))


def torch_dropout(A, u, keep_prob):
    """Inverted dropout with torch ops and the given draws (the oracles' one definition)."""
    return torch.where(u < keep_prob, A / keep_prob, torch.zeros_like(A))


# ----------------------------------------------------------------------------- dropout_forward

def _forward_cases(rng):
    return [
        Case((np.full((5, 3), 10.0), notes_draws(), 0.8, True),
             "the notes' demo: A = 10 everywhere, keep_prob = 0.8, u from np.random.seed(1)"),
        Case((rng.normal(size=(4, 6)), rng.random((4, 6)), 0.5, True), "random (4, 6), keep_prob = 0.5"),
        Case((rng.normal(size=(3, 5)), rng.random((3, 5)), 0.7, False), "test time (training=False)"),
        Case((rng.normal(size=(3, 4)), rng.random((3, 4)), 1.0, True), "keep_prob = 1: nothing is dropped"),
        Case((rng.normal(size=(4, 5)), tie_draws(rng, (4, 5), 0.6), 0.6, True),
             "some u exactly equal to keep_prob (dropped: u < keep_prob is strict) and some u = 0"),
        Case((rng.normal(size=(6, 1)), rng.random((6, 1)), 0.3, True), "one example (6, 1), keep_prob = 0.3"),
        Case((rng.normal(size=(3, 4)).astype(np.float32), rng.random((3, 4)), 0.8, True),
             "float32 activations (float64 draws): the result stays float32", dtype=np.float32),
    ]


def _forward_oracle(A, u, keep_prob, training=True):
    if not training:
        return A.copy()
    return torch_dropout(_t(A), _t(u), keep_prob).numpy()


def _forward_with(keep=lambda u, kp: u < kp, scale=lambda kp: 1 / kp, test=lambda A, kp: A, at_test=False):
    """Inverted dropout by default; the keyword arguments make the common wrong versions."""
    def dropout_forward(A, u, keep_prob, training=True):
        if not training and not at_test:
            return test(A, keep_prob)
        return A * keep(u, keep_prob) * scale(keep_prob)
    return dropout_forward


DROPOUT_FORWARD = Exercise(
    name="dropout_forward",
    draw=_forward_cases,
    oracle=_forward_oracle,
    forbidden=NO_DROPOUT,
    wrong=[
        (named("forward_no_scale", _forward_with(scale=lambda kp: 1.0)),
         "divide the kept activations by keep_prob (inverted dropout), so that their expected value "
         "stays A: A * mask / keep_prob"),
        (named("forward_times_keep_prob", _forward_with(scale=lambda kp: kp)),
         "divide by keep_prob, do not multiply: the survivors are scaled *up*"),
        (named("forward_keeps_u_above", _forward_with(keep=lambda u, kp: u > kp)),
         "keep a unit where u < keep_prob, which happens with probability keep_prob; u > keep_prob keeps "
         "it with probability 1 - keep_prob"),
        (named("forward_keeps_u_equal", _forward_with(keep=lambda u, kp: u <= kp)),
         "the mask is u < keep_prob, strictly: a draw equal to keep_prob drops the unit"),
        (named("forward_drops_at_test", _forward_with(at_test=True)),
         "at test time (training=False) return A unchanged: no mask and no scaling"),
        (named("forward_scales_at_test", _forward_with(test=lambda A, kp: A / kp)),
         "at test time inverted dropout does nothing: the 1/keep_prob scaling belongs to training only"),
        (named("forward_non_inverted_test", _forward_with(test=lambda A, kp: A * kp)),
         "multiplying by keep_prob at test time is the rule of the old, non-inverted dropout; inverted "
         "dropout already scaled during training and leaves test-time activations alone"),
    ],
    arg_names=("A", "u", "keep_prob", "training"),
)


# ----------------------------------------------------------------------------- dropout_backward

def _backward_cases(rng):
    return [
        Case((np.arange(15.0).reshape(5, 3) / 10, notes_draws(), 0.8), "the notes' draws, keep_prob = 0.8"),
        Case((rng.normal(size=(4, 6)), rng.random((4, 6)), 0.5), "random (4, 6), keep_prob = 0.5"),
        Case((rng.normal(size=(3, 4)), rng.random((3, 4)), 1.0), "keep_prob = 1: the gradient passes unchanged"),
        Case((rng.normal(size=(4, 5)), tie_draws(rng, (4, 5), 0.6), 0.6),
             "some u exactly equal to keep_prob (dropped in the forward pass) and some u = 0"),
        Case((rng.normal(size=(5, 1)), rng.random((5, 1)), 0.3), "one example (5, 1), keep_prob = 0.3"),
        Case((rng.normal(size=(3, 4)).astype(np.float32), rng.random((3, 4)), 0.8),
             "float32 gradient (float64 draws): the result stays float32", dtype=np.float32),
    ]


def _backward_oracle(dA, u, keep_prob):
    A = torch.zeros(dA.shape, dtype=torch.float64, requires_grad=True)
    out = A * (_t(u) < keep_prob) / keep_prob                    # the forward pass, differentiated
    (grad,) = torch.autograd.grad(out, A, grad_outputs=_t(dA))
    return grad.numpy()


def _backward_with(keep=lambda u, kp: u < kp, scale=lambda kp: 1 / kp):
    def dropout_backward(dA, u, keep_prob):
        return dA * keep(u, keep_prob) * scale(keep_prob)
    return dropout_backward


DROPOUT_BACKWARD = Exercise(
    name="dropout_backward",
    draw=_backward_cases,
    oracle=_backward_oracle,
    forbidden=NO_DROPOUT + NO_AUTOGRAD,
    wrong=[
        (named("backward_no_scale", _backward_with(scale=lambda kp: 1.0)),
         "the forward pass divided by keep_prob, so the gradient is divided by it too: dA * mask / keep_prob"),
        (named("backward_no_mask", _backward_with(keep=lambda u, kp: np.ones_like(u))),
         "a dropped unit did not affect the cost, so its gradient is 0: multiply by the same mask, u < keep_prob"),
        (named("backward_times_keep_prob", _backward_with(scale=lambda kp: kp)),
         "divide by keep_prob, as the forward pass did; do not multiply"),
        (named("backward_keeps_u_above", _backward_with(keep=lambda u, kp: u > kp)),
         "use the forward pass's mask, u < keep_prob: the gradient flows only through the units that were kept"),
        (named("backward_keeps_u_equal", _backward_with(keep=lambda u, kp: u <= kp)),
         "the mask must be exactly the forward pass's, u < keep_prob (strict): a draw equal to keep_prob "
         "dropped the unit"),
    ],
    arg_names=("dA", "u", "keep_prob"),
)


# ----------------------------------------------------------------------------- the network

def random_params(rng, dims):
    params = {}
    for l in range(1, len(dims)):
        params[f"W{l}"] = rng.standard_normal((dims[l], dims[l - 1])) * np.sqrt(2 / dims[l - 1])
        params[f"b{l}"] = rng.standard_normal((dims[l], 1)) * 0.1
    return params






def _keep(u, kp):
    return u < kp


def _inverse(kp):
    return 1 / kp


def np_forward(X, parameters, keep_probs, draws, keep=_keep, scale=_inverse, cache_raw=False, order=1):
    """ReLU then dropout in every hidden layer, sigmoid output, caches ((A_prev, W, b), Z).

    The right forward pass by default; the keyword arguments make the wrong ones: another mask
    or scale, the next layer's cache holding the activation before dropout (cache_raw), the
    keep_probs used in reverse order (order=-1).
    """
    L = n_layers(parameters)
    kps = list(keep_probs)[::order]
    caches, A, A_seen = [], X, X
    for l in range(1, L + 1):
        W, b = parameters[f"W{l}"], parameters[f"b{l}"]
        Z = W @ A + b
        caches.append(((A_seen, W, b), Z))
        if l < L:
            raw = np.maximum(Z, 0)                                       # (n[l], m)
            A = raw * keep(draws[l - 1], kps[l - 1]) * scale(kps[l - 1])
            A_seen = raw if cache_raw else A
    return np_sigmoid(Z), caches


def np_backward(AL, Y, caches, keep_probs, draws, keep=_keep, scale=_inverse, order=1, dropout=True):
    """The backward pass through np_forward's network; variants as there (dropout=False: none)."""
    kps = list(keep_probs)[::order]
    grads, L, m = {}, len(caches), Y.shape[1]
    dZ = AL - Y
    for l in range(L, 0, -1):
        (A_prev, W, _), _ = caches[l - 1]
        grads[f"dW{l}"] = dZ @ A_prev.T / m
        grads[f"db{l}"] = np.sum(dZ, axis=1, keepdims=True) / m
        if l > 1:
            dA = W.T @ dZ
            if dropout:
                dA = dA * keep(draws[l - 2], kps[l - 2]) * scale(kps[l - 2])
            dZ = dA * (caches[l - 2][1] > 0)
    return grads


def torch_network(params, X, keep_probs, draws):
    """Scores Z[L] (1, m) and the list of ((A_prev, W, b), Z) with torch ops and the given draws."""
    L = n_layers(params)
    caches, A = [], X
    for l in range(1, L + 1):
        W, b = params[f"W{l}"], params[f"b{l}"]
        Z = W @ A + b
        caches.append(((A, W, b), Z))
        if l < L:
            A = torch_dropout(torch.relu(Z), draws[l - 1], keep_probs[l - 1])
    return Z, caches


def _network_case(rng, dims, m, keep_probs):
    params = random_params(rng, dims)
    X = rng.normal(size=(dims[0], m))
    draws = [rng.random((n, m)) for n in dims[1:-1]]
    return X, params, list(keep_probs), draws


# ----------------------------------------------------------------------------- L_model_forward_with_dropout

def _net_forward_cases(rng):
    return [
        Case(_network_case(rng, [3, 5, 4, 1], 6, [0.8, 0.6]), "[3, 5, 4, 1], m = 6, keep_probs = [0.8, 0.6]"),
        Case(_network_case(rng, [2, 4, 1], 5, [0.5]), "one hidden layer, keep_prob 0.5"),
        Case(_network_case(rng, [3, 4, 4, 1], 5, [1.0, 1.0]), "keep_probs = [1, 1]: unit 09's forward pass"),
        Case(_network_case(rng, [4, 3, 3, 3, 1], 4, [0.9, 0.7, 0.5]), "three hidden layers of equal width"),
        Case(_network_case(rng, [3, 4, 2, 1], 1, [0.7, 0.8]), "one example"),
        Case(as32(_network_case(rng, [3, 5, 2, 1], 6, [0.6, 0.9])), "float32 (keep_probs stay floats)",
             dtype=np.float32),
    ]


def _net_forward_oracle(X, parameters, keep_probs, draws):
    params = {k: _t(v) for k, v in parameters.items()}
    Z, caches = torch_network(params, _t(X), keep_probs, [_t(u) for u in draws])
    caches = tuple(((A.numpy(), W.numpy(), b.numpy()), z.numpy()) for (A, W, b), z in caches)
    return torch.sigmoid(Z).numpy(), caches


def _net_forward_with(**kw):
    def forward(X, parameters, keep_probs, draws):
        return np_forward(X, parameters, keep_probs, draws, **kw)
    return forward


L_MODEL_FORWARD_WITH_DROPOUT = Exercise(
    name="L_model_forward_with_dropout",
    draw=_net_forward_cases,
    oracle=_net_forward_oracle,
    forbidden=NO_DROPOUT,
    wrong=[
        (named("net_forward_no_dropout", _net_forward_with(keep=lambda u, kp: np.ones_like(u), scale=lambda kp: 1)),
         "apply dropout_forward to the activation of every hidden layer, with that layer's draws and keep_prob"),
        (named("net_forward_no_scale", _net_forward_with(scale=lambda kp: 1)),
         "divide the kept activations by keep_prob: A = A * mask / keep_prob (inverted dropout)"),
        (named("net_forward_keeps_u_above", _net_forward_with(keep=lambda u, kp: u > kp)),
         "keep a unit where u < keep_prob (with probability keep_prob), not u > keep_prob"),
        (named("net_forward_reversed_keep_probs", _net_forward_with(order=-1)),
         "keep_probs[l-1] and draws[l-1] belong to hidden layer l: the first entries to layer 1"),
        (named("net_forward_caches_raw", _net_forward_with(cache_raw=True)),
         "the next layer's cache must hold the activation it actually received, after dropout: the backward "
         "pass computes dW from it"),
    ],
    arg_names=("X", "parameters", "keep_probs", "draws"),
    returns=("AL", "caches"),
)


# ----------------------------------------------------------------------------- L_model_backward_with_dropout

def _net_backward_case(rng, dims, m, keep_probs):
    X, params, kps, draws = _network_case(rng, dims, m, keep_probs)
    AL, caches = np_forward(X, params, kps, draws)
    Y = (rng.random((1, m)) < 0.5).astype(float)
    return (AL, Y, caches, kps, draws)


def _net_backward_cases(rng):
    return [
        Case(_net_backward_case(rng, [3, 5, 4, 1], 6, [0.8, 0.6]), "[3, 5, 4, 1], m = 6, keep_probs = [0.8, 0.6]"),
        Case(_net_backward_case(rng, [2, 4, 1], 5, [0.5]), "one hidden layer, keep_prob 0.5"),
        Case(_net_backward_case(rng, [3, 4, 4, 1], 5, [1.0, 1.0]), "keep_probs = [1, 1]: unit 09's gradients"),
        Case(_net_backward_case(rng, [4, 3, 3, 3, 1], 4, [0.9, 0.7, 0.5]), "three hidden layers of equal width"),
        Case(_net_backward_case(rng, [3, 4, 2, 1], 1, [0.7, 0.8]), "one example"),
        Case(as32(_net_backward_case(rng, [3, 5, 2, 1], 6, [0.6, 0.9])), "float32", dtype=np.float32),
    ]


def _net_backward_oracle(AL, Y, caches, keep_probs, draws):
    params = {}
    for l, ((_, W, b), _) in enumerate(caches, start=1):
        params[f"W{l}"] = torch.tensor(W, requires_grad=True)
        params[f"b{l}"] = torch.tensor(b, requires_grad=True)
    Z, _ = torch_network(params, _t(caches[0][0][0]), keep_probs, [_t(u) for u in draws])
    F.binary_cross_entropy_with_logits(Z, _t(Y)).backward()        # the mean over the m examples
    return {"d" + k: t.grad.numpy() for k, t in params.items()}


def _net_backward_with(**kw):
    def backward(AL, Y, caches, keep_probs, draws):
        return np_backward(AL, Y, caches, keep_probs, draws, **kw)
    return backward


L_MODEL_BACKWARD_WITH_DROPOUT = Exercise(
    name="L_model_backward_with_dropout",
    draw=_net_backward_cases,
    oracle=_net_backward_oracle,
    forbidden=NO_DROPOUT + NO_AUTOGRAD,
    wrong=[
        (named("net_backward_no_dropout", _net_backward_with(dropout=False)),
         "on the way down, send dA through dropout_backward (the same mask and 1/keep_prob) before the ReLU's "
         "backward: a dropped unit gets no gradient"),
        (named("net_backward_no_scale", _net_backward_with(scale=lambda kp: 1)),
         "divide by keep_prob in the backward pass too: dA = dA * mask / keep_prob"),
        (named("net_backward_keeps_u_above", _net_backward_with(keep=lambda u, kp: u > kp)),
         "use the forward pass's mask, u < keep_prob"),
        (named("net_backward_reversed_keep_probs", _net_backward_with(order=-1)),
         "keep_probs[l-1] and draws[l-1] belong to hidden layer l: use the same ones as the forward pass"),
        (named("net_backward_times_keep_prob", _net_backward_with(scale=lambda kp: kp)),
         "divide by keep_prob, as the forward pass did; do not multiply"),
    ],
    arg_names=("AL", "Y", "caches", "keep_probs", "draws"),
)


EXERCISES = {e.name: e for e in (DROPOUT_FORWARD, DROPOUT_BACKWARD, L_MODEL_FORWARD_WITH_DROPOUT,
                                 L_MODEL_BACKWARD_WITH_DROPOUT)}
