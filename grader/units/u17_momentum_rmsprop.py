"""Unit 17 · Exponentially weighted averages, momentum and RMSprop.

Exercises: ewa, initialize_velocity, update_parameters_with_momentum,
update_parameters_with_rmsprop.
Oracles: the EWA as an explicitly weighted sum (a triangular matrix of weights beta**(t-k),
not the recursion); plain zeros; torch.optim.SGD(lr=alpha*(1-beta), momentum=beta) and
torch.optim.RMSprop(lr=alpha, alpha=beta2, eps=epsilon) stepped once on the same parameters,
their state buffers seeded from the given velocity / squared-gradient average.
Layout: parameters = {"W1": (n1, n0), "b1": (n1, 1), ...}, grads and state keyed "dW1", "db1", ...
"""
import numpy as np
import torch

from grader.core import Case, Exercise

# Ng's temperatures, the worked example of the chapter.
TEMPS = np.array([40.0, 49.0, 45.0])


# ----------------------------------------------------------------------------- ewa

def _ewa_cases(rng):
    series = 50 + 25 * np.sin(np.arange(60) / 10) + rng.normal(scale=6.0, size=60)
    return [
        Case((TEMPS.copy(), 0.98, True), "the worked example, beta = 0.98, with bias correction"),
        Case((TEMPS.copy(), 0.98, False), "the worked example, beta = 0.98, no correction"),
        Case((series, 0.9, True), "60 noisy temperatures, beta = 0.9, with bias correction"),
        Case((series, 0.5, False), "60 noisy temperatures, beta = 0.5, no correction"),
        Case((rng.normal(size=25), 0.95, True), "25 values around 0, beta = 0.95, corrected"),
        Case((np.array([7.5]), 0.9, True), "a single observation (T = 1), corrected"),
        Case((np.array([7.5, -2.0]), 0.9, False), "T = 2, no correction"),
        Case((np.full(10, 3.0), 0.0, False), "beta = 0: the average is the series itself"),
        Case(((20 + rng.normal(scale=3.0, size=30)).astype(np.float32), 0.9, True),
             "float32 input stays float32", dtype=np.float32),
    ]


def _ewa_oracle(theta, beta, bias_correction):
    # v_t = (1 - beta) * sum_{k <= t} beta**(t-k) theta_k, written as one weighted sum per t.
    T = theta.shape[0]
    t, k = np.meshgrid(np.arange(T), np.arange(T), indexing="ij")
    weights = np.where(k <= t, float(beta) ** np.maximum(t - k, 0), 0.0)   # (T, T)
    if bias_correction:
        weights = weights / weights.sum(axis=1, keepdims=True)            # normalised weights
    else:
        weights = (1 - beta) * weights
    return weights @ theta


def _ewa_loop(theta, beta, bias_correction, *, step, t0=1, v0=None, feed_back=False):
    """A recursion with a configurable mistake: step(v, x) -> v."""
    v = theta[0] if v0 == "first" else 0.0
    out = []
    for i, x in enumerate(theta):
        v = step(v, x) if not (v0 == "first" and i == 0) else v
        if bias_correction:
            with np.errstate(divide="ignore", invalid="ignore"):
                corrected = np.float64(v) / (1 - beta ** (i + t0))
            if feed_back:
                v = corrected
            out.append(corrected)
        else:
            out.append(v)
    return np.array(out, dtype=theta.dtype)


def _ewa_no_correction(theta, beta, bias_correction):
    return _ewa_loop(theta, beta, False, step=lambda v, x: beta * v + (1 - beta) * x)


def _ewa_t_from_0(theta, beta, bias_correction):
    return _ewa_loop(theta, beta, bias_correction, step=lambda v, x: beta * v + (1 - beta) * x, t0=0)


def _ewa_feed_back(theta, beta, bias_correction):
    return _ewa_loop(theta, beta, bias_correction, step=lambda v, x: beta * v + (1 - beta) * x,
                     feed_back=True)


def _ewa_start_at_first(theta, beta, bias_correction):
    return _ewa_loop(theta, beta, bias_correction, step=lambda v, x: beta * v + (1 - beta) * x,
                     v0="first")


def _ewa_swapped(theta, beta, bias_correction):
    return _ewa_loop(theta, beta, bias_correction, step=lambda v, x: (1 - beta) * v + beta * x)


def _ewa_no_one_minus_beta(theta, beta, bias_correction):
    return _ewa_loop(theta, beta, bias_correction, step=lambda v, x: beta * v + x)


EWA = Exercise(
    name="ewa",
    draw=_ewa_cases,
    oracle=_ewa_oracle,
    rtol=1e-9,
    wrong=[
        (_ewa_no_correction, "bias_correction=True asks for the corrected average: divide each v_t by "
                             "(1 − β^t), so that the first value equals θ₁ instead of (1 − β)·θ₁"),
        (_ewa_t_from_0, "t counts from 1: the first value is divided by 1 − β¹, not 1 − β⁰ = 0 "
                        "(an off-by-one with range(T))"),
        (_ewa_feed_back, "keep the recursion on the uncorrected v_t and correct only the output: "
                         "v_t = βv_{t−1} + (1 − β)θ_t, then v̂_t = v_t / (1 − β^t); do not feed v̂ back into v"),
        (_ewa_start_at_first, "start from v₀ = 0, not from v₁ = θ₁; starting at 0 is what makes the early "
                              "values small and the bias correction necessary"),
        (_ewa_swapped, "β multiplies the previous average and (1 − β) the new observation: "
                       "v_t = βv_{t−1} + (1 − β)θ_t (β and 1 − β are swapped)"),
        (_ewa_no_one_minus_beta, "the new observation is weighted by (1 − β): v_t = βv_{t−1} + (1 − β)θ_t; "
                                 "without it v_t grows towards θ/(1 − β)"),
    ],
    arg_names=("theta", "beta", "bias_correction"),
)


# ----------------------------------------------------------------------------- initialize_velocity

def _net(rng, dims, dtype=np.float64):
    """Parameters of a network with layer sizes dims = (n0, n1, ..., nL)."""
    out = {}
    for l in range(1, len(dims)):
        out[f"W{l}"] = rng.normal(size=(dims[l], dims[l - 1])).astype(dtype)
        out[f"b{l}"] = rng.normal(size=(dims[l], 1)).astype(dtype)
    return out


def _grads_like(rng, params, scale=1.0):
    return {"d" + k: (scale * rng.normal(size=p.shape)).astype(p.dtype) for k, p in params.items()}


def _velocity_cases(rng):
    return [
        Case((_net(rng, (3, 2)),), "one layer, W1 (2, 3), b1 (2, 1)"),
        Case((_net(rng, (4, 5, 3, 1)),), "three layers, non-square W"),
        Case((_net(rng, (1, 1)),), "the smallest network: W1 (1, 1), b1 (1, 1)"),
        Case((_net(rng, (6, 4, 2), np.float32),), "float32 parameters stay float32", dtype=np.float32),
    ]


def _velocity_oracle(parameters):
    return {"d" + k: np.zeros_like(p) for k, p in parameters.items()}


def _velocity_same_keys(parameters):
    return {k: np.zeros_like(p) for k, p in parameters.items()}


def _velocity_copy(parameters):
    return {"d" + k: p.copy() for k, p in parameters.items()}


def _velocity_rank1_b(parameters):
    return {"d" + k: np.zeros(p.shape[0]) if k.startswith("b") else np.zeros_like(p)
            for k, p in parameters.items()}


def _velocity_float64(parameters):
    return {"d" + k: np.zeros(p.shape) for k, p in parameters.items()}


VELOCITY = Exercise(
    name="initialize_velocity",
    draw=_velocity_cases,
    oracle=_velocity_oracle,
    wrong=[
        (_velocity_same_keys, "name the velocities after the gradients they average: keys 'dW1', 'db1', ..., "
                              "not 'W1', 'b1'"),
        (_velocity_copy, "the velocity starts at zero, not at the parameters' values"),
        (_velocity_rank1_b, "each velocity has exactly its parameter's shape: v['db1'] is (n1, 1), "
                            "not the rank-1 (n1,)"),
        (_velocity_float64, "use xp.zeros_like(parameters[key]): it copies the shape, the dtype (float32 "
                            "stays float32) and the device; np.zeros(shape) is always float64 NumPy"),
    ],
    arg_names=("parameters",),
)


# ----------------------------------------------------------------------------- momentum

def _momentum_cases(rng):
    p1 = _net(rng, (3, 4, 1))
    p2 = _net(rng, (5, 3, 2))
    p3 = _net(rng, (2, 3, 3, 1))
    p4 = _net(rng, (4, 2), np.float32)
    return [
        Case((p2, _grads_like(rng, p2), _grads_like(rng, p2, 0.5), 0.9, 0.05),
             "a later step: v carries earlier gradients"),
        Case((p1, _grads_like(rng, p1), _velocity_oracle(p1), 0.9, 0.1),
             "the first step: v = 0, beta = 0.9, alpha = 0.1"),
        Case((p3, _grads_like(rng, p3), _grads_like(rng, p3), 0.5, 0.3), "three layers, beta = 0.5"),
        Case((_net(rng, (1, 1)), {"dW1": np.array([[2.0]]), "db1": np.array([[-1.0]])},
              {"dW1": np.array([[0.4]]), "db1": np.array([[0.0]])}, 0.99, 1.0),
             "one weight and one bias, beta = 0.99"),
        Case((p4, _grads_like(rng, p4), _grads_like(rng, p4, 0.1), 0.8, 0.01),
             "float32 parameters stay float32", dtype=np.float32),
    ]


def _layers(parameters):
    return [k[1:] for k in parameters if k.startswith("W")]


def _momentum_oracle(parameters, grads, v, beta, learning_rate):
    # PyTorch keeps buf = beta * buf + g and steps p -= lr * buf. With buf = v / (1 - beta) and
    # lr = learning_rate * (1 - beta) that is exactly v = beta v + (1 - beta) g, p -= learning_rate * v.
    names = list(parameters)
    tensors = [torch.tensor(parameters[k]) for k in names]
    opt = torch.optim.SGD(tensors, lr=learning_rate * (1 - beta), momentum=beta)
    for k, t in zip(names, tensors):
        t.grad = torch.tensor(grads["d" + k])
        opt.state[t]["momentum_buffer"] = torch.tensor(v["d" + k] / (1 - beta))
    opt.step()
    new_p = {k: t.detach().numpy() for k, t in zip(names, tensors)}
    new_v = {"d" + k: (1 - beta) * opt.state[t]["momentum_buffer"].numpy() for k, t in zip(names, tensors)}
    return new_p, new_v


def _momentum_with(parameters, grads, v, *, velocity, update):
    new_p, new_v = {}, {}
    for k in parameters:
        d = "d" + k
        new_v[d] = velocity(v[d], grads[d])
        new_p[k] = update(parameters[k], v[d], new_v[d], grads[d])
    return new_p, new_v


def _momentum_no_one_minus_beta(parameters, grads, v, beta, learning_rate):
    return _momentum_with(parameters, grads, v, velocity=lambda v_, g: beta * v_ + g,
                          update=lambda p, v_old, v_new, g: p - learning_rate * v_new)


def _momentum_swapped(parameters, grads, v, beta, learning_rate):
    return _momentum_with(parameters, grads, v, velocity=lambda v_, g: (1 - beta) * v_ + beta * g,
                          update=lambda p, v_old, v_new, g: p - learning_rate * v_new)


def _momentum_old_velocity(parameters, grads, v, beta, learning_rate):
    return _momentum_with(parameters, grads, v, velocity=lambda v_, g: beta * v_ + (1 - beta) * g,
                          update=lambda p, v_old, v_new, g: p - learning_rate * v_old)


def _momentum_gradient_step(parameters, grads, v, beta, learning_rate):
    return _momentum_with(parameters, grads, v, velocity=lambda v_, g: beta * v_ + (1 - beta) * g,
                          update=lambda p, v_old, v_new, g: p - learning_rate * g)


def _momentum_ascent(parameters, grads, v, beta, learning_rate):
    return _momentum_with(parameters, grads, v, velocity=lambda v_, g: beta * v_ + (1 - beta) * g,
                          update=lambda p, v_old, v_new, g: p + learning_rate * v_new)


def _momentum_weights_only(parameters, grads, v, beta, learning_rate):
    new_p, new_v = _momentum_with(parameters, grads, v, velocity=lambda v_, g: beta * v_ + (1 - beta) * g,
                                  update=lambda p, v_old, v_new, g: p - learning_rate * v_new)
    for k in parameters:
        if k.startswith("b"):
            new_p[k], new_v["d" + k] = parameters[k].copy(), v["d" + k].copy()
    return new_p, new_v


MOMENTUM = Exercise(
    name="update_parameters_with_momentum",
    draw=_momentum_cases,
    oracle=_momentum_oracle,
    rtol=1e-9,
    forbidden=("torch.optim.SGD", "torch.optim.SGD.step"),
    wrong=[
        (_momentum_no_one_minus_beta, "the velocity is an average: v = βv + (1 − β)dW, so the first step from v = 0 "
                                      "is (1 − β)dW. v = βv + dW is PyTorch's form, which needs α(1 − β) as its "
                                      "learning rate: SGD(lr=α(1 − β), momentum=β). (SGD's dampening=β is not the "
                                      "same thing: it copies the first gradient into its buffer undamped.)"),
        (_momentum_swapped, "β multiplies the old velocity and (1 − β) the new gradient: v = βv + (1 − β)dW "
                            "(β and 1 − β are swapped)"),
        (_momentum_old_velocity, "update v first, then step with the *new* velocity: W ← W − α·v_dW"),
        (_momentum_gradient_step, "the step uses the velocity, not the raw gradient: W ← W − α·v_dW"),
        (_momentum_ascent, "descent subtracts: W ← W − α·v_dW"),
        (_momentum_weights_only, "update every layer's b (and v_db) too, not only the weights"),
    ],
    arg_names=("parameters", "grads", "v", "beta", "learning_rate"),
    returns=("parameters", "v"),
)


# ----------------------------------------------------------------------------- rmsprop

def _squares_like(rng, params, scale=1.0):
    return {"d" + k: (scale ** 2 * rng.random(size=p.shape)).astype(p.dtype) for k, p in params.items()}


def _rmsprop_cases(rng):
    p1 = _net(rng, (3, 4, 1))
    p2 = _net(rng, (5, 3, 2))
    p3 = _net(rng, (2, 2))
    p4 = _net(rng, (3, 3, 2))
    p5 = _net(rng, (4, 2), np.float32)
    return [
        Case((p4, _grads_like(rng, p4, 1e-5), _squares_like(rng, p4, 1e-5), 0.9, 0.001, 1e-8),
             "tiny gradients (about 1e-5) and tiny s, a later step: where epsilon sits matters"),
        Case((p3, _grads_like(rng, p3, 1e-5), _velocity_oracle(p3), 0.999, 0.01, 1e-8),
             "tiny gradients (about 1e-5), first step"),
        Case((p1, _grads_like(rng, p1), _velocity_oracle(p1), 0.9, 0.01, 1e-8),
             "the first step: s = 0, beta2 = 0.9"),
        Case((p2, _grads_like(rng, p2), _squares_like(rng, p2), 0.99, 0.01, 1e-8),
             "a later step: s holds earlier squared gradients"),
        Case((p2, _grads_like(rng, p2), _squares_like(rng, p2), 0.9, 0.1, 1e-2),
             "a large epsilon = 0.01"),
        Case((p5, _grads_like(rng, p5), _squares_like(rng, p5), 0.9, 0.01, 1e-8),
             "float32 parameters stay float32", dtype=np.float32),
    ]


def _rmsprop_oracle(parameters, grads, s, beta2, learning_rate, epsilon):
    names = list(parameters)
    tensors = [torch.tensor(parameters[k]) for k in names]
    opt = torch.optim.RMSprop(tensors, lr=learning_rate, alpha=beta2, eps=epsilon)
    for k, t in zip(names, tensors):
        t.grad = torch.tensor(grads["d" + k])
        opt.state[t]["step"] = torch.tensor(0.0)
        opt.state[t]["square_avg"] = torch.tensor(s["d" + k])
    opt.step()
    new_p = {k: t.detach().numpy() for k, t in zip(names, tensors)}
    new_s = {"d" + k: opt.state[t]["square_avg"].numpy() for k, t in zip(names, tensors)}
    return new_p, new_s


def _rmsprop_with(parameters, grads, s, *, square, step):
    new_p, new_s = {}, {}
    for k in parameters:
        d = "d" + k
        new_s[d] = square(s[d], grads[d])
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            new_p[k] = parameters[k] - step(grads[d], s[d], new_s[d])
    return new_p, new_s


def _rms_good_square(beta2):
    return lambda s_, g: beta2 * s_ + (1 - beta2) * g ** 2


def _rmsprop_eps_inside(parameters, grads, s, beta2, learning_rate, epsilon):
    return _rmsprop_with(parameters, grads, s, square=_rms_good_square(beta2),
                         step=lambda g, s_old, s_new: learning_rate * g / np.sqrt(s_new + epsilon))


def _rmsprop_old_s(parameters, grads, s, beta2, learning_rate, epsilon):
    return _rmsprop_with(parameters, grads, s, square=_rms_good_square(beta2),
                         step=lambda g, s_old, s_new: learning_rate * g / (np.sqrt(s_old) + epsilon))


def _rmsprop_no_sqrt(parameters, grads, s, beta2, learning_rate, epsilon):
    return _rmsprop_with(parameters, grads, s, square=_rms_good_square(beta2),
                         step=lambda g, s_old, s_new: learning_rate * g / (s_new + epsilon))


def _rmsprop_not_squared(parameters, grads, s, beta2, learning_rate, epsilon):
    return _rmsprop_with(parameters, grads, s, square=lambda s_, g: beta2 * s_ + (1 - beta2) * g,
                         step=lambda g, s_old, s_new: learning_rate * g / (np.sqrt(s_new) + epsilon))


def _rmsprop_square_of_average(parameters, grads, s, beta2, learning_rate, epsilon):
    # averages the gradient (a velocity) and squares that, instead of averaging squared gradients
    return _rmsprop_with(parameters, grads, s,
                         square=lambda s_, g: (beta2 * np.sqrt(s_) + (1 - beta2) * g) ** 2,
                         step=lambda g, s_old, s_new: learning_rate * g / (np.sqrt(s_new) + epsilon))


def _rmsprop_swapped(parameters, grads, s, beta2, learning_rate, epsilon):
    return _rmsprop_with(parameters, grads, s, square=lambda s_, g: (1 - beta2) * s_ + beta2 * g ** 2,
                         step=lambda g, s_old, s_new: learning_rate * g / (np.sqrt(s_new) + epsilon))


def _rmsprop_no_one_minus_beta(parameters, grads, s, beta2, learning_rate, epsilon):
    return _rmsprop_with(parameters, grads, s, square=lambda s_, g: beta2 * s_ + g ** 2,
                         step=lambda g, s_old, s_new: learning_rate * g / (np.sqrt(s_new) + epsilon))


def _rmsprop_bias_corrected(parameters, grads, s, beta2, learning_rate, epsilon):
    # as if s were bias-corrected with t = 1 (Adam's correction, which plain RMSprop does not have)
    return _rmsprop_with(parameters, grads, s, square=_rms_good_square(beta2),
                         step=lambda g, s_old, s_new: learning_rate * g / (np.sqrt(s_new / (1 - beta2)) + epsilon))


RMSPROP = Exercise(
    name="update_parameters_with_rmsprop",
    draw=_rmsprop_cases,
    oracle=_rmsprop_oracle,
    rtol=1e-9,
    forbidden=("torch.optim.RMSprop", "torch.optim.RMSprop.step"),
    wrong=[
        (_rmsprop_eps_inside, "ε goes outside the square root: dW / (√S + ε). With √(S + ε) (as in the notes' "
                              "code) tiny gradients get steps far smaller than RMSprop's, e.g. 0.9995α instead "
                              "of 31.5α for dW = 1e-4 on the first step"),
        (_rmsprop_old_s, "update S first, then divide by the square root of the *new* S"),
        (_rmsprop_no_sqrt, "divide by the root mean square: dW / (√S + ε), not dW / (S + ε)"),
        (_rmsprop_not_squared, "S averages the *squared* gradients, element-wise: (1 − β₂)·dW**2"),
        (_rmsprop_square_of_average, "S is the average of the squared gradients, not the square of an averaged "
                                     "gradient (a velocity): S = β₂S + (1 − β₂)·dW**2"),
        (_rmsprop_swapped, "β₂ multiplies the old S and (1 − β₂) the new squared gradient "
                           "(β₂ and 1 − β₂ are swapped)"),
        (_rmsprop_no_one_minus_beta, "the new squared gradient is weighted by (1 − β₂): S = β₂S + (1 − β₂)·dW**2"),
        (_rmsprop_bias_corrected, "plain RMSprop has no bias correction: divide by √S + ε with S itself "
                                  "(Adam, in unit 18, adds the correction)"),
    ],
    arg_names=("parameters", "grads", "s", "beta2", "learning_rate", "epsilon"),
    returns=("parameters", "s"),
)

EXERCISES = {e.name: e for e in (EWA, VELOCITY, MOMENTUM, RMSPROP)}
