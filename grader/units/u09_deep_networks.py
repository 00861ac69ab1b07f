"""Unit 09 · Deep (L-layer) neural networks.

Exercises: initialize_parameters_deep, linear_activation_forward, L_model_forward,
linear_activation_backward, L_model_backward, update_parameters.
Oracles: the He standard deviation read off nn.init.kaiming_normal_ itself, times the same
draws; F.linear and torch activations; an nn.Sequential of nn.Linear/nn.ReLU with the weights
copied in (weight = W[l], bias = b[l].ravel(), input X.T), run forward, differentiated by
autograd, and stepped by torch.optim.SGD.
Layout: X (n0, m); W[l] (n[l], n[l-1]); b[l] (n[l], 1); Z[l], A[l] (n[l], m).
Gradient convention (unit 08): dA and dZ are gradients of the summed loss; dW, db of the mean.
"""
import functools
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from grader.cases import as32, n_layers, np_forward, np_sigmoid
from grader.core import Case, Exercise

NO_AUTOGRAD = ("torch.autograd.grad", "torch.autograd.backward", "torch.Tensor.backward")
NO_LAYERS = ("torch.nn.functional.linear", "torch.nn.Linear.forward")


# ----------------------------------------------------------------------------- shared helpers

@functools.lru_cache(maxsize=None)
def _exact_std(init, fan_in, fan_out, kw):
    return exact_std(init, fan_in, fan_out, **dict(kw))


def exact_std(init, fan_in, fan_out, **kw):
    """The standard deviation a torch.nn.init normal initializer uses, read off the initializer.

    Fill a (fan_out, fan_in) float64 tensor with `init` and with N(0, 1) from the same torch
    generator state: the ratio of the two is the std, exactly.
    """
    w = torch.empty((fan_out, fan_in), dtype=torch.float64)
    init(w, generator=torch.Generator().manual_seed(0), **kw)
    z = torch.empty((fan_out, fan_in), dtype=torch.float64).normal_(0.0, 1.0, generator=torch.Generator().manual_seed(0))
    k = int(torch.argmax(torch.abs(z.flatten()[:64])))      # a draw far from 0: the ratio is exact to an ulp
    return float(w.flatten()[k] / z.flatten()[k])


def cached_std(init, fan_in, fan_out, **kw):
    """exact_std, remembered: the oracle asks for the same fans again and again."""
    return _exact_std(init, fan_in, fan_out, tuple(sorted(kw.items())))


def he_std(fan_in, fan_out):
    return cached_std(nn.init.kaiming_normal_, fan_in, fan_out, mode="fan_in", nonlinearity="relu")




def sequential(parameters, hidden=nn.ReLU, last=None):
    """nn.Sequential(Linear, hidden, ..., Linear[, last]) in float64 with the NumPy weights copied in."""
    L = n_layers(parameters)
    layers = []
    for l in range(1, L + 1):
        W, b = parameters[f"W{l}"], parameters[f"b{l}"]
        lin = nn.Linear(W.shape[1], W.shape[0]).double()
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(W))           # nn.Linear.weight is (out, in) = W[l]
            lin.bias.copy_(torch.from_numpy(b.ravel()))
        layers.append(lin)
        if l < L:
            layers.append(hidden())
    if last is not None:
        layers.append(last())
    return nn.Sequential(*layers)


def record(net, X, keep_grad=False):
    """Run net on X (n0, m); return (output, [(input, output) of every nn.Linear]) as (features, m) tensors."""
    seen = []
    hooks = [mod.register_forward_hook(lambda mod, inp, out: seen.append((inp[0], out)))
             for mod in net if isinstance(mod, nn.Linear)]
    x = torch.from_numpy(X.T.copy()).requires_grad_(keep_grad)
    out = net(x)
    for h in hooks:
        h.remove()
    return x, out, seen


def random_params(rng, dims, scale=None):
    return {k: v for l in range(1, len(dims)) for k, v in (
        (f"W{l}", rng.standard_normal((dims[l], dims[l - 1])) * (scale or math.sqrt(2 / dims[l - 1]))),
        (f"b{l}", rng.standard_normal((dims[l], 1)) * 0.1))}








# ----------------------------------------------------------------------------- initialize_parameters_deep

def _init_cases(rng):
    seed = lambda: np.random.default_rng(int(rng.integers(1 << 31)))
    return [
        Case(([3, 5, 3, 1], seed()), "layer_dims = [3, 5, 3, 1], the notes' demo network"),
        Case(([12288, 20, 7, 5, 1], seed()), "layer_dims = [12288, 20, 7, 5, 1], a 64x64x3 image input"),
        Case(([2, 1], seed()), "one layer: [2, 1]"),
        Case(([4, 6, 6, 2], seed()), "[4, 6, 6, 2]: equal widths, so fan_in = fan_out in layer 2"),
    ]


def _init_oracle(layer_dims, rng):
    params = {}
    for l in range(1, len(layer_dims)):
        shape = (layer_dims[l], layer_dims[l - 1])
        params[f"W{l}"] = rng.standard_normal(shape) * he_std(layer_dims[l - 1], layer_dims[l])
        params[f"b{l}"] = np.zeros((layer_dims[l], 1))
    return params


def _init_with(std_of, transposed=False, random_bias=False):
    def init(layer_dims, rng):
        params = {}
        for l in range(1, len(layer_dims)):
            n_prev, n = layer_dims[l - 1], layer_dims[l]
            W = (rng.standard_normal((n_prev, n)).T if transposed else rng.standard_normal((n, n_prev)))
            params[f"W{l}"] = W * std_of(n_prev, n)
            params[f"b{l}"] = rng.standard_normal((n, 1)) * std_of(n_prev, n) if random_bias else np.zeros((n, 1))
        return params
    return init


INITIALIZE_PARAMETERS_DEEP = Exercise(
    name="initialize_parameters_deep",
    draw=_init_cases,
    oracle=_init_oracle,
    backends=("numpy",),
    wrong=[
        (_init_with(lambda n_prev, n: 0.01 * math.sqrt(2 / n_prev)),
         "0.01 * sqrt(2 / n[l-1]) multiplies two scales (a misleading comment in the notes): He is sqrt(2 / n[l-1]) alone"),
        (_init_with(lambda n_prev, n: 0.01),
         "0.01 is the small fixed scale of shallow networks; this chapter uses He: sqrt(2 / n[l-1])"),
        (_init_with(lambda n_prev, n: math.sqrt(1 / n_prev)),
         "sqrt(1 / n[l-1]) is LeCun's scale (the course's 'Xavier'); He for ReLU is sqrt(2 / n[l-1])"),
        (_init_with(lambda n_prev, n: math.sqrt(2 / n)),
         "the He scale uses the fan-in n[l-1] (the previous layer's width), not n[l]"),
        (_init_with(lambda n_prev, n: 2 / n_prev),
         "that is the variance 2 / n[l-1]; multiply the draws by its square root, the standard deviation"),
        (_init_with(lambda n_prev, n: math.sqrt(2 / n_prev), transposed=True),
         "draw W[l] with shape (n[l], n[l-1]) directly: rng.standard_normal((n[l], n[l-1])); a transposed "
         "draw gives other numbers"),
        (_init_with(lambda n_prev, n: math.sqrt(2 / n_prev), random_bias=True),
         "biases start at zero and use no draws: b[l] = np.zeros((n[l], 1))"),
    ],
    arg_names=("layer_dims", "rng"),
)


# ----------------------------------------------------------------------------- linear_activation_forward

TORCH_ACT = {"relu": torch.relu, "sigmoid": torch.sigmoid, "tanh": torch.tanh}


def _laf_cases(rng):
    A, W, b = rng.normal(size=(3, 5)), rng.normal(size=(4, 3)), rng.normal(size=(4, 1))
    Wsq, Asq = rng.normal(size=(3, 3)), rng.normal(size=(3, 4))
    Wz = np.array([[1.0, -1.0], [2.0, 0.5]])
    return [
        Case((Asq, Wsq, rng.normal(size=(3, 1)), "relu"), "ReLU with a square W (3, 3), m = 4"),
        Case((A, W, b, "relu"), "ReLU, n[l-1] = 3, n[l] = 4, m = 5"),
        Case((A.copy(), W.copy(), b.copy(), "sigmoid"), "sigmoid, the same inputs"),
        Case((rng.normal(size=(2, 1)), rng.normal(size=(1, 2)) * 400, np.array([[-0.5]]), "sigmoid"),
             "one example, large scores: the sigmoid must not overflow"),
        Case((np.array([[1.0, 2.0], [1.0, -1.0]]), Wz, np.array([[0.0], [-1.5]]), "relu"),
             "some Z exactly 0"),
        Case((rng.normal(size=(3, 6)).astype(np.float32), rng.normal(size=(2, 3)).astype(np.float32),
              rng.normal(size=(2, 1)).astype(np.float32), "relu"), "float32 inputs", dtype=np.float32),
    ]


def _laf_oracle(A_prev, W, b, activation):
    Z = F.linear(torch.from_numpy(A_prev.T), torch.from_numpy(W), torch.from_numpy(b.ravel())).T
    A = TORCH_ACT[activation](Z)
    return A.numpy(), ((A_prev, W, b), Z.numpy())


def _np_act(Z, activation):
    return {"relu": lambda z: np.maximum(z, 0), "sigmoid": np_sigmoid, "tanh": np.tanh}[activation](Z)


def _laf_transposed(A_prev, W, b, activation):
    Z = W.T @ A_prev + b
    return _np_act(Z, activation), ((A_prev, W, b), Z)


def _laf_no_bias(A_prev, W, b, activation):
    Z = W @ A_prev
    return _np_act(Z, activation), ((A_prev, W, b), Z)


def _laf_returns_Z(A_prev, W, b, activation):
    Z = W @ A_prev + b
    return Z, ((A_prev, W, b), Z)


def _laf_cache_A(A_prev, W, b, activation):
    Z = W @ A_prev + b
    A = _np_act(Z, activation)
    return A, ((A_prev, W, b), A)


def _laf_cache_new_A(A_prev, W, b, activation):
    Z = W @ A_prev + b
    A = _np_act(Z, activation)
    return A, ((A, W, b), Z)


def _laf_swapped(A_prev, W, b, activation):
    Z = W @ A_prev + b
    return _np_act(Z, {"relu": "sigmoid", "sigmoid": "relu", "tanh": "relu"}[activation]), ((A_prev, W, b), Z)


LINEAR_ACTIVATION_FORWARD = Exercise(
    name="linear_activation_forward",
    draw=_laf_cases,
    oracle=_laf_oracle,
    strict_fp=True,
    fp_hint="1 / (1 + exp(-Z)) overflows for large negative Z: use the stable `sigmoid` imported in the first cell",
    forbidden=NO_LAYERS + ("torch.relu", "torch.sigmoid", "torch.nn.functional.relu", "torch.Tensor.sigmoid",
                           "torch.Tensor.relu"),
    wrong=[
        (_laf_transposed, "W[l] is (n[l], n[l-1]): Z = W @ A_prev + b, with no transpose"),
        (_laf_no_bias, "add the bias: Z = W @ A_prev + b"),
        (_laf_returns_Z, "return the activation A = g(Z), not Z (Z goes into the cache)"),
        (_laf_swapped, "the activation is the other way round: 'relu' is max(0, Z), 'sigmoid' is 1 / (1 + e^(-Z))"),
        (_laf_cache_A, "the activation cache is Z (the backward pass needs g'(Z)), not A"),
        (_laf_cache_new_A, "the linear cache holds this layer's *input* A_prev (for dW = dZ A_prev^T / m), "
                           "not its output"),
    ],
    arg_names=("A_prev", "W", "b", "activation"),
    returns=("A", "cache"),
)


# ----------------------------------------------------------------------------- L_model_forward

def _lmf_cases(rng):
    dims4 = [4, 3, 2, 1]
    return [
        Case((rng.normal(size=(3, 4)), random_params(rng, [3, 5, 3, 1])), "layer_dims = [3, 5, 3, 1], m = 4"),
        Case((rng.normal(size=(4, 7)), random_params(rng, dims4)), "layer_dims = [4, 3, 2, 1], m = 7"),
        Case((rng.normal(size=(2, 5)), random_params(rng, [2, 1])), "one layer (logistic regression)"),
        Case((rng.normal(size=(5, 1)), random_params(rng, [5, 4, 4, 4, 4, 1])), "five layers, one example"),
        Case((rng.normal(size=(3, 3)), random_params(rng, [3, 3, 3, 1])), "square weights: [3, 3, 3, 1]"),
        Case(as32((rng.normal(size=(3, 6)), random_params(rng, [3, 4, 1]))), "float32", dtype=np.float32),
    ]


def _lmf_oracle(X, parameters):
    net = sequential(parameters, nn.ReLU, nn.Sigmoid)
    with torch.no_grad():
        _, out, seen = record(net, X)
    L = n_layers(parameters)
    caches = tuple(((inp.T.numpy(), parameters[f"W{l}"], parameters[f"b{l}"]), z.T.numpy())
                   for l, (inp, z) in zip(range(1, L + 1), seen))
    return out.T.numpy(), caches


def _lmf_generic(hidden, last, skip_last_cache=False):
    def forward(X, parameters):
        L = n_layers(parameters)
        caches, A = [], X
        for l in range(1, L + 1):
            W, b = parameters[f"W{l}"], parameters[f"b{l}"]
            Z = W @ A + b
            caches.append(((A, W, b), Z))
            A = _np_act(Z, last if l == L else hidden)
        return A, caches[:-1] if skip_last_cache else caches
    return forward


def _lmf_no_output_layer(X, parameters):
    L = n_layers(parameters)
    caches, A = [], X
    for l in range(1, L):
        W, b = parameters[f"W{l}"], parameters[f"b{l}"]
        Z = W @ A + b
        caches.append(((A, W, b), Z))
        A = np.maximum(Z, 0)
    return A, caches


L_MODEL_FORWARD = Exercise(
    name="L_model_forward",
    draw=_lmf_cases,
    oracle=_lmf_oracle,
    strict_fp=True,
    fp_hint="1 / (1 + exp(-Z)) overflows for large negative Z: use the stable `sigmoid` imported in the first cell",
    forbidden=LINEAR_ACTIVATION_FORWARD.forbidden + ("torch.nn.Module.__call__",),
    wrong=[
        (_lmf_generic("relu", "relu"), "the output layer L uses the sigmoid (a probability), not ReLU"),
        (_lmf_generic("sigmoid", "sigmoid"), "the hidden layers 1..L-1 use ReLU; only layer L uses the sigmoid"),
        (_lmf_no_output_layer, "the loop over the hidden layers runs l = 1..L-1; then apply layer L with the "
                               "sigmoid (L = len(parameters) // 2)"),
        (_lmf_generic("relu", "sigmoid", skip_last_cache=True), "append the cache of the output layer too: "
                                                                "there is one cache per layer, L in all"),
    ],
    arg_names=("X", "parameters"),
    returns=("AL", "caches"),
)


# ----------------------------------------------------------------------------- linear_activation_backward

def _lab_case(rng, n_prev, n, m, activation, zeros=False):
    A_prev, W, b = rng.normal(size=(n_prev, m)), rng.normal(size=(n, n_prev)), rng.normal(size=(n, 1))
    if zeros:
        A_prev[:, 0] = 0.0
        b[:] = 0.0                       # the first column of Z is exactly 0
    Z = W @ A_prev + b
    return (rng.normal(size=(n, m)), ((A_prev, W, b), Z), activation)


def _lab_cases(rng):
    return [
        Case(_lab_case(rng, 3, 4, 5, "relu"), "ReLU, n[l-1] = 3, n[l] = 4, m = 5"),
        Case(_lab_case(rng, 3, 4, 5, "sigmoid"), "sigmoid, n[l-1] = 3, n[l] = 4, m = 5"),
        Case(_lab_case(rng, 3, 3, 6, "relu", zeros=True), "ReLU with Z exactly 0 in the first column; square W"),
        Case(_lab_case(rng, 2, 1, 1, "sigmoid"), "one example, one unit"),
        Case(_lab_case(rng, 4, 2, 3, "tanh"), "tanh"),
        Case(as32(_lab_case(rng, 3, 2, 4, "relu")), "float32", dtype=np.float32),
    ]


def _lab_oracle(dA, cache, activation):
    (A_prev, W, b), _ = cache
    m = A_prev.shape[1]
    a, w, bb = (torch.tensor(v, requires_grad=True) for v in (A_prev, W, b))
    A = TORCH_ACT[activation](w @ a + bb)
    dA_prev, dW, db = torch.autograd.grad(A, (a, w, bb), grad_outputs=torch.from_numpy(dA))
    return dA_prev.numpy(), dW.numpy() / m, db.numpy() / m


def _np_dact(Z, activation, relu_at_zero=0.0):
    if activation == "relu":
        return np.where(Z > 0, 1.0, np.where(Z == 0, relu_at_zero, 0.0))
    if activation == "sigmoid":
        s = np_sigmoid(Z)
        return s * (1 - s)
    return 1 - np.tanh(Z) ** 2


def _lab_generic(scale_dA=False, no_mean=False, no_deriv=False, relu_at_zero=0.0, db_no_keepdims=False,
                 dA_from_dA=False):
    def backward(dA, cache, activation):
        (A_prev, W, b), Z = cache
        m = A_prev.shape[1]
        dZ = dA if no_deriv else dA * _np_dact(Z, activation, relu_at_zero)
        k = 1 if no_mean else 1 / m
        dW = k * dZ @ A_prev.T
        db = k * (np.sum(dZ, axis=1) if db_no_keepdims else np.sum(dZ, axis=1, keepdims=True))
        dA_prev = W.T @ (dA if dA_from_dA else dZ)
        return (dA_prev / m if scale_dA else dA_prev), dW, db
    return backward


LINEAR_ACTIVATION_BACKWARD = Exercise(
    name="linear_activation_backward",
    draw=_lab_cases,
    oracle=_lab_oracle,
    forbidden=NO_AUTOGRAD,
    wrong=[
        (_lab_generic(relu_at_zero=1.0), "ReLU'(0) is 0 here (PyTorch's choice): use Z > 0, not Z >= 0"),
        (_lab_generic(no_deriv=True), "first go back through the activation: dZ = dA * g'(Z), elementwise"),
        (_lab_generic(dA_from_dA=True), "dA_prev = W.T @ dZ: back through the activation first, then the weights"),
        (_lab_generic(no_mean=True), "dW and db are averages over the m examples: divide by m"),
        (_lab_generic(scale_dA=True), "only dW and db take the 1/m; dA_prev = W.T @ dZ has none"),
        (_lab_generic(db_no_keepdims=True), "db must keep b's shape (n[l], 1): sum with axis=1, keepdims=True"),
    ],
    arg_names=("dA", "cache", "activation"),
    returns=("dA_prev", "dW", "db"),
)


# ----------------------------------------------------------------------------- L_model_backward

def _lmb_case(rng, dims, m, scale=None, dtype=None):
    X = rng.normal(size=(dims[0], m))
    params = random_params(rng, dims, scale)
    AL, caches = np_forward(X, params)
    Y = (rng.random((1, m)) < 0.5).astype(float)
    return (AL, Y, caches)


def _lmb_saturated(rng):
    X = rng.normal(size=(2, 4))
    params = {"W1": rng.normal(size=(3, 2)), "b1": np.full((3, 1), 0.5), "W2": np.full((1, 3), 60.0),
              "b2": np.array([[40.0]])}
    AL, caches = np_forward(X, params)          # AL is exactly 1.0 in float64
    return (AL, np.array([[1.0, 1.0, 0.0, 1.0]]), caches)


def _lmb_cases(rng):
    return [
        Case(_lmb_case(rng, [3, 5, 3, 1], 4), "layer_dims = [3, 5, 3, 1], m = 4"),
        Case(_lmb_case(rng, [4, 3, 2, 1], 6), "layer_dims = [4, 3, 2, 1], m = 6"),
        Case(_lmb_case(rng, [2, 1], 5), "one layer: logistic regression"),
        Case(_lmb_case(rng, [3, 3, 3, 3, 1], 1), "four layers, one example"),
        Case(_lmb_saturated(rng), "a saturated output: AL is exactly 1.0 for some examples"),
        Case(as32(_lmb_case(rng, [3, 4, 1], 5)), "float32", dtype=np.float32),
    ]


def _lmb_oracle(AL, Y, caches):
    params = {}
    for l, ((A_prev, W, b), Z) in enumerate(caches, start=1):
        params[f"W{l}"], params[f"b{l}"] = W, b
    X = caches[0][0][0]
    m = X.shape[1]
    net = sequential(params, nn.ReLU)
    x, z_out, seen = record(net, X, keep_grad=True)
    inputs = [inp for inp, _ in seen]           # A0 = x, then A1..A[L-1], the outputs of the ReLUs
    for a in inputs[1:]:
        a.retain_grad()
    J = F.binary_cross_entropy_with_logits(z_out.T, torch.from_numpy(Y))    # the mean over m
    J.backward()
    L = len(caches)
    grads = {}
    for l in range(1, L + 1):
        lin = net[2 * (l - 1)]
        grads[f"dW{l}"] = lin.weight.grad.numpy()
        grads[f"db{l}"] = lin.bias.grad.numpy()[:, None]
        grads[f"dA{l - 1}"] = inputs[l - 1].grad.T.numpy() * m    # the summed loss's gradient
    return grads


def _lmb_generic(dz_last=None, no_mean=False, skip_relu=False, shift_keys=False, dA_start=False):
    def backward(AL, Y, caches):
        L = len(caches)
        m = AL.shape[1]
        grads = {}
        (A_prev, W, b), Z = caches[L - 1]
        if dA_start:
            dAL = -(Y / AL - (1 - Y) / (1 - AL))
            dZ = dAL * AL * (1 - AL)
        else:
            dZ = dz_last(AL, Y) if dz_last else AL - Y
        for l in range(L, 0, -1):
            (A_prev, W, b), Z = caches[l - 1]
            if l < L:
                dZ = dA if skip_relu else dA * (Z > 0)
            k = 1 if no_mean else 1 / m
            grads[f"dW{l}"] = k * dZ @ A_prev.T
            grads[f"db{l}"] = k * np.sum(dZ, axis=1, keepdims=True)
            dA = W.T @ dZ
            grads[f"dA{l if shift_keys else l - 1}"] = dA
        return grads
    return backward


def _lmb_dA_start(AL, Y, caches):
    with np.errstate(all="ignore"):
        return _lmb_generic(dA_start=True)(AL, Y, caches)


L_MODEL_BACKWARD = Exercise(
    name="L_model_backward",
    draw=_lmb_cases,
    oracle=_lmb_oracle,
    rtol=1e-9,
    atol=1e-11,
    forbidden=NO_AUTOGRAD,
    wrong=[
        (_lmb_dA_start, "dA[L] = -(Y/AL - (1-Y)/(1-AL)) divides 0 by 0 when AL saturates at exactly 1 or 0: "
                        "start from dZ[L] = AL - Y instead (the sigmoid and the loss together)"),
        (_lmb_generic(dz_last=lambda AL, Y: Y - AL), "dZ[L] = AL - Y (prediction minus label), not Y - AL"),
        (_lmb_generic(no_mean=True), "dW and db are averages over the m examples: divide by m (and only them)"),
        (_lmb_generic(skip_relu=True), "in the hidden layers go back through ReLU: dZ[l] = dA[l] * (Z[l] > 0)"),
        (_lmb_generic(shift_keys=True), "W[l].T @ dZ[l] is the gradient for the layer below: store it as "
                                        "'dA' + str(l - 1)"),
    ],
    arg_names=("AL", "Y", "caches"),
)


# ----------------------------------------------------------------------------- update_parameters

def _grads_like(rng, params, with_dA=False):
    g = {"d" + k: rng.normal(size=v.shape).astype(v.dtype) for k, v in params.items()}
    if with_dA:
        g["dA0"] = rng.normal(size=(3, 4))
        g["dA1"] = rng.normal(size=(5, 4))
    return g


def _up_cases(rng):
    p1 = random_params(rng, [2, 4, 1])
    p2 = random_params(rng, [3, 5, 2, 1])
    p3 = as32(random_params(rng, [2, 3, 1]))
    p4 = random_params(rng, [3, 1])
    return [
        Case((p1, _grads_like(rng, p1), 0.1), "two layers, learning_rate = 0.1"),
        Case((p2, _grads_like(rng, p2, with_dA=True), 1.2),
             "three layers; grads also holds dA0 and dA1 (as L_model_backward returns): ignore them"),
        Case((p4, _grads_like(rng, p4), 0.0), "learning_rate = 0: nothing changes"),
        Case((p3, _grads_like(rng, p3), 0.05), "float32", dtype=np.float32),
    ]


def _up_oracle(parameters, grads, learning_rate):
    net = sequential(parameters, nn.ReLU)
    L = n_layers(parameters)
    for l in range(1, L + 1):
        lin = net[2 * (l - 1)]
        lin.weight.grad = torch.from_numpy(grads[f"dW{l}"])
        lin.bias.grad = torch.from_numpy(grads[f"db{l}"].ravel())
    torch.optim.SGD(net.parameters(), lr=learning_rate).step()
    out = {}
    for l in range(1, L + 1):
        lin = net[2 * (l - 1)]
        out[f"W{l}"] = lin.weight.detach().numpy()
        out[f"b{l}"] = lin.bias.detach().numpy()[:, None]
    return out


def _up_ascent(parameters, grads, learning_rate):
    return {k: v + learning_rate * grads["d" + k] for k, v in parameters.items()}


def _up_no_lr(parameters, grads, learning_rate):
    return {k: v - grads["d" + k] for k, v in parameters.items()}


def _up_w_only(parameters, grads, learning_rate):
    return {k: v - learning_rate * grads["d" + k] if k.startswith("W") else v for k, v in parameters.items()}


UPDATE_PARAMETERS = Exercise(
    name="update_parameters",
    draw=_up_cases,
    oracle=_up_oracle,
    forbidden=NO_AUTOGRAD + ("torch.optim.SGD",),
    wrong=[
        (_up_ascent, "gradient *descent* subtracts: W[l] = W[l] - learning_rate * dW[l]"),
        (_up_no_lr, "multiply each gradient by the learning rate"),
        (_up_w_only, "update the biases too: b[l] = b[l] - learning_rate * db[l]"),
    ],
    arg_names=("parameters", "grads", "learning_rate"),
)

EXERCISES = {e.name: e for e in (INITIALIZE_PARAMETERS_DEEP, LINEAR_ACTIVATION_FORWARD, L_MODEL_FORWARD,
                                 LINEAR_ACTIVATION_BACKWARD, L_MODEL_BACKWARD, UPDATE_PARAMETERS)}
