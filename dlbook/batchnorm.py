"""Batch normalization from scratch (unit 21): forward in training and inference mode, backward,
running statistics, and a fully connected network with a batch-norm layer after every hidden
linear step.

Layout: examples are columns. Z is (n, m) for n units and a mini-batch of m examples; the
per-unit quantities gamma, beta, mu, var, running_mean, running_var are (n, 1).
PyTorch's ``nn.BatchNorm1d`` takes (m, n), so compare with it through transposes.

Conventions, the same as PyTorch's (the course's notes differ on the last two):
- normalize with the *biased* batch variance (divide by m), with eps inside the square root;
- running averages: new = (1 - momentum) * old + momentum * batch, momentum = 0.1 being the
  weight of the new batch (the notes' 0.9 is the weight of the old value: the same update);
- running_var averages the *unbiased* batch variance m / (m - 1) * var.
"""
import numpy as np
from array_api_compat import array_namespace

from .activations import relu, relu_derivative, sigmoid
from .deep import n_layers
from .initializers import initialize_parameters
from .losses import bce_with_logits


# ----------------------------------------------------------------------------- one layer

def batchnorm_forward(Z, gamma, beta, eps=1e-5):
    """Training-mode batch norm: normalize each row of Z with its mini-batch statistics.

    Z: (n, m); gamma, beta: (n, 1). Returns (Z_tilde (n, m), cache) with
    cache = {"Z", "Z_hat", "mu", "var", "gamma", "eps"}: mu and var (n, 1) are the batch mean
    and the biased batch variance, Z_hat = (Z - mu) / sqrt(var + eps).
    """
    xp = array_namespace(Z)
    mu = xp.mean(Z, axis=1, keepdims=True)                    # (n, 1): a mean over the examples
    var = xp.mean((Z - mu) ** 2, axis=1, keepdims=True)       # (n, 1): biased, divides by m
    Z_hat = (Z - mu) / xp.sqrt(var + eps)                     # (n, m): mean 0, variance ~1 per row
    Z_tilde = gamma * Z_hat + beta                            # (n, 1) * (n, m) + (n, 1)
    return Z_tilde, {"Z": Z, "Z_hat": Z_hat, "mu": mu, "var": var, "gamma": gamma, "eps": eps}


def batchnorm_backward(dZ_tilde, cache):
    """Gradients of a scalar L through training-mode batch norm.

    dZ_tilde: dL/dZ_tilde (n, m); cache from batchnorm_forward. Returns (dZ (n, m),
    dgamma (n, 1), dbeta (n, 1)), the gradients of the same L. mu and var depend on every
    example of the batch, so dZ has two correction terms besides gamma * dZ_tilde / sqrt(var + eps).
    """
    xp = array_namespace(dZ_tilde)
    Z_hat, var, gamma, eps = cache["Z_hat"], cache["var"], cache["gamma"], cache["eps"]
    m = Z_hat.shape[1]
    dbeta = xp.sum(dZ_tilde, axis=1, keepdims=True)                       # (n, 1)
    dgamma = xp.sum(dZ_tilde * Z_hat, axis=1, keepdims=True)              # (n, 1)
    dZ = gamma / (m * xp.sqrt(var + eps)) * (m * dZ_tilde - dbeta - Z_hat * dgamma)   # (n, m)
    return dZ, dgamma, dbeta


def update_running_stats(running_mean, running_var, Z, momentum=0.1):
    """One step of the running averages kept for inference, from the mini-batch Z (n, m), m >= 2.

    Returns (running_mean, running_var), each (n, 1):
        running_mean = (1 - momentum) * running_mean + momentum * mu
        running_var  = (1 - momentum) * running_var  + momentum * var * m / (m - 1)   (unbiased)
    """
    xp = array_namespace(Z)
    m = Z.shape[1]
    mu = xp.mean(Z, axis=1, keepdims=True)                                 # (n, 1)
    var_unbiased = xp.sum((Z - mu) ** 2, axis=1, keepdims=True) / (m - 1)  # (n, 1)
    return ((1 - momentum) * running_mean + momentum * mu,
            (1 - momentum) * running_var + momentum * var_unbiased)


def batchnorm_inference(Z, gamma, beta, running_mean, running_var, eps=1e-5):
    """Inference-mode batch norm: the running statistics replace the batch's. Z: (n, m).

    Each column is normalized on its own, so a single example (m = 1) works.
    """
    xp = array_namespace(Z)
    return gamma * (Z - running_mean) / xp.sqrt(running_var + eps) + beta


# ----------------------------------------------------------------------------- a network

def initialize_bn_network(layer_dims, rng):
    """Parameters of [LINEAR (no b) -> BN -> ReLU] x (L-1) -> LINEAR -> SIGMOID.

    layer_dims = [n0, n1, ..., nL]. He-initialized W[l] (the draws of
    dlbook.deep.initialize_parameters_deep, so a plain network with the same rng starts from
    the same weights); gamma[l] = 1, beta[l] = 0 (n[l], 1) for the hidden layers; b[L] = 0.
    Returns (parameters, state): state holds running_mean[l] = 0 and running_var[l] = 1.
    """
    weights = initialize_parameters(layer_dims, rng, "he")
    L = len(layer_dims) - 1
    parameters, state = {}, {}
    for l in range(1, L):
        parameters[f"W{l}"] = weights[f"W{l}"]
        parameters[f"gamma{l}"] = np.ones((layer_dims[l], 1))
        parameters[f"beta{l}"] = np.zeros((layer_dims[l], 1))
        state[f"running_mean{l}"] = np.zeros((layer_dims[l], 1))
        state[f"running_var{l}"] = np.ones((layer_dims[l], 1))
    parameters[f"W{L}"], parameters[f"b{L}"] = weights[f"W{L}"], weights[f"b{L}"]
    return parameters, state


def bn_network_forward(X, parameters, state, training=True, momentum=0.1, eps=1e-5):
    """Forward pass. X: (n0, m). Returns (ZL (1, m), caches, state).

    training=True normalizes with the batch's statistics and returns updated running
    statistics; training=False uses the running statistics and returns state unchanged.
    The scores ZL are returned before the sigmoid (for a cost that never overflows).
    """
    L = n_layers(parameters)
    caches, A, new_state = [], X, dict(state)
    for l in range(1, L):
        Z = parameters[f"W{l}"] @ A                                       # (n[l], m), no bias
        g, b = parameters[f"gamma{l}"], parameters[f"beta{l}"]
        if training:
            Z_tilde, bn_cache = batchnorm_forward(Z, g, b, eps)
            new_state[f"running_mean{l}"], new_state[f"running_var{l}"] = update_running_stats(
                state[f"running_mean{l}"], state[f"running_var{l}"], Z, momentum)
        else:
            Z_tilde, bn_cache = batchnorm_inference(Z, g, b, state[f"running_mean{l}"],
                                                    state[f"running_var{l}"], eps), None
        caches.append((A, bn_cache, Z_tilde))
        A = relu(Z_tilde)                                                 # (n[l], m)
    ZL = parameters[f"W{L}"] @ A + parameters[f"b{L}"]                   # (1, m)
    caches.append((A, None, ZL))
    return ZL, caches, new_state


def bn_network_backward(ZL, Y, caches, parameters):
    """Gradients of the mean cross-entropy J of sigmoid(ZL) against Y (1, m), training mode.

    Every gradient here is of J itself: the 1/m enters once, in dZL = (sigmoid(ZL) - Y) / m,
    so dW = dZ @ A_prev.T and the batch-norm gradients are plain sums.
    Returns {"dW1", "dgamma1", "dbeta1", ..., "dWL", "dbL"}.
    """
    xp = array_namespace(ZL)
    L = len(caches)
    m = ZL.shape[1]
    grads = {}
    A_prev, _, _ = caches[L - 1]
    dZ = (sigmoid(ZL) - Y) / m                                            # (1, m)
    grads[f"dW{L}"] = dZ @ A_prev.T
    grads[f"db{L}"] = xp.sum(dZ, axis=1, keepdims=True)
    dA = parameters[f"W{L}"].T @ dZ
    for l in range(L - 1, 0, -1):
        A_prev, bn_cache, Z_tilde = caches[l - 1]
        dZ_tilde = dA * relu_derivative(Z_tilde)                          # (n[l], m)
        dZ, grads[f"dgamma{l}"], grads[f"dbeta{l}"] = batchnorm_backward(dZ_tilde, bn_cache)
        grads[f"dW{l}"] = dZ @ A_prev.T
        dA = parameters[f"W{l}"].T @ dZ
    return grads


def train_bn_network(X, Y, layer_dims, learning_rate, num_iterations, rng, momentum=0.1, record_every=1):
    """Full-batch gradient descent on the batch-norm network. Returns (parameters, state, costs).

    costs[i] is the cost before update i * record_every, in training mode.
    """
    parameters, state = initialize_bn_network(layer_dims, rng)
    costs = []
    for i in range(num_iterations):
        ZL, caches, state = bn_network_forward(X, parameters, state, training=True, momentum=momentum)
        if i % record_every == 0:
            costs.append(bce_with_logits(ZL, Y))
        grads = bn_network_backward(ZL, Y, caches, parameters)
        parameters = {k: p - learning_rate * grads["d" + k] for k, p in parameters.items()}
    return parameters, state, costs
