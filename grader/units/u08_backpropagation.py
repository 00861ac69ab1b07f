"""Unit 08 · Backpropagation for a one-hidden-layer network.

Exercises: backward_propagation, update_parameters, nn_model, predict.
Oracles: a torch forward pass W2 tanh(W1 X + b1) + b2 with F.binary_cross_entropy_with_logits,
differentiated by autograd; torch.optim.SGD stepped on an nn.Sequential(Linear, Tanh, Linear)
with the weights copied in (for one step, and for a whole training run from the same draws);
the same module's sigmoid output thresholded at 0.5.
Layout: X (n_x, m), Y (1, m); W1 (n_h, n_x), b1 (n_h, 1), W2 (1, n_h), b2 (1, 1);
cache = {"Z1", "A1" (n_h, m), "Z2", "A2" (1, m)}.
"""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from grader.core import Case, Exercise
from grader.units.u09_deep_networks import (NO_AUTOGRAD, _grads_like, _up_ascent, _up_no_lr,
                                            _up_oracle, _up_w_only, as32, np_sigmoid, sequential)


def _params(rng, n_x, n_h, scale=1.0):
    return {"W1": rng.normal(scale=scale, size=(n_h, n_x)), "b1": rng.normal(scale=0.5, size=(n_h, 1)),
            "W2": rng.normal(scale=scale, size=(1, n_h)), "b2": rng.normal(scale=0.5, size=(1, 1))}


def _forward(X, p):
    Z1 = p["W1"] @ X + p["b1"]
    A1 = np.tanh(Z1)
    Z2 = p["W2"] @ A1 + p["b2"]
    A2 = np_sigmoid(Z2)
    return A2, {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}


def _labels(rng, m):
    Y = (rng.random((1, m)) < 0.5).astype(float)
    Y[0, 0] = 1.0 - Y[0, -1] if m > 1 else Y[0, 0]      # both classes present when m > 1
    return Y


# ----------------------------------------------------------------------------- backward_propagation

def _bp_case(rng, n_x, n_h, m, p=None, X=None):
    p = _params(rng, n_x, n_h) if p is None else p
    X = rng.normal(size=(n_x, m)) if X is None else X
    _, cache = _forward(X, p)
    return (p, cache, X, _labels(rng, m))


def _bp_cases(rng):
    p0 = _params(rng, 3, 4)
    p0["W2"] = np.zeros((1, 4))
    saturated = _params(rng, 2, 3, scale=40.0)
    return [
        Case(_bp_case(rng, 2, 4, 5), "n_x = 2, n_h = 4, m = 5"),
        Case(_bp_case(rng, 3, 4, 10), "the 3-4-1 network of the gradient check, m = 10"),
        Case(_bp_case(rng, 5, 3, 7), "n_x = 5, n_h = 3: no square matrices"),
        Case(_bp_case(rng, 3, 4, 6, p=p0), "W2 = 0: no gradient reaches layer 1, so dW1 = 0 and db1 = 0"),
        Case(_bp_case(rng, 3, 4, 6, X=np.zeros((3, 6))), "X = 0: dW1 = dZ1 X.T / m = 0"),
        Case(_bp_case(rng, 2, 4, 1), "one example"),
        Case(_bp_case(rng, 2, 3, 6, p=saturated), "large weights: tanh saturates at ±1, where tanh' = 0"),
        Case(as32(_bp_case(rng, 2, 4, 8)), "float32", dtype=np.float32),
    ]


def _bp_oracle(parameters, cache, X, Y):
    t = {k: torch.tensor(v, requires_grad=True) for k, v in parameters.items()}
    Z2 = t["W2"] @ torch.tanh(t["W1"] @ torch.from_numpy(X) + t["b1"]) + t["b2"]
    F.binary_cross_entropy_with_logits(Z2, torch.from_numpy(Y)).backward()      # the mean over m
    return {"d" + k: v.grad.numpy() for k, v in t.items()}


def _bp_generic(no_mean=False, dW1_no_mean=False, hidden_deriv=lambda A1: 1 - A1 ** 2, sign=1.0,
                dW2_from_Z1=False, db_rank1=False):
    def backward(parameters, cache, X, Y):
        m = X.shape[1]
        A1, A2 = cache["A1"], cache["A2"]
        k = 1.0 if no_mean else 1.0 / m
        dZ2 = sign * (A2 - Y)
        dW2 = k * dZ2 @ (cache["Z1"] if dW2_from_Z1 else A1).T
        db2 = k * np.sum(dZ2, axis=1, keepdims=not db_rank1)
        dZ1 = (parameters["W2"].T @ dZ2) * hidden_deriv(A1)
        dW1 = (1.0 if dW1_no_mean else k) * dZ1 @ X.T
        db1 = k * np.sum(dZ1, axis=1, keepdims=not db_rank1)
        return {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}
    return backward


BACKWARD_PROPAGATION = Exercise(
    name="backward_propagation",
    draw=_bp_cases,
    oracle=_bp_oracle,
    forbidden=NO_AUTOGRAD,
    wrong=[
        (_bp_generic(sign=-1.0), "dZ2 = A2 - Y (prediction minus label), not Y - A2"),
        (_bp_generic(hidden_deriv=lambda A1: A1 * (1 - A1)),
         "the hidden layer is tanh, whose derivative is 1 - A1**2; A1 * (1 - A1) is the sigmoid's"),
        (_bp_generic(hidden_deriv=lambda A1: 1 - A1), "tanh'(z) = 1 - tanh(z)**2: square A1"),
        (_bp_generic(hidden_deriv=lambda A1: 1.0), "multiply elementwise by tanh'(Z1) = 1 - A1**2: "
                                                  "dZ1 = (W2.T @ dZ2) * (1 - A1**2)"),
        (_bp_generic(dW2_from_Z1=True), "dW2 = dZ2 @ A1.T / m: layer 2's input is the activation A1, not Z1"),
        (_bp_generic(dW1_no_mean=True), "dW1 is an average over the examples too: dW1 = dZ1 @ X.T / m"),
        (_bp_generic(no_mean=True), "the gradients of the cost are averages over the m examples: divide dW and db by m"),
        (_bp_generic(db_rank1=True), "db1 and db2 must keep the biases' column shape: sum with axis=1, keepdims=True"),
    ],
    arg_names=("parameters", "cache", "X", "Y"),
)


# ----------------------------------------------------------------------------- update_parameters

def _up_cases(rng):
    p1, p2, p3 = _params(rng, 2, 4), _params(rng, 3, 1), as32(_params(rng, 2, 3))
    return [
        Case((p1, _grads_like(rng, p1), 1.2), "the flower network, learning_rate = 1.2"),
        Case((p2, _grads_like(rng, p2), 0.01), "one hidden unit, learning_rate = 0.01"),
        Case((p1, _grads_like(rng, p1), 0.0), "learning_rate = 0: nothing changes"),
        Case((p3, _grads_like(rng, p3), 0.5), "float32", dtype=np.float32),
    ]


UPDATE_PARAMETERS = Exercise(
    name="update_parameters",
    draw=_up_cases,
    oracle=lambda parameters, grads, learning_rate: _up_oracle(parameters, grads, learning_rate),
    forbidden=NO_AUTOGRAD + ("torch.optim.SGD",),
    wrong=[
        (_up_ascent, "gradient *descent* subtracts: W1 = W1 - learning_rate * dW1"),
        (_up_no_lr, "multiply each gradient by the learning rate"),
        (_up_w_only, "update the biases too: b1 = b1 - learning_rate * db1, and b2 likewise"),
    ],
    arg_names=("parameters", "grads", "learning_rate"),
)


# ----------------------------------------------------------------------------- nn_model

def _nn_cases(rng):
    seed = lambda: np.random.default_rng(int(rng.integers(1 << 31)))
    X1 = rng.normal(scale=2.0, size=(2, 20))
    X2 = rng.normal(size=(3, 7))
    return [
        Case((X1, _labels(rng, 20), 4, 10, 1.2, seed()), "n_h = 4, 10 iterations, learning_rate = 1.2"),
        Case((X2, _labels(rng, 7), 1, 5, 0.5, seed()), "one hidden unit, 5 iterations"),
        Case((X1.copy(), _labels(rng, 20), 6, 25, 2.0, seed()), "n_h = 6, 25 iterations, learning_rate = 2"),
        Case((X2.copy(), _labels(rng, 7), 3, 0, 1.0, seed()), "0 iterations: the initial parameters, no costs"),
    ]


def _nn_oracle(X, Y, n_h, num_iterations, learning_rate, rng):
    n_x = X.shape[0]
    W1 = rng.standard_normal((n_h, n_x)) * 0.01
    W2 = rng.standard_normal((1, n_h)) * 0.01
    net = sequential({"W1": W1, "b1": np.zeros((n_h, 1)), "W2": W2, "b2": np.zeros((1, 1))}, nn.Tanh)
    opt = torch.optim.SGD(net.parameters(), lr=learning_rate)
    x, y, costs = torch.from_numpy(X.T.copy()), torch.from_numpy(Y.T.copy()), []
    for _ in range(num_iterations):
        opt.zero_grad()
        J = F.binary_cross_entropy_with_logits(net(x), y)
        costs.append(float(J.detach()))
        J.backward()
        opt.step()
    params = {"W1": net[0].weight.detach().numpy(), "b1": net[0].bias.detach().numpy()[:, None],
              "W2": net[2].weight.detach().numpy(), "b2": net[2].bias.detach().numpy()[:, None]}
    return params, tuple(costs)


def _np_cost(A2, Y):
    return float(-np.mean(Y * np.log(A2) + (1 - Y) * np.log(1 - A2)))


def _np_grads(p, cache, X, Y):
    m = X.shape[1]
    dZ2 = cache["A2"] - Y
    dZ1 = (p["W2"].T @ dZ2) * (1 - cache["A1"] ** 2)
    return {"dW1": dZ1 @ X.T / m, "db1": dZ1.sum(axis=1, keepdims=True) / m,
            "dW2": dZ2 @ cache["A1"].T / m, "db2": dZ2.sum(axis=1, keepdims=True) / m}


def _nn_generic(order="W1W2", scale=0.01, cost_after=False):
    def model(X, Y, n_h, num_iterations, learning_rate, rng):
        n_x = X.shape[0]
        if order == "W1W2":
            W1 = rng.standard_normal((n_h, n_x)) * scale
            W2 = rng.standard_normal((1, n_h)) * scale
        elif order == "W2W1":
            W2 = rng.standard_normal((1, n_h)) * scale
            W1 = rng.standard_normal((n_h, n_x)) * scale
        else:
            W1, W2 = np.zeros((n_h, n_x)), np.zeros((1, n_h))
        p = {"W1": W1, "b1": np.zeros((n_h, 1)), "W2": W2, "b2": np.zeros((1, 1))}
        costs = []
        for _ in range(num_iterations):
            A2, cache = _forward(X, p)
            g = _np_grads(p, cache, X, Y)
            p = {k: v - learning_rate * g["d" + k] for k, v in p.items()}
            costs.append(_np_cost(_forward(X, p)[0] if cost_after else A2, Y))
        return p, costs
    return model


NN_MODEL = Exercise(
    name="nn_model",
    draw=_nn_cases,
    oracle=_nn_oracle,
    backends=("numpy",),
    rtol=1e-9,
    atol=1e-12,
    forbidden=NO_AUTOGRAD + ("torch.optim.SGD",),
    wrong=[
        (_nn_generic(order="zeros"), "start from random weights, not zeros: with W = 0 the hidden units stay "
                                     "identical (and with tanh stuck at 0)"),
        (_nn_generic(order="W2W1"), "draw W1 first, then W2, as the docstring says, so that your numbers match"),
        (_nn_generic(scale=1.0), "scale the initial weights by 0.01: rng.standard_normal(shape) * 0.01"),
        (_nn_generic(cost_after=True), "record the cost of the current parameters *before* the update: "
                                       "costs[0] is the cost at the start"),
    ],
    arg_names=("X", "Y", "n_h", "num_iterations", "learning_rate", "rng"),
    returns=("parameters", "costs"),
)


# ----------------------------------------------------------------------------- predict

def _pr_cases(rng):
    half = _params(rng, 2, 3)
    half["W2"], half["b2"] = np.zeros((1, 3)), np.zeros((1, 1))         # A2 = 0.5 exactly
    return [
        Case((_params(rng, 2, 4), rng.normal(size=(2, 9))), "n_x = 2, n_h = 4, m = 9"),
        Case((half, rng.normal(size=(2, 5))), "W2 = 0 and b2 = 0: A2 is exactly 0.5, which predicts 0"),
        Case((_params(rng, 3, 2, scale=30.0), rng.normal(size=(3, 6))), "large weights: saturated outputs"),
        Case((_params(rng, 4, 3), rng.normal(size=(4, 1))), "one example"),
        Case(as32((_params(rng, 2, 4), rng.normal(size=(2, 7)))), "float32: predictions in float32",
             dtype=np.float32),
    ]


def _pr_oracle(parameters, X):
    net = sequential(parameters, nn.Tanh, nn.Sigmoid)
    with torch.no_grad():
        A2 = net(torch.from_numpy(X.T.copy())).T
    return (A2 > 0.5).to(torch.float64).numpy()


def _pr_ge(parameters, X):
    return (_forward(X, parameters)[0] >= 0.5).astype(X.dtype)


def _pr_proba(parameters, X):
    return _forward(X, parameters)[0]


def _pr_z(parameters, X):
    return (_forward(X, parameters)[1]["Z2"] > 0.5).astype(X.dtype)


PREDICT = Exercise(
    name="predict",
    draw=_pr_cases,
    oracle=_pr_oracle,
    forbidden=("torch.nn.Module.__call__",),
    wrong=[
        (_pr_ge, "predict 1 only when A2 > 0.5 strictly: at exactly 0.5 the prediction is 0"),
        (_pr_proba, "threshold the probabilities: the prediction is 1.0 where A2 > 0.5, else 0.0"),
        (_pr_z, "threshold the probability A2 at 0.5, not the score Z2 (Z2 > 0 is the same test as A2 > 0.5)"),
    ],
    arg_names=("parameters", "X"),
)

EXERCISES = {e.name: e for e in (BACKWARD_PROPAGATION, UPDATE_PARAMETERS, NN_MODEL, PREDICT)}
