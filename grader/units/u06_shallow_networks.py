"""Unit 06 · Shallow neural networks (one hidden layer).

Exercises: layer_sizes, initialize_parameters, forward_propagation, collapse_linear.
Oracles: the shapes themselves; one rng draw of all the weights, split in the documented order;
nn.Sequential(Linear, Tanh, Linear, Sigmoid) with the weights copied in; two nn.Linear layers
probed at 0 and at the unit vectors. Layout: X (n_x, m), W1 (n_h, n_x), b1 (n_h, 1),
W2 (n_y, n_h), b2 (n_y, 1); Z1, A1 (n_h, m); Z2, A2 (n_y, m).
"""
import numpy as np
import torch
from torch import nn

from grader.core import Case, Exercise

# The notes' listing: three features of four examples, weights from np.random.seed(1).
SEED_X = np.array([[1.0, 2, 3, 4], [4, 5, 6, 7], [7, 8, 9, 10]])


def seed_parameters():
    """The listing's parameters: W1 = randn(4, 3) * 0.01, then W2 = randn(1, 4) * 0.01, seed 1."""
    legacy = np.random.RandomState(1)            # the generator behind np.random.seed(1)
    W1 = legacy.randn(4, 3) * 0.01
    W2 = legacy.randn(1, 4) * 0.01
    return {"W1": W1, "b1": np.zeros((4, 1)), "W2": W2, "b2": np.zeros((1, 1))}


def _params(rng, n_x, n_h, n_y, scale=1.0, dtype=np.float64):
    p = {"W1": rng.normal(scale=scale, size=(n_h, n_x)), "b1": rng.normal(size=(n_h, 1)),
         "W2": rng.normal(scale=scale, size=(n_y, n_h)), "b2": rng.normal(size=(n_y, 1))}
    return {k: v.astype(dtype) for k, v in p.items()}


def _stable_sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


# ----------------------------------------------------------------------------- layer_sizes

def _sizes_cases(rng):
    return [
        Case((rng.normal(size=(2, 400)), np.zeros((1, 400)), 4), "the flower data: X (2, 400), n_h = 4"),
        Case((rng.normal(size=(5, 3)), np.ones((2, 3)), 7), "X (5, 3), Y (2, 3), n_h = 7"),
        Case((rng.normal(size=(3, 1)), np.ones((1, 1)), 1), "one example, n_h = 1"),
        Case((rng.normal(size=(64, 10)), np.zeros((1, 10)), 20), "X (64, 10), n_h = 20"),
    ]


def _sizes_oracle(X, Y, n_h):
    return int(X.shape[0]), int(n_h), int(Y.shape[0])


def _sizes_columns(X, Y, n_h):
    return X.shape[1], n_h, Y.shape[1]


def _sizes_ny_one(X, Y, n_h):
    return X.shape[0], n_h, 1


def _sizes_nh_fixed(X, Y, n_h):
    return X.shape[0], 4, Y.shape[0]


def _sizes_nx_from_Y(X, Y, n_h):
    return Y.shape[0], n_h, X.shape[0]


LAYER_SIZES = Exercise(
    name="layer_sizes",
    draw=_sizes_cases,
    oracle=_sizes_oracle,
    wrong=[
        (_sizes_columns, "examples are columns: n_x = X.shape[0] (the rows); X.shape[1] is m, the number of examples"),
        (_sizes_nx_from_Y, "n_x comes from X (the input) and n_y from Y (the labels), not the other way round"),
        (_sizes_ny_one, "n_y = Y.shape[0]: do not hard-code 1, the output layer can have several units"),
        (_sizes_nh_fixed, "use the n_h argument instead of a fixed 4"),
    ],
    arg_names=("X", "Y", "n_h"),
    returns=("n_x", "n_h", "n_y"),
)


# ----------------------------------------------------------------------------- initialize_parameters

def _init_cases(rng):
    seeds = rng.integers(0, 2**31, size=5)
    g = [np.random.default_rng(int(s)) for s in seeds]
    return [
        Case((2, 4, 1, g[0], 0.01), "the flower network: n_x = 2, n_h = 4, n_y = 1"),
        Case((3, 4, 1, g[1], 0.01), "the notes' sizes: n_x = 3, n_h = 4, n_y = 1"),
        Case((5, 3, 2, g[2], 0.01), "n_x = 5, n_h = 3, n_y = 2"),
        Case((1, 1, 1, g[3], 0.01), "one unit everywhere"),
        Case((4, 6, 1, g[4], 0.5), "scale = 0.5"),
    ]


def _init_oracle(n_x, n_h, n_y, rng, scale):
    # One draw of every weight, then split: the same stream as W1's draw followed by W2's.
    z = rng.standard_normal(n_h * n_x + n_y * n_h) * scale
    return {"W1": z[: n_h * n_x].reshape(n_h, n_x), "b1": np.zeros((n_h, 1)),
            "W2": z[n_h * n_x:].reshape(n_y, n_h), "b2": np.zeros((n_y, 1))}


def _init_zeros(n_x, n_h, n_y, rng, scale):
    return {"W1": np.zeros((n_h, n_x)), "b1": np.zeros((n_h, 1)),
            "W2": np.zeros((n_y, n_h)), "b2": np.zeros((n_y, 1))}


def _init_no_scale(n_x, n_h, n_y, rng, scale):
    return _init_oracle(n_x, n_h, n_y, rng, 1.0)


def _init_w2_first(n_x, n_h, n_y, rng, scale):
    W2 = rng.standard_normal((n_y, n_h)) * scale
    W1 = rng.standard_normal((n_h, n_x)) * scale
    return {"W1": W1, "b1": np.zeros((n_h, 1)), "W2": W2, "b2": np.zeros((n_y, 1))}


def _init_w1_transposed(n_x, n_h, n_y, rng, scale):
    W1 = rng.standard_normal((n_x, n_h)) * scale
    W2 = rng.standard_normal((n_y, n_h)) * scale
    return {"W1": W1, "b1": np.zeros((n_h, 1)), "W2": W2, "b2": np.zeros((n_y, 1))}


def _init_rank1_bias(n_x, n_h, n_y, rng, scale):
    p = _init_oracle(n_x, n_h, n_y, rng, scale)
    return {**p, "b1": np.zeros(n_h), "b2": np.zeros(n_y)}


def _init_uniform(n_x, n_h, n_y, rng, scale):
    W1 = rng.random((n_h, n_x)) * scale
    W2 = rng.random((n_y, n_h)) * scale
    return {"W1": W1, "b1": np.zeros((n_h, 1)), "W2": W2, "b2": np.zeros((n_y, 1))}


INITIALIZE_PARAMETERS = Exercise(
    name="initialize_parameters",
    draw=_init_cases,
    oracle=_init_oracle,
    backends=("python",),
    forbidden=("numpy.random.seed", "numpy.random.randn", "numpy.random.rand"),
    wrong=[
        (_init_zeros, "the weights must be random: with W = 0 every hidden unit computes the same "
                      "thing and they stay identical during training (symmetry); only the biases are zeros"),
        (_init_no_scale, "multiply the standard-normal draws by scale (0.01 by default): large weights saturate tanh"),
        (_init_w2_first, "draw W1 first, then W2: the docstring fixes the order so that your numbers match"),
        (_init_w1_transposed, "W1 has shape (n_h, n_x): one row of weights per hidden unit"),
        (_init_rank1_bias, "the biases are columns, b1 of shape (n_h, 1) and b2 of shape (n_y, 1), "
                           "not rank-1 arrays (n,)"),
        (_init_uniform, "use rng.standard_normal (Gaussian draws), not rng.random (uniform in [0, 1))"),
    ],
    arg_names=("n_x", "n_h", "n_y", "rng", "scale"),
)


# ----------------------------------------------------------------------------- forward_propagation

def _forward_cases(rng):
    # Every hidden unit saturates at ±1 (the third follows the sign of x1), so Z2 = 200.5 or -1399.5.
    saturated = {"W1": np.array([[0.1, -0.2], [-0.3, 0.1], [50.0, 0.0]]), "b1": np.array([[100.0], [100.0], [0.0]]),
                 "W2": np.array([[-300.0, -300.0, 800.0]]), "b2": np.array([[0.5]])}
    X_saturated = np.stack([np.array([-2.0, -1.0, -0.5, 0.5, 1.0, 2.0]), rng.normal(size=6)])
    return [
        Case((SEED_X.copy(), seed_parameters()), "the notes' listing: X (3, 4), n_h = 4, seed 1"),
        Case((rng.normal(size=(2, 5)), _params(rng, 2, 4, 1)), "random: n_x = 2, n_h = 4, m = 5"),
        Case((rng.normal(size=(3, 1)), _params(rng, 3, 1, 1)), "one example, one hidden unit"),
        Case((rng.normal(size=(5, 7)), _params(rng, 5, 3, 2)), "n_x = 5, n_h = 3, n_y = 2, m = 7"),
        Case((X_saturated, saturated), "saturated units: Z2 reaches -1400, the sigmoid must not overflow"),
        Case((rng.normal(size=(2, 8)).astype(np.float32), _params(rng, 2, 5, 1, dtype=np.float32)),
             "float32 inputs stay float32", dtype=np.float32),
    ]


def _forward_oracle(X, parameters):
    n_h, n_x = parameters["W1"].shape
    n_y = parameters["W2"].shape[0]
    net = nn.Sequential(nn.Linear(n_x, n_h), nn.Tanh(), nn.Linear(n_h, n_y), nn.Sigmoid()).double()
    outs = []
    with torch.no_grad():
        for layer, l in ((net[0], 1), (net[2], 2)):       # nn.Linear.weight is (out, in), like W
            layer.weight.copy_(torch.from_numpy(parameters[f"W{l}"]))
            layer.bias.copy_(torch.from_numpy(parameters[f"b{l}"].ravel()))
        h = torch.from_numpy(X.T)                          # the module takes examples as rows
        for layer in net:
            h = layer(h)
            outs.append(h.T.numpy().copy())                # back to columns: (n, m)
    Z1, A1, Z2, A2 = outs
    return A2, {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}


def _fwd(X, p, hidden=np.tanh, output=_stable_sigmoid, bias=True, chain_Z1=False):
    b1, b2 = (p["b1"], p["b2"]) if bias else (0.0, 0.0)
    Z1 = p["W1"] @ X + b1
    A1 = hidden(Z1)
    Z2 = p["W2"] @ (Z1 if chain_Z1 else A1) + b2
    A2 = output(Z2)
    return A2, {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}


def _fwd_sigmoid_hidden(X, p):
    return _fwd(X, p, hidden=_stable_sigmoid)


def _fwd_no_output_activation(X, p):
    return _fwd(X, p, output=lambda z: z)


def _fwd_tanh_output(X, p):
    return _fwd(X, p, output=np.tanh)


def _fwd_no_bias(X, p):
    return _fwd(X, p, bias=False)


def _fwd_skip_tanh(X, p):
    return _fwd(X, p, chain_Z1=True)


FORWARD_PROPAGATION = Exercise(
    name="forward_propagation",
    draw=_forward_cases,
    oracle=_forward_oracle,
    strict_fp=True,
    fp_hint=("1 / (1 + exp(-Z2)) overflows when Z2 is below about -709: use the stable sigmoid "
             "imported in the first cell (from dlbook.activations)"),
    forbidden=("torch.sigmoid", "torch.Tensor.sigmoid", "torch.nn.functional.sigmoid",
               "torch.special.expit", "torch.nn.functional.linear"),
    wrong=[
        (_fwd_sigmoid_hidden, "the hidden layer uses tanh, A1 = tanh(Z1); the sigmoid is for the output layer"),
        (_fwd_no_output_activation, "apply the sigmoid to the output: A2 = σ(Z2) is a probability"),
        (_fwd_tanh_output, "the output layer uses the sigmoid, A2 = σ(Z2), so that A2 lies in (0, 1); "
                           "tanh is for the hidden layer"),
        (_fwd_skip_tanh, "the output layer takes the hidden activations: Z2 = W2 A1 + b2 with A1 = tanh(Z1), not Z1"),
        (_fwd_no_bias, "add the biases: Z1 = W1 X + b1 and Z2 = W2 A1 + b2"),
    ],
    arg_names=("X", "parameters"),
    returns=("A2", "cache"),
)


# ----------------------------------------------------------------------------- collapse_linear

def _collapse_cases(rng):
    return [
        Case((_params(rng, 3, 3, 3),), "square: n_x = n_h = n_y = 3"),
        Case((_params(rng, 2, 4, 1),), "n_x = 2, n_h = 4, n_y = 1"),
        Case((_params(rng, 3, 5, 2),), "n_x = 3, n_h = 5, n_y = 2"),
        Case((_params(rng, 4, 1, 1),), "a single hidden unit"),
        Case((_params(rng, 2, 6, 1, dtype=np.float32),), "float32 parameters", dtype=np.float32),
    ]


def _collapse_oracle(parameters):
    # The two-layer network with identity activations, probed at 0 (gives b') and at each
    # unit vector e_j (gives b' + column j of W').
    n_h, n_x = parameters["W1"].shape
    n_y = parameters["W2"].shape[0]
    first, second = nn.Linear(n_x, n_h).double(), nn.Linear(n_h, n_y).double()
    with torch.no_grad():
        for layer, l in ((first, 1), (second, 2)):
            layer.weight.copy_(torch.from_numpy(parameters[f"W{l}"]))
            layer.bias.copy_(torch.from_numpy(parameters[f"b{l}"].ravel()))
        probes = torch.cat([torch.zeros(1, n_x, dtype=torch.float64), torch.eye(n_x, dtype=torch.float64)])
        out = second(first(probes))                       # (1 + n_x, n_y)
    b = out[0].numpy()[:, None]                            # (n_y, 1)
    W = (out[1:] - out[0]).T.numpy()                       # (n_y, n_x)
    return W, b


def _collapse_order(p):
    return p["W1"] @ p["W2"], p["W2"] @ p["b1"] + p["b2"]


def _collapse_transposed(p):
    return (p["W2"] @ p["W1"]).T, p["W2"] @ p["b1"] + p["b2"]


def _collapse_add_biases(p):
    return p["W2"] @ p["W1"], p["b1"] + p["b2"]


def _collapse_drop_b1(p):
    return p["W2"] @ p["W1"], p["b2"]


def _collapse_drop_b2(p):
    return p["W2"] @ p["W1"], p["W2"] @ p["b1"]


COLLAPSE_LINEAR = Exercise(
    name="collapse_linear",
    draw=_collapse_cases,
    oracle=_collapse_oracle,
    forbidden=("torch.nn.functional.linear",),
    wrong=[
        (_collapse_order, "the first layer acts first: W' = W2 @ W1 (matrix products do not commute)"),
        (_collapse_transposed, "W' = W2 @ W1 has shape (n_y, n_x); you returned its transpose"),
        (_collapse_add_biases, "b1 passes through the second layer too: b' = W2 @ b1 + b2"),
        (_collapse_drop_b1, "do not drop b1: the second layer multiplies it by W2, so b' = W2 @ b1 + b2"),
        (_collapse_drop_b2, "add the second layer's bias: b' = W2 @ b1 + b2"),
    ],
    arg_names=("parameters",),
    returns=("W", "b"),
)

EXERCISES = {e.name: e for e in (LAYER_SIZES, INITIALIZE_PARAMETERS, FORWARD_PROPAGATION, COLLAPSE_LINEAR)}
