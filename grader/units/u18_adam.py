"""Unit 18 · Adam.

Exercises: initialize_adam, update_parameters_with_adam.
Oracles: plain zeros; torch.optim.Adam(lr, betas=(beta1, beta2), eps) stepped once on the same
parameters, its state seeded with the given v (exp_avg), s (exp_avg_sq) and step count t - 1, so
that its step runs with t; the corrected moments are torch's buffers after the step divided by
(1 - beta**t). The states of the "step t of a run" cases are themselves made by torch.optim.Adam
stepped t - 1 times from zero.
Layout: parameters = {"W1": (n1, n0), "b1": (n1, 1), ...}, grads and state keyed "dW1", "db1", ...
"""
import numpy as np
import torch

from grader.core import Case, Exercise


# ----------------------------------------------------------------------------- helpers

def _net(rng, dims, dtype=np.float64):
    """Parameters of a network with layer sizes dims = (n0, n1, ..., nL)."""
    out = {}
    for l in range(1, len(dims)):
        out[f"W{l}"] = rng.normal(size=(dims[l], dims[l - 1])).astype(dtype)
        out[f"b{l}"] = rng.normal(size=(dims[l], 1)).astype(dtype)
    return out


def _grads_like(rng, params, scale=1.0):
    return {"d" + k: (scale * rng.normal(size=p.shape)).astype(p.dtype) for k, p in params.items()}


def _zeros_like(params):
    return {"d" + k: np.zeros_like(p) for k, p in params.items()}


def _torch_adam(parameters, grads_seq, v, s, t0, lr, beta1, beta2, eps):
    """torch.optim.Adam from the state (v, s, t0 steps taken), stepped once per gradient dict.

    Returns (parameters, v, s) as float64 NumPy dicts after the last step.
    """
    names = list(parameters)
    tensors = [torch.tensor(parameters[k], dtype=torch.float64) for k in names]
    opt = torch.optim.Adam(tensors, lr=lr, betas=(beta1, beta2), eps=eps)
    for k, p in zip(names, tensors):
        opt.state[p]["step"] = torch.tensor(float(t0))
        opt.state[p]["exp_avg"] = torch.tensor(v["d" + k], dtype=torch.float64)
        opt.state[p]["exp_avg_sq"] = torch.tensor(s["d" + k], dtype=torch.float64)
    for grads in grads_seq:
        for k, p in zip(names, tensors):
            p.grad = torch.tensor(grads["d" + k], dtype=torch.float64)
        opt.step()
    new_p = {k: p.detach().numpy() for k, p in zip(names, tensors)}
    new_v = {"d" + k: opt.state[p]["exp_avg"].numpy() for k, p in zip(names, tensors)}
    new_s = {"d" + k: opt.state[p]["exp_avg_sq"].numpy() for k, p in zip(names, tensors)}
    return new_p, new_v, new_s


def _after_run(rng, dims, t, lr=0.01, beta1=0.9, beta2=0.999, eps=1e-8, scale=1.0, dtype=np.float64):
    """Case arguments for step t of a run: the parameters and state after t - 1 torch Adam steps
    from zero state, and a fresh gradient."""
    params = _net(rng, dims)
    history = [_grads_like(rng, params, scale) for _ in range(t - 1)]
    params, v, s = _torch_adam(params, history, _zeros_like(params), _zeros_like(params), 0,
                               lr, beta1, beta2, eps)
    cast = lambda d: {k: x.astype(dtype) for k, x in d.items()}
    grads = _grads_like(rng, params, scale)
    return (cast(params), cast(grads), cast(v), cast(s), t, lr, beta1, beta2, eps)


# ----------------------------------------------------------------------------- initialize_adam

def _init_cases(rng):
    return [
        Case((_net(rng, (3, 2)),), "one layer, W1 (2, 3), b1 (2, 1)"),
        Case((_net(rng, (4, 5, 3, 1)),), "three layers, non-square W"),
        Case((_net(rng, (1, 1)),), "the smallest network: W1 (1, 1), b1 (1, 1)"),
        Case((_net(rng, (6, 4, 2), np.float32),), "float32 parameters stay float32", dtype=np.float32),
    ]


def _init_oracle(parameters):
    return _zeros_like(parameters), _zeros_like(parameters)


def _init_one_dict(parameters):
    return _zeros_like(parameters)


def _init_same_keys(parameters):
    z = {k: np.zeros_like(p) for k, p in parameters.items()}
    return z, {k: x.copy() for k, x in z.items()}


def _init_copy(parameters):
    return {"d" + k: p.copy() for k, p in parameters.items()}, _zeros_like(parameters)


def _init_rank1_b(parameters):
    z = {"d" + k: np.zeros(p.shape[0]) if k.startswith("b") else np.zeros_like(p)
         for k, p in parameters.items()}
    return z, {k: x.copy() for k, x in z.items()}


def _init_float64(parameters):
    z = {"d" + k: np.zeros(p.shape) for k, p in parameters.items()}
    return z, {k: x.copy() for k, x in z.items()}


INITIALIZE_ADAM = Exercise(
    name="initialize_adam",
    draw=_init_cases,
    oracle=_init_oracle,
    wrong=[
        (_init_one_dict, "return two dictionaries, (v, s): Adam keeps both momentum's average of the "
                         "gradients and RMSprop's average of their squares"),
        (_init_same_keys, "name the moments after the gradients they average: keys 'dW1', 'db1', ..., "
                          "not 'W1', 'b1'"),
        (_init_copy, "both moments start at zero, not at the parameters' values"),
        (_init_rank1_b, "each moment has exactly its parameter's shape: v['db1'] is (n1, 1), "
                        "not the rank-1 (n1,)"),
        (_init_float64, "use xp.zeros_like(parameters[key]): it copies the shape, the dtype (float32 "
                        "stays float32) and the device; np.zeros(shape) is always float64 NumPy"),
    ],
    arg_names=("parameters",),
    returns=("v", "s"),
)


# ----------------------------------------------------------------------------- update_parameters_with_adam

def _adam_cases(rng):
    p1 = _net(rng, (5, 3, 2))
    p2 = _net(rng, (3, 2))
    p3 = _net(rng, (2, 4, 1))
    tiny_first = (p2, _grads_like(rng, p2, 1e-5), _zeros_like(p2), _zeros_like(p2), 1, 0.01, 0.9, 0.999, 1e-8)
    p4 = _net(rng, (3, 3))
    long_run = (p4, _grads_like(rng, p4), {k: 0.1 * x for k, x in _grads_like(rng, p4).items()},
                {k: rng.uniform(0.3, 1.5, size=x.shape) for k, x in _zeros_like(p4).items()},
                1000, 0.001, 0.9, 0.999, 1e-8)
    one = {"W1": np.array([[1.0]]), "b1": np.array([[-0.5]])}
    return [
        Case(_after_run(rng, (3, 4, 1), 4, scale=1e-5),
             "tiny gradients (about 1e-5), step t = 4 of a run: v and s from three earlier Adam steps"),
        Case((p1, _grads_like(rng, p1), _zeros_like(p1), _zeros_like(p1), 1, 0.01, 0.9, 0.999, 1e-8),
             "the first step, t = 1, from v = s = 0: where bias correction matters most"),
        Case(tiny_first, "tiny gradients (about 1e-5), first step: where ε sits matters"),
        Case(_after_run(rng, (2, 3, 2), 6), "step t = 6 of a run, gradients of about 1"),
        Case(_after_run(rng, (4, 2), 3, lr=0.1, beta1=0.5, beta2=0.9, eps=1e-3),
             "β₁ = 0.5, β₂ = 0.9, ε = 1e-3, step t = 3 of a run"),
        Case(long_run, "t = 1000: 1 − β₁^t is 1 but 1 − β₂^t = 0.63 still matters"),
        Case((one, {"dW1": np.array([[2.0]]), "db1": np.array([[-1.0]])}, _zeros_like(one), _zeros_like(one),
              1, 0.1, 0.9, 0.999, 1e-8),
             "one weight and one bias, first step: each moves by about α = 0.1"),
        Case((p3, _grads_like(rng, p3), _zeros_like(p3), _zeros_like(p3), 1, 0.02, 0.8, 0.99, 1e-8),
             "first step, β₁ = 0.8, β₂ = 0.99"),
        Case(_after_run(rng, (4, 3, 2), 2, dtype=np.float32), "float32 parameters stay float32, t = 2",
             dtype=np.float32),
    ]


def _adam_oracle(parameters, grads, v, s, t, learning_rate, beta1, beta2, epsilon):
    new_p, new_v, new_s = _torch_adam(parameters, [grads], v, s, t - 1, learning_rate, beta1, beta2, epsilon)
    v_corrected = {k: x / (1 - beta1 ** t) for k, x in new_v.items()}
    s_corrected = {k: x / (1 - beta2 ** t) for k, x in new_s.items()}
    return new_p, new_v, new_s, v_corrected, s_corrected


def _adam_with(parameters, grads, v, s, t, lr, beta1, beta2, eps, *, b1=None, b2=None, square=True,
               t_v=None, t_s=None, c1=None, c2=None, eps_inside=False, corrected=True):
    """Adam with configurable mistakes. b1/b2: the betas of the v and s averages; t_v/t_s: the t of
    the corrections; c1/c2: the betas of the corrections; corrected=False: no correction at all."""
    b1, b2 = beta1 if b1 is None else b1, beta2 if b2 is None else b2
    c1, c2 = b1 if c1 is None else c1, b2 if c2 is None else c2
    t_v, t_s = t if t_v is None else t_v, t if t_s is None else t_s
    new_p, new_v, new_s, v_hat, s_hat = {}, {}, {}, {}, {}
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for k in parameters:
            d = "d" + k
            g = grads[d]
            new_v[d] = b1 * v[d] + (1 - b1) * g
            new_s[d] = b2 * s[d] + (1 - b2) * (g ** 2 if square else g)
            v_hat[d] = new_v[d] / (1 - c1 ** t_v) if corrected else new_v[d]
            s_hat[d] = new_s[d] / (1 - c2 ** t_s) if corrected else new_s[d]
            denom = np.sqrt(s_hat[d] + eps) if eps_inside else np.sqrt(s_hat[d]) + eps
            new_p[k] = parameters[k] - lr * v_hat[d] / denom
    return new_p, new_v, new_s, v_hat, s_hat


def _adam_eps_inside(parameters, grads, v, s, t, lr, beta1, beta2, eps):
    return _adam_with(parameters, grads, v, s, t, lr, beta1, beta2, eps, eps_inside=True)


def _adam_t_minus_1(parameters, grads, v, s, t, lr, beta1, beta2, eps):
    return _adam_with(parameters, grads, v, s, t, lr, beta1, beta2, eps, t_v=t - 1, t_s=t - 1)


def _adam_t_plus_1(parameters, grads, v, s, t, lr, beta1, beta2, eps):
    return _adam_with(parameters, grads, v, s, t, lr, beta1, beta2, eps, t_v=t + 1, t_s=t + 1)


def _adam_no_correction(parameters, grads, v, s, t, lr, beta1, beta2, eps):
    return _adam_with(parameters, grads, v, s, t, lr, beta1, beta2, eps, corrected=False)


def _adam_only_v_corrected(parameters, grads, v, s, t, lr, beta1, beta2, eps):
    return _adam_with(parameters, grads, v, s, t, lr, beta1, beta2, eps, c2=0.0)


def _adam_s_corrected_with_beta1(parameters, grads, v, s, t, lr, beta1, beta2, eps):
    return _adam_with(parameters, grads, v, s, t, lr, beta1, beta2, eps, c2=beta1)


def _adam_v_corrected_with_beta2(parameters, grads, v, s, t, lr, beta1, beta2, eps):
    return _adam_with(parameters, grads, v, s, t, lr, beta1, beta2, eps, c1=beta2)


def _adam_swapped_betas(parameters, grads, v, s, t, lr, beta1, beta2, eps):
    return _adam_with(parameters, grads, v, s, t, lr, beta1, beta2, eps, b1=beta2, b2=beta1)


def _adam_not_squared(parameters, grads, v, s, t, lr, beta1, beta2, eps):
    return _adam_with(parameters, grads, v, s, t, lr, beta1, beta2, eps, square=False)


UPDATE_PARAMETERS_WITH_ADAM = Exercise(
    name="update_parameters_with_adam",
    draw=_adam_cases,
    oracle=_adam_oracle,
    rtol=1e-9,
    forbidden=("torch.optim.Adam", "torch.optim.Adam.step", "torch.optim.AdamW"),
    wrong=[
        (_adam_eps_inside, "ε goes outside the square root: v̂ / (√ŝ + ε), as in the Adam paper and "
                           "torch.optim.Adam. The notes' √(ŝ + ε) shrinks the steps of small gradients: "
                           "for dW ≈ 1e-5 the first step is about 0.1α instead of α"),
        (_adam_t_minus_1, "t counts the updates from 1 and is used as given: the first call has t = 1 and "
                          "divides by 1 − β₁¹ = 0.1. With t − 1 (a counter started at 0) the first step "
                          "divides by 1 − β⁰ = 0 and gives inf and NaN"),
        (_adam_t_plus_1, "use the t you were given in β₁^t and β₂^t: the caller counts the updates from 1, "
                         "so do not add 1 to it inside the function"),
        (_adam_no_correction, "correct both moments before the step: v̂ = v / (1 − β₁^t), ŝ = s / (1 − β₂^t), "
                              "and return them as v_corrected, s_corrected. Without the correction the first "
                              "steps are not small but too large (3.16α at t = 1 for the default betas)"),
        (_adam_only_v_corrected, "correct s too: ŝ = s / (1 − β₂^t). Correcting only v makes the first step "
                                 "α/√(1 − β₂), about 31.6α for β₂ = 0.999"),
        (_adam_s_corrected_with_beta1, "each moment is corrected with its own β: ŝ = s / (1 − β₂^t), "
                                       "not 1 − β₁^t"),
        (_adam_v_corrected_with_beta2, "each moment is corrected with its own β: v̂ = v / (1 − β₁^t), "
                                       "not 1 − β₂^t"),
        (_adam_swapped_betas, "β₁ belongs to the first moment v (the average of dW), β₂ to the second moment "
                              "s (the average of dW**2); they are swapped"),
        (_adam_not_squared, "s averages the *squared* gradients, element-wise: s = β₂s + (1 − β₂)·dW**2"),
    ],
    arg_names=("parameters", "grads", "v", "s", "t", "learning_rate", "beta1", "beta2", "epsilon"),
    returns=("parameters", "v", "s", "v_corrected", "s_corrected"),
)

EXERCISES = {e.name: e for e in (INITIALIZE_ADAM, UPDATE_PARAMETERS_WITH_ADAM)}
