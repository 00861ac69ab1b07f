"""Unit 13 · L2 regularization, weight decay and gradient checking.

Exercises: l2_penalty, compute_cost_with_regularization, L_model_backward_with_regularization,
update_parameters_with_weight_decay, gradient_check.
Oracles: sums of squares in torch; F.binary_cross_entropy plus that penalty; torch.autograd of
the penalized cost of the network written with torch tensors (Z = W A + b, ReLU, then
F.binary_cross_entropy_with_logits); torch.optim.SGD with two parameter groups (the weights with
weight_decay = lambd / m, the biases with 0), stepped on the same parameters; central
differences from dlbook.gradcheck.numerical_gradient of that torch cost, with the analytic
gradients of the cases from autograd.
Layout: X (n0, m), Y (1, m), W[l] (n[l], n[l-1]), b[l] (n[l], 1); caches as in unit 09,
((A_prev, W, b), Z) per layer. Hidden layers are ReLU, the output a sigmoid.
"""
import numpy as np
import torch
import torch.nn.functional as F

from dlbook.gradcheck import numerical_gradient
from grader.cases import as32, n_layers, np_forward, np_sigmoid
from grader.core import Case, Exercise

NO_AUTOGRAD = ("torch.autograd.grad", "torch.autograd.backward", "torch.Tensor.backward")

# The notes' Listing 12: m = 1000, lambda = 0.7, one 2 x 2 weight matrix and its gradient.
SEED_W = np.array([[0.5, -0.2], [0.1, 0.8]])
SEED_DW = np.array([[0.01, 0.02], [-0.01, 0.05]])
SEED_LAMBD, SEED_M = 0.7, 1000


# ----------------------------------------------------------------------------- helpers



def random_params(rng, dims, bias=0.1):
    """He-scaled weights and small nonzero biases (so that penalizing b would show)."""
    params = {}
    for l in range(1, len(dims)):
        params[f"W{l}"] = rng.standard_normal((dims[l], dims[l - 1])) * np.sqrt(2 / dims[l - 1])
        params[f"b{l}"] = rng.standard_normal((dims[l], 1)) * bias
    return params


def labels(rng, m):
    Y = (rng.random((1, m)) < 0.5).astype(float)
    Y[0, 0] = 1.0 - Y[0, -1] if m > 1 else Y[0, 0]        # both classes when m > 1
    return Y








def np_backward(AL, Y, caches):
    """Unit 09's backward pass in plain NumPy: the gradients of the unpenalized mean cross-entropy."""
    grads, L, m = {}, len(caches), Y.shape[1]
    dZ = AL - Y
    for l in range(L, 0, -1):
        (A_prev, W, _), Z = caches[l - 1]
        grads[f"dW{l}"] = dZ @ A_prev.T / m
        grads[f"db{l}"] = np.sum(dZ, axis=1, keepdims=True) / m
        if l > 1:
            dZ = (W.T @ dZ) * (caches[l - 2][1] > 0)
    return grads


def torch_cost(params, X, Y, lambd):
    """J_reg with torch tensors: the forward pass written out, BCE from the scores, the penalty."""
    L = n_layers(params)
    A = X
    for l in range(1, L + 1):
        Z = params[f"W{l}"] @ A + params[f"b{l}"]
        A = torch.relu(Z) if l < L else Z
    penalty = sum((params[f"W{l}"] ** 2).sum() for l in range(1, L + 1))
    return F.binary_cross_entropy_with_logits(Z, Y) + lambd / (2 * Y.shape[1]) * penalty


def autograd_grads(params, X, Y, lambd):
    """{"dW1", "db1", ...}: the gradients of J_reg by torch.autograd."""
    leaves = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in params.items()}
    cost = torch_cost(leaves, torch.from_numpy(np.asarray(X, dtype=np.float64)),
                      torch.from_numpy(np.asarray(Y, dtype=np.float64)), lambd)
    cost.backward()
    return {"d" + k: t.grad.numpy() for k, t in leaves.items()}


def named(name, fn):
    """fn, renamed (wrong implementations written as lambdas get readable test ids)."""
    fn.__name__ = fn.__qualname__ = name
    return fn


def _square_sum(W):
    return np.sum(W * W)


def _penalty(parameters, lambd, m, keys=lambda key: key.startswith("W"), f=_square_sum, k=0.5):
    """k * lambd / m times the sum of f(array) over the keys selected (k = 1/2: the right penalty)."""
    return float(k * lambd / m * sum(f(v) for key, v in parameters.items() if keys(key)))


# ----------------------------------------------------------------------------- l2_penalty

def _penalty_cases(rng):
    deep = random_params(rng, [4, 5, 3, 1])
    bn = {**random_params(rng, [3, 4, 2]), "gamma1": rng.normal(1.0, 0.2, size=(4, 1)),
          "beta1": rng.normal(size=(4, 1))}
    return [
        Case(({"W1": SEED_W.copy(), "b1": np.array([[0.3], [-0.4]])}, SEED_LAMBD, SEED_M),
             "the notes' W (sum of squares 0.94), lambda = 0.7, m = 1000: 0.000329"),
        Case((deep, 0.1, 64), "three layers [4, 5, 3, 1], lambda = 0.1, m = 64"),
        Case((bn, 2.0, 10), "a dict with batch-norm gamma1 and beta1 (unit 21): only W keys count"),
        Case((random_params(rng, [2, 3, 1]), 0.0, 7), "lambda = 0: no penalty"),
        Case((as32(random_params(rng, [3, 2, 1])), 0.5, 5), "float32 weights: still a Python float",
             dtype=np.float32),
    ]


def _penalty_oracle(parameters, lambd, m):
    total = sum(torch.sum(torch.from_numpy(v) ** 2) for k, v in parameters.items() if k.startswith("W"))
    return float(lambd / (2 * m) * total)


def _only_W(key):
    return key.startswith("W")


def _not_b(key):
    return not key.startswith("b")


def _everything(key):
    return True


def _frobenius(W):
    return np.sqrt(np.sum(W * W))


def _abs_sum(W):
    return np.sum(np.abs(W))


def _last_layer(parameters):
    L = n_layers(parameters)
    return {f"W{L}": parameters[f"W{L}"]}


L2_PENALTY = Exercise(
    name="l2_penalty",
    draw=_penalty_cases,
    oracle=_penalty_oracle,
    wrong=[
        (named("penalty_includes_gamma", lambda p, lambd, m: _penalty(p, lambd, m, keys=_not_b)),
         "only the weight matrices are penalized: sum over the keys that start with 'W' (γ, β and the "
         "biases are left alone)"),
        (named("penalty_includes_biases", lambda p, lambd, m: _penalty(p, lambd, m, keys=_everything)),
         "biases are not penalized: sum ‖W[l]‖² over the keys that start with 'W' only"),
        (named("penalty_no_half", lambda p, lambd, m: _penalty(p, lambd, m, k=1.0)),
         "the penalty is λ/(2m)·Σ‖W‖²: the 2 in 2m is there so that the gradient comes out as λ/m·W"),
        (named("penalty_norm_not_squared", lambda p, lambd, m: _penalty(p, lambd, m, f=_frobenius)),
         "square the Frobenius norm: ‖W‖_F² is the sum of the squared entries, with no square root"),
        (named("penalty_l1", lambda p, lambd, m: _penalty(p, lambd, m, f=_abs_sum)),
         "that is an L1 penalty (absolute values); L2 sums the squares of the entries"),
        (named("penalty_no_m", lambda p, lambd, m: _penalty(p, lambd, 1)),
         "divide by 2m, where m is the number of examples: λ/(2m)·Σ‖W‖²"),
        (named("penalty_last_layer", lambda p, lambd, m: _penalty(_last_layer(p), lambd, m)),
         "sum over every layer's weights W1 .. WL, not only the last layer"),
    ],
    arg_names=("parameters", "lambd", "m"),
)


# ----------------------------------------------------------------------------- compute_cost_with_regularization

def _cost_case(rng, dims, m, lambd):
    params = random_params(rng, dims)
    AL = np_sigmoid(rng.normal(scale=1.5, size=(1, m)))
    return (AL, labels(rng, m), params, lambd)


def _cost_cases(rng):
    seed = {"W1": SEED_W.copy(), "b1": np.array([[0.3], [-0.4]]), "W2": np.array([[1.0, -2.0]]),
            "b2": np.array([[0.1]])}
    return [
        Case((np.array([[0.8, 0.1, 0.6, 0.3]]), np.array([[1.0, 0.0, 1.0, 0.0]]), seed, 0.7),
             "m = 4, the notes' W1 and a W2 = [1, -2], lambda = 0.7"),
        Case(_cost_case(rng, [3, 5, 2, 1], 10, 0.1), "three layers, m = 10, lambda = 0.1"),
        Case(_cost_case(rng, [2, 4, 1], 1, 1.5), "one example, m = 1"),
        Case(_cost_case(rng, [4, 3, 1], 6, 0.0), "lambda = 0: the plain cross-entropy"),
        Case(as32(_cost_case(rng, [3, 4, 1], 8, 0.5)), "float32: still a Python float", dtype=np.float32),
    ]


def _cost_oracle(AL, Y, parameters, lambd):
    ce = F.binary_cross_entropy(torch.from_numpy(AL), torch.from_numpy(Y))     # mean over the m examples
    return float(ce) + _penalty_oracle(parameters, lambd, Y.shape[1])


def _np_ce(AL, Y):
    return float(-np.mean(Y * np.log(AL) + (1 - Y) * np.log(1 - AL)))


def _cost_with(penalty_m=lambda Y: Y.shape[1], k=0.5, keys=_only_W, ce_scale=lambda Y: 1, sign=1):
    def cost(AL, Y, parameters, lambd):
        return _np_ce(AL, Y) * ce_scale(Y) + sign * _penalty(parameters, lambd, penalty_m(Y), keys=keys, k=k)
    return cost


COMPUTE_COST_WITH_REGULARIZATION = Exercise(
    name="compute_cost_with_regularization",
    draw=_cost_cases,
    oracle=_cost_oracle,
    rtol=1e-9,
    forbidden=("torch.nn.functional.binary_cross_entropy", "torch.nn.functional.binary_cross_entropy_with_logits"),
    wrong=[
        (named("cost_no_penalty", _cost_with(sign=0)),
         "add the L2 penalty λ/(2m)·Σ_l ‖W[l]‖² to the cross-entropy"),
        (named("cost_m_from_rows", _cost_with(penalty_m=lambda Y: Y.shape[0])),
         "m is the number of examples, the columns of Y: m = Y.shape[1] (Y.shape[0] is 1)"),
        (named("cost_no_half", _cost_with(k=1.0)),
         "the penalty is λ/(2m)·Σ‖W‖², not λ/m·Σ‖W‖²"),
        (named("cost_penalizes_b", _cost_with(keys=_everything)),
         "penalize the weights only, not the biases"),
        (named("cost_sum_not_mean", _cost_with(ce_scale=lambda Y: Y.shape[1])),
         "the cross-entropy part is a mean over the m examples, not a sum"),
        (named("cost_minus_penalty", _cost_with(sign=-1)),
         "add the penalty: large weights must cost more, not less"),
    ],
    arg_names=("AL", "Y", "parameters", "lambd"),
)


# ----------------------------------------------------------------------------- L_model_backward_with_regularization

def _backward_case(rng, dims, m, lambd):
    params = random_params(rng, dims)
    X = rng.normal(size=(dims[0], m))
    AL, caches = np_forward(X, params)
    return (AL, labels(rng, m), caches, lambd)


def _backward_cases(rng):
    return [
        Case(_backward_case(rng, [3, 4, 1], 5, 0.7), "[3, 4, 1], m = 5, lambda = 0.7"),
        Case(_backward_case(rng, [4, 5, 3, 1], 8, 0.1), "three layers [4, 5, 3, 1], m = 8, lambda = 0.1"),
        Case(_backward_case(rng, [2, 3, 1], 1, 2.0), "one example, lambda = 2"),
        Case(_backward_case(rng, [3, 3, 3, 1], 6, 0.0), "lambda = 0: unit 09's gradients"),
        Case(as32(_backward_case(rng, [3, 4, 2, 1], 7, 0.5)), "float32", dtype=np.float32),
    ]


def _backward_oracle(AL, Y, caches, lambd):
    params = {}
    for l, ((_, W, b), _) in enumerate(caches, start=1):
        params[f"W{l}"], params[f"b{l}"] = W, b
    X = caches[0][0][0]
    grads = autograd_grads(params, X, Y, lambd)
    return {k: grads[k] for l in range(1, len(caches) + 1) for k in (f"dW{l}", f"db{l}")}


def _backward_with(k_W=1.0, on_b=False, per_m=True):
    def backward(AL, Y, caches, lambd):
        grads, m = np_backward(AL, Y, caches), Y.shape[1]
        scale = lambd / m if per_m else lambd
        for l, ((_, W, b), _) in enumerate(caches, start=1):
            grads[f"dW{l}"] = grads[f"dW{l}"] + k_W * scale * W
            if on_b:
                grads[f"db{l}"] = grads[f"db{l}"] + scale * b
        return grads
    return backward


L_MODEL_BACKWARD_WITH_REGULARIZATION = Exercise(
    name="L_model_backward_with_regularization",
    draw=_backward_cases,
    oracle=_backward_oracle,
    forbidden=NO_AUTOGRAD,
    wrong=[
        (named("backward_no_penalty", _backward_with(k_W=0.0)),
         "add the gradient of the penalty to every dW[l]: dW[l] + (λ/m)·W[l]"),
        (named("backward_half", _backward_with(k_W=0.5)),
         "the derivative of λ/(2m)·‖W‖² is (λ/m)·W: the 2 of the square cancels the 2 in 2m"),
        (named("backward_double", _backward_with(k_W=2.0)),
         "the penalty's gradient is (λ/m)·W, not (2λ/m)·W: the 2 of the square cancels the 2 in 2m"),
        (named("backward_no_m", _backward_with(per_m=False)),
         "the penalty's gradient is (λ/m)·W: divide by m = Y.shape[1]"),
        (named("backward_minus", _backward_with(k_W=-1.0)),
         "add (λ/m)·W to dW: the penalty pulls the weights towards zero"),
        (named("backward_penalizes_b", _backward_with(on_b=True)),
         "db[l] is unchanged: the biases are not penalized"),
    ],
    arg_names=("AL", "Y", "caches", "lambd"),
)


# ----------------------------------------------------------------------------- update_parameters_with_weight_decay

def _decay_case(rng, dims, alpha, lambd, m, extra_keys=False):
    params = random_params(rng, dims)
    grads = {"d" + k: rng.normal(scale=0.1, size=v.shape) for k, v in params.items()}
    if extra_keys:
        grads.update({f"dA{l}": rng.normal(size=(dims[l], 3)) for l in range(len(dims) - 1)})
    return (params, grads, alpha, lambd, m)


def _decay_cases(rng):
    seed = ({"W1": SEED_W.copy(), "b1": np.array([[0.3], [-0.4]])},
            {"dW1": SEED_DW.copy(), "db1": np.array([[0.02], [-0.03]])}, 0.1, SEED_LAMBD, SEED_M)
    return [
        Case(seed, "the notes' W and dW, alpha = 0.1, lambda = 0.7, m = 1000: decay factor 0.99993"),
        Case(_decay_case(rng, [3, 4, 1], 0.5, 3.0, 10), "[3, 4, 1], alpha = 0.5, lambda = 3, m = 10: factor 0.85"),
        Case(_decay_case(rng, [4, 5, 3, 2], 0.3, 1.0, 4, extra_keys=True),
             "grads also hold dA0, dA1, dA2 (as L_model_backward returns them): ignore them"),
        Case(_decay_case(rng, [2, 3, 1], 0.1, 0.0, 50), "lambda = 0: plain gradient descent"),
        Case(as32(_decay_case(rng, [3, 2, 1], 0.2, 2.0, 8)), "float32", dtype=np.float32),
    ]


def _decay_oracle(parameters, grads, learning_rate, lambd, m):
    leaves = {k: torch.tensor(v, dtype=torch.float64) for k, v in parameters.items()}
    weights = [t for k, t in leaves.items() if k.startswith("W")]
    others = [t for k, t in leaves.items() if not k.startswith("W")]
    opt = torch.optim.SGD([{"params": weights, "weight_decay": lambd / m},       # W <- W - lr (dW + wd W)
                           {"params": others, "weight_decay": 0.0}], lr=learning_rate)
    for k, t in leaves.items():
        t.grad = torch.from_numpy(np.asarray(grads["d" + k], dtype=np.float64))
    opt.step()
    return {k: t.numpy() for k, t in leaves.items()}


def _factor(learning_rate, lambd, m):
    return 1 - learning_rate * lambd / m


def _decay_with(factor, on_b=False, after=False):
    def update(parameters, grads, learning_rate, lambd, m):
        d = factor(learning_rate, lambd, m)
        out = {}
        for k, p in parameters.items():
            g = grads["d" + k]
            decays = k.startswith("W") or on_b
            out[k] = (d * (p - learning_rate * g) if after else d * p - learning_rate * g) if decays \
                else p - learning_rate * g
        return out
    return update


UPDATE_PARAMETERS_WITH_WEIGHT_DECAY = Exercise(
    name="update_parameters_with_weight_decay",
    draw=_decay_cases,
    oracle=_decay_oracle,
    forbidden=("torch.optim.SGD",) + NO_AUTOGRAD,
    wrong=[
        (named("decay_biases", _decay_with(_factor, on_b=True)),
         "decay the weights only: b[l] <- b[l] - α·db[l]. (In PyTorch a single parameter group with "
         "weight_decay decays the biases too; give them a group with weight_decay=0.)"),
        (named("decay_no_alpha", _decay_with(lambda a, lambd, m: 1 - lambd / m)),
         "the decay factor is 1 - α·λ/m: the learning rate multiplies the penalty's gradient too"),
        (named("decay_no_m", _decay_with(lambda a, lambd, m: 1 - a * lambd)),
         "the decay factor is 1 - α·λ/m: divide λ by m, the number of examples"),
        (named("decay_half", _decay_with(lambda a, lambd, m: 1 - a * lambd / m / 2)),
         "the decay factor is 1 - α·λ/m: the gradient of λ/(2m)·‖W‖² is (λ/m)·W"),
        (named("decay_after_step", _decay_with(_factor, after=True)),
         "shrink the old W, then take the step: (1 - α·λ/m)·W - α·dW; shrinking after the step also "
         "shrinks α·dW"),
        (named("decay_grows", _decay_with(lambda a, lambd, m: 1 + a * lambd / m)),
         "weight *decay*: the factor 1 - α·λ/m is below 1"),
    ],
    arg_names=("parameters", "grads", "learning_rate", "lambd", "m"),
)


# ----------------------------------------------------------------------------- gradient_check

def _check_case(rng, dims, m, lambd, eps, bug=None):
    params = random_params(rng, dims, bias=0.3)
    X, Y = rng.normal(size=(dims[0], m)), labels(rng, m)
    grads = autograd_grads(params, X, Y, lambd)
    if bug == "no penalty":                                   # the term forgotten in the backward pass
        grads = {k: g - lambd / m * params[k[1:]] if k.startswith("dW") else g for k, g in grads.items()}
    elif bug == "db1 sign":
        grads["db1"] = -grads["db1"]
    return (params, grads, X, Y, lambd, eps)


def _check_cases(rng):
    return [
        Case(_check_case(rng, [3, 4, 1], 6, 2.0, 1e-2, bug="no penalty"),
             "eps = 1e-2 (large, so that the formula shows), grads missing the (λ/m)·W term"),
        Case(_check_case(rng, [2, 3, 2, 1], 5, 0.3, 1e-3), "three layers, eps = 1e-3, correct grads"),
        Case(_check_case(rng, [3, 4, 1], 6, 0.7, 1e-7), "eps = 1e-7 (the usual value), correct grads: ~1e-9"),
        Case(_check_case(rng, [3, 4, 1], 6, 0.7, 1e-7, bug="db1 sign"),
             "eps = 1e-7, grads with db1 of the wrong sign"),
        Case(_check_case(rng, [2, 2, 1], 1, 0.0, 1e-5), "one example, lambda = 0, eps = 1e-5"),
    ]


def _check_oracle(parameters, grads, X, Y, lambd, eps):
    params = {k: v.copy() for k, v in parameters.items()}
    Xt, Yt = torch.from_numpy(X), torch.from_numpy(Y)
    cost = lambda _: float(torch_cost({k: torch.from_numpy(v) for k, v in params.items()}, Xt, Yt, lambd))
    approx = {"d" + k: numerical_gradient(cost, params[k], eps) for k in params}     # perturbs params[k] in place
    a = np.concatenate([approx[k].ravel() for k in approx])
    g = np.concatenate([grads[k].ravel() for k in approx])
    return float(np.linalg.norm(a - g) / (np.linalg.norm(a) + np.linalg.norm(g))), approx


def _np_cost(params, X, Y, lambd):
    AL, caches = np_forward(X, params)
    Z = caches[-1][1]
    ce = float(np.mean(np.maximum(Z, 0) + np.log1p(np.exp(-np.abs(Z))) - Y * Z))
    return ce + _penalty(params, lambd, Y.shape[1])


def _approx(parameters, X, Y, lambd, eps, rule):
    params = {k: v.copy() for k, v in parameters.items()}
    J = lambda: _np_cost(params, X, Y, lambd)
    approx = {}
    for k, x in params.items():
        g = np.zeros_like(x)
        for ix in np.ndindex(x.shape):
            g[ix] = rule(x, ix, eps, J)
        approx["d" + k] = g
    return approx


def _central(x, ix, eps, J):
    old = x[ix]
    x[ix] = old + eps
    plus = J()
    x[ix] = old - eps
    minus = J()
    x[ix] = old
    return (plus - minus) / (2 * eps)


def _one_sided(x, ix, eps, J):
    base = J()
    x[ix] += eps
    plus = J()
    x[ix] -= eps
    return (plus - base) / eps


def _over_eps(x, ix, eps, J):
    return 2 * _central(x, ix, eps, J)


def _no_restore(x, ix, eps, J):
    x[ix] += eps
    plus = J()
    x[ix] -= 2 * eps                # ... and never put it back
    return (plus - J()) / (2 * eps)


def _vec(d, keys):
    return np.concatenate([d[k].ravel() for k in keys])


norm = np.linalg.norm


def _squared(a, g):
    return norm(a - g) ** 2 / (norm(a) ** 2 + norm(g) ** 2)


def _max_entry(a, g):
    return np.max(np.abs(a - g) / np.maximum(np.abs(a) + np.abs(g), 1e-12))


def _check_with(rule=_central, measure=lambda a, g: norm(a - g) / (norm(a) + norm(g))):
    def check(parameters, grads, X, Y, lambd, eps=1e-7):
        approx = _approx(parameters, X, Y, lambd, eps, rule)
        keys = sorted(approx)
        return float(measure(_vec(approx, keys), _vec(grads, keys))), approx
    return check


GRADIENT_CHECK = Exercise(
    name="gradient_check",
    draw=_check_cases,
    oracle=_check_oracle,
    rtol=1e-6,
    atol=1e-7,
    forbidden=NO_AUTOGRAD + ("dlbook.gradcheck.numerical_gradient", "dlbook.gradcheck.gradcheck",
                             "dlbook.gradcheck.relative_difference", "dlbook.gradcheck.rel_error"),
    wrong=[
        (named("check_one_sided", _check_with(_one_sided)),
         "use the centered difference (J(θ+ε) − J(θ−ε)) / (2ε); the one-sided (J(θ+ε) − J(θ)) / ε is only "
         "accurate to O(ε)"),
        (named("check_over_eps", _check_with(_over_eps)),
         "divide the centered difference by 2ε: θ+ε and θ−ε are 2ε apart"),
        (named("check_no_restore", _check_with(_no_restore)),
         "put every entry back after nudging it (or nudge a copy): otherwise the later entries are "
         "differentiated at a shifted θ"),
        (named("check_norm_of_grad", _check_with(measure=lambda a, g: norm(a - g) / norm(g))),
         "normalize by the sum of both norms: ‖approx − grad‖₂ / (‖approx‖₂ + ‖grad‖₂)"),
        (named("check_absolute", _check_with(measure=lambda a, g: norm(a - g))),
         "divide by ‖approx‖₂ + ‖grad‖₂: the plain ‖approx − grad‖₂ depends on the scale of the gradients"),
        (named("check_squared_norms", _check_with(measure=_squared)),
         "use the Euclidean norms themselves (square roots of the sums of squares), not their squares"),
        (named("check_max_entry", _check_with(measure=_max_entry)),
         "the difference is one ratio of norms over all the parameters together, not a maximum over entries"),
    ],
    arg_names=("parameters", "grads", "X", "Y", "lambd", "eps"),
    returns=("difference", "approx"),
)


EXERCISES = {e.name: e for e in (L2_PENALTY, COMPUTE_COST_WITH_REGULARIZATION,
                                 L_MODEL_BACKWARD_WITH_REGULARIZATION, UPDATE_PARAMETERS_WITH_WEIGHT_DECAY,
                                 GRADIENT_CHECK)}
