"""Unit 10 · Matrix dimensions and weight initialization.

Exercises: layer_shapes, init_std, initialize_parameters, activation_stats.
Oracles: the shapes an nn.Sequential and autograd actually produce (transposed to the book's
column layout); the standard deviation read off torch.nn.init's own initializers
(kaiming_normal_ with nonlinearity "relu" and "linear", xavier_normal_), times the same draws
from the generator; torch.std(correction=0) of the activations of an nn.Sequential with the
weights copied in.
"""
import math

import numpy as np
import torch
import torch.nn as nn

from grader.core import Case, Exercise
from grader.units.u09_deep_networks import as32, cached_std, sequential

STD_OF = {
    "he": lambda fan_in, fan_out: cached_std(nn.init.kaiming_normal_, fan_in, fan_out, mode="fan_in",
                                            nonlinearity="relu"),
    "lecun": lambda fan_in, fan_out: cached_std(nn.init.kaiming_normal_, fan_in, fan_out, mode="fan_in",
                                               nonlinearity="linear"),
    "glorot": lambda fan_in, fan_out: cached_std(nn.init.xavier_normal_, fan_in, fan_out),
}


# ----------------------------------------------------------------------------- layer_shapes

def _shapes_cases(rng):
    return [
        Case(([12288, 20, 7, 5, 1], 209), "[12288, 20, 7, 5, 1] with m = 209 (the course's cat images)"),
        Case(([2, 4, 1], 400), "[2, 4, 1], the flower network, m = 400"),
        Case(([3, 3, 3], 3), "all sizes 3: only the keys and the order of the dimensions tell them apart"),
        Case(([5, 1], 1), "one layer, one example"),
    ]


def _shapes_oracle(layer_dims, m):
    """Run an nn.Sequential forward and backward and read every shape off the tensors."""
    params = {}
    for l in range(1, len(layer_dims)):
        params[f"W{l}"] = np.ones((layer_dims[l], layer_dims[l - 1]))
        params[f"b{l}"] = np.ones((layer_dims[l], 1))
    net = sequential(params, nn.ReLU, nn.Sigmoid)
    outputs = []                                  # Z1, A1, Z2, A2, ...: every module's output

    def keep(mod, inp, out):
        out.retain_grad()
        outputs.append(out)

    hooks = [mod.register_forward_hook(keep) for mod in net]
    x = torch.ones((m, layer_dims[0]), dtype=torch.float64, requires_grad=True)   # examples in rows
    net(x).sum().backward()
    for h in hooks:
        h.remove()
    col = lambda t: (int(t.shape[1]), int(t.shape[0]))     # torch (m, n) -> the book's (n, m)
    shapes = {"A0": col(x), "dA0": col(x.grad)}
    for l in range(1, len(layer_dims)):
        lin, Z, A = net[2 * (l - 1)], outputs[2 * (l - 1)], outputs[2 * l - 1]
        shapes[f"W{l}"], shapes[f"dW{l}"] = tuple(lin.weight.shape), tuple(lin.weight.grad.shape)
        shapes[f"b{l}"], shapes[f"db{l}"] = (lin.bias.shape[0], 1), (lin.bias.grad.shape[0], 1)
        shapes[f"Z{l}"], shapes[f"dZ{l}"] = col(Z), col(Z.grad)
        shapes[f"A{l}"], shapes[f"dA{l}"] = col(A), col(A.grad)
    return {k: tuple(int(d) for d in v) for k, v in shapes.items()}


def _shapes_with(W=None, b=None, Z=None, dW=None, with_input=True):
    def shapes(layer_dims, m):
        out = {"A0": (layer_dims[0], m), "dA0": (layer_dims[0], m)} if with_input else {}
        for l in range(1, len(layer_dims)):
            n_prev, n = layer_dims[l - 1], layer_dims[l]
            w = W(n, n_prev) if W else (n, n_prev)
            bb = b(n) if b else (n, 1)
            z = Z(n, m) if Z else (n, m)
            out.update({f"W{l}": w, f"b{l}": bb, f"Z{l}": z, f"A{l}": z,
                        f"dW{l}": dW(n, m) if dW else w, f"db{l}": bb, f"dZ{l}": z, f"dA{l}": z})
        return out
    return shapes


LAYER_SHAPES = Exercise(
    name="layer_shapes",
    draw=_shapes_cases,
    oracle=_shapes_oracle,
    backends=("python",),
    wrong=[
        (_shapes_with(W=lambda n, n_prev: (n_prev, n)),
         "W[l] maps n[l-1] inputs to n[l] outputs, so it is (n[l], n[l-1]): (current layer, previous layer)"),
        (_shapes_with(b=lambda n: (n,)), "b[l] is a column (n[l], 1), not the rank-1 shape (n[l],)"),
        (_shapes_with(b=lambda n: (1, n)), "b[l] is a column (n[l], 1): one bias per unit, broadcast over the m columns"),
        (_shapes_with(Z=lambda n, m: (m, n)), "examples are columns in this book: Z[l] and A[l] are (n[l], m)"),
        (_shapes_with(dW=lambda n, m: (n, m)),
         "a gradient has the shape of what it is the gradient of: dW[l] is (n[l], n[l-1]) like W[l]"),
        (_shapes_with(with_input=False), "include layer 0: A0 = X and its gradient dA0, both (n[0], m)"),
    ],
    arg_names=("layer_dims", "m"),
)


# ----------------------------------------------------------------------------- init_std

def _std_cases(rng):
    return [
        Case(("he", 3, 5), "He, fan_in = 3, fan_out = 5"),
        Case(("he", 1000, 2000), "He, fan_in = 1000, fan_out = 2000"),
        Case(("lecun", 1000, 2000), "LeCun, fan_in = 1000, fan_out = 2000"),
        Case(("glorot", 1000, 2000), "Glorot, fan_in = 1000, fan_out = 2000"),
        Case(("lecun", 1, 7), "LeCun, fan_in = 1"),
        Case(("glorot", 20, 7), "Glorot, fan_in = 20, fan_out = 7"),
    ]


def _std_oracle(method, fan_in, fan_out):
    return STD_OF[method](fan_in, fan_out)


def _std_formula(he, lecun, glorot):
    def std(method, fan_in, fan_out):
        return float({"he": he, "lecun": lecun, "glorot": glorot}[method](fan_in, fan_out))
    return std


INIT_STD = Exercise(
    name="init_std",
    draw=_std_cases,
    oracle=_std_oracle,
    backends=("python",),
    rtol=1e-9,
    wrong=[
        (_std_formula(lambda i, o: 0.01, lambda i, o: 0.01, lambda i, o: 0.01),
         "0.01 is the course's fixed scale for small networks; each method has a formula in the fans"),
        (_std_formula(lambda i, o: math.sqrt(2 / o), lambda i, o: math.sqrt(1 / o),
                      lambda i, o: math.sqrt(2 / (i + o))),
         "He and LeCun use fan_in, the number of inputs n[l-1] of the layer, not fan_out"),
        (_std_formula(lambda i, o: 2 / i, lambda i, o: 1 / i, lambda i, o: 2 / (i + o)),
         "that is the variance; the standard deviation is its square root, e.g. sqrt(2 / fan_in) for He"),
        (_std_formula(lambda i, o: math.sqrt(1 / i), lambda i, o: math.sqrt(2 / i),
                      lambda i, o: math.sqrt(2 / (i + o))),
         "He and LeCun are swapped: He (for ReLU) is sqrt(2 / fan_in), LeCun sqrt(1 / fan_in)"),
        (_std_formula(lambda i, o: math.sqrt(2 / i), lambda i, o: math.sqrt(1 / i), lambda i, o: math.sqrt(1 / i)),
         "'glorot' is Glorot and Bengio's sqrt(2 / (fan_in + fan_out)) (PyTorch's xavier_normal_); the course's "
         "'Xavier' sqrt(1 / fan_in) is LeCun's"),
        (_std_formula(lambda i, o: math.sqrt(2 / i), lambda i, o: math.sqrt(1 / i),
                      lambda i, o: math.sqrt(1 / (i + o))),
         "Glorot's numerator is 2: sqrt(2 / (fan_in + fan_out)), the average of the two fans"),
    ],
    arg_names=("method", "fan_in", "fan_out"),
)


# ----------------------------------------------------------------------------- initialize_parameters

def _ip_cases(rng):
    seed = lambda: np.random.default_rng(int(rng.integers(1 << 31)))
    return [
        Case(([1000, 100, 10], seed(), "he"), "He on [1000, 100, 10], the notes' example"),
        Case(([4, 3, 2, 1], seed(), "lecun"), "LeCun on [4, 3, 2, 1]"),
        Case(([5, 8, 1], seed(), "glorot"), "Glorot on [5, 8, 1]"),
        Case(([3, 2, 1], seed(), "zeros"), "zeros on [3, 2, 1]: no draws"),
        Case(([2, 4, 1], seed(), 0.01), "a fixed scale of 0.01"),
        Case(([2, 4, 1], seed(), 10.0), "a fixed scale of 10 (the 'large random' example)"),
    ]


def _ip_oracle(layer_dims, rng, method):
    params = {}
    for l in range(1, len(layer_dims)):
        n_prev, n = layer_dims[l - 1], layer_dims[l]
        if method == "zeros":
            params[f"W{l}"] = np.zeros((n, n_prev))
        else:
            std = float(method) if not isinstance(method, str) else STD_OF[method](n_prev, n)
            params[f"W{l}"] = rng.standard_normal((n, n_prev)) * std
        params[f"b{l}"] = np.zeros((n, 1))
    return params


def _ip_with(std_of, transposed=False, random_bias=False, zeros_W=None):
    def init(layer_dims, rng, method):
        params = {}
        for l in range(1, len(layer_dims)):
            n_prev, n = layer_dims[l - 1], layer_dims[l]
            if method == "zeros":
                W = np.zeros((n, n_prev)) if zeros_W is None else zeros_W(rng, n, n_prev)
            else:
                draw = rng.standard_normal((n_prev, n)).T if transposed else rng.standard_normal((n, n_prev))
                W = draw * std_of(method, n_prev, n)
            params[f"W{l}"] = W
            params[f"b{l}"] = rng.standard_normal((n, 1)) if random_bias else np.zeros((n, 1))
        return params
    return init


def _std_py(method, fan_in, fan_out):
    if not isinstance(method, str):
        return float(method)
    return {"he": math.sqrt(2 / fan_in), "lecun": math.sqrt(1 / fan_in),
            "glorot": math.sqrt(2 / (fan_in + fan_out))}[method]


INITIALIZE_PARAMETERS = Exercise(
    name="initialize_parameters",
    draw=_ip_cases,
    oracle=_ip_oracle,
    backends=("numpy",),
    wrong=[
        (_ip_with(lambda method, i, o: _std_py(method, o, i)),
         "the fan-in of layer l is n[l-1], the number of columns of W[l] (its inputs), not n[l]"),
        (_ip_with(lambda method, i, o: _std_py(method, i, o) ** 2),
         "multiply the standard normal draws by the standard deviation (e.g. sqrt(2 / n[l-1])), not by the variance"),
        (_ip_with(lambda method, i, o: 0.01 * _std_py(method, i, o)),
         "do not multiply the method's scale by 0.01 as well: the std is sqrt(2 / n[l-1]) for He, alone"),
        (_ip_with(lambda method, i, o: 0.01 if isinstance(method, str) else float(method)),
         "use the method's own standard deviation (He, LeCun, Glorot), not the fixed 0.01"),
        (_ip_with(lambda method, i, o: _std_py(method, i, o), transposed=True),
         "draw W[l] with shape (n[l], n[l-1]) directly: rng.standard_normal((n[l], n[l-1])); "
         "drawing the transpose and flipping it gives other numbers"),
        (_ip_with(lambda method, i, o: _std_py(method, i, o), random_bias=True),
         "biases start at 0 and take no draws from rng: b[l] = np.zeros((n[l], 1))"),
        (_ip_with(lambda method, i, o: _std_py(method, i, o),
                  zeros_W=lambda rng, n, n_prev: np.full((n, n_prev), 0.01)),
         "'zeros' means W[l] = 0 exactly (to show the symmetry problem), not a small constant"),
    ],
    arg_names=("layer_dims", "rng", "method"),
)


# ----------------------------------------------------------------------------- activation_stats

def _params(rng, dims, gain):
    p = {}
    for l in range(1, len(dims)):
        p[f"W{l}"] = rng.standard_normal((dims[l], dims[l - 1])) * gain / math.sqrt(dims[l - 1])
        p[f"b{l}"] = np.zeros((dims[l], 1))
    return p


def _as_cases(rng):
    deep = [100] * 11
    return [
        Case((rng.standard_normal((50, 30)), _params(rng, [50, 40, 40, 40], math.sqrt(2)), "relu"),
             "ReLU with He weights, three layers"),
        Case((rng.standard_normal((50, 30)), _params(rng, [50, 40, 40, 40], 1.0), "tanh"),
             "tanh with LeCun weights"),
        Case((rng.standard_normal((20, 8)), _params(rng, [20, 20, 20], 1.0), "linear"), "no activation"),
        Case((rng.standard_normal((100, 64)), _params(rng, deep, 0.01 * 10), "relu"),
             "ten ReLU layers of width 100 with std 0.01: the signal vanishes"),
        Case((rng.standard_normal((3, 1)) + 1.0, {"W1": rng.standard_normal((2, 3)), "b1": np.ones((2, 1))}, "relu"),
             "one layer, one example"),
        Case(as32((rng.standard_normal((30, 20)), _params(rng, [30, 30, 30], math.sqrt(2)), "relu")),
             "float32", dtype=np.float32),
    ]


def _as_oracle(X, parameters, activation):
    act = {"relu": nn.ReLU, "tanh": nn.Tanh, "linear": nn.Identity}[activation]
    net = sequential(parameters, act, act)              # every layer, the last one too, uses the activation
    seen = []
    hooks = [mod.register_forward_hook(lambda mod, inp, out: seen.append(out)) for mod in net
             if not isinstance(mod, nn.Linear)]
    with torch.no_grad():
        net(torch.from_numpy(X.T.copy()))
    for h in hooks:
        h.remove()
    return torch.stack([torch.std(a, correction=0) for a in seen]).numpy()


def _np_g(activation):
    return {"relu": lambda z: np.maximum(z, 0), "tanh": np.tanh, "linear": lambda z: z}[activation]


def _as_with(stat=np.std, of_Z=False, with_input=False):
    def stats(X, parameters, activation):
        g = _np_g(activation)
        L = sum(1 for k in parameters if k.startswith("W"))
        out, A = ([stat(X)] if with_input else []), X
        for l in range(1, L + 1):
            Z = parameters[f"W{l}"] @ A + parameters[f"b{l}"]
            A = g(Z)
            out.append(stat(Z if of_Z else A))
        return np.array(out, dtype=X.dtype)
    return stats


ACTIVATION_STATS = Exercise(
    name="activation_stats",
    draw=_as_cases,
    oracle=_as_oracle,
    rtol=1e-9,
    atol=1e-14,
    forbidden=("torch.nn.Module.__call__",),
    wrong=[
        (_as_with(stat=lambda a: np.std(a, ddof=1)),
         "use the population standard deviation (divide by the count, xp.std's default); torch's "
         "Tensor.std() divides by count - 1 unless you pass correction=0"),
        (_as_with(of_Z=True), "measure the activations A[l] = g(Z[l]), not the pre-activations Z[l]"),
        (_as_with(stat=lambda a: np.mean(np.std(a, axis=1))),
         "take one standard deviation over all units and examples of A[l], not the mean of per-unit values"),
        (_as_with(with_input=True), "return L values, one per layer l = 1..L: do not include the input X"),
    ],
    arg_names=("X", "parameters", "activation"),
)

EXERCISES = {e.name: e for e in (LAYER_SHAPES, INIT_STD, INITIALIZE_PARAMETERS, ACTIVATION_STATS)}
