"""Optimizers written from scratch: exponentially weighted averages, momentum, RMSprop.

Introduced in unit 17; later units (18 Adam, 19 learning-rate decay) add to this module.
The style is CS231n's ``optim.py``: plain functions, one array at a time, and the optimizer's
state passed in and handed back explicitly::

    w, v = momentum_update(w, dw, v, alpha=0.1, beta=0.9)

Every update rule has the signature ``update(w, dw, state, alpha, **hyperparameters) ->
(w_new, state_new)``; it returns new arrays and never changes its inputs. Arrays may be
NumPy arrays or PyTorch tensors (``xp = array_namespace(...)``), on any device.

The last part holds the 2-D quadratic bowl the chapters' figures run these rules on.
"""
import numpy as np
from array_api_compat import array_namespace


# ----------------------------------------------------------------------------- averages

def ewa(theta, beta, bias_correction=False):
    """Exponentially weighted average of a series.

    theta: (T,) observations theta_1 .. theta_T; beta in [0, 1).
    Returns v: (T,), with v_0 = 0 and v_t = beta * v_{t-1} + (1 - beta) * theta_t.
    With bias_correction, v_t / (1 - beta**t) instead (t counts from 1), which is the
    average of theta_1 .. theta_t with weights beta**(t - k) normalised to sum to 1.
    """
    xp = array_namespace(theta)
    v = 0.0
    out = []
    for t in range(1, theta.shape[0] + 1):
        v = beta * v + (1 - beta) * theta[t - 1]         # one number of memory
        out.append(v / (1 - beta ** t) if bias_correction else v)
    return xp.stack(out)                                    # (T,)


def ewa_weights(beta, n):
    """The weights (1 - beta) * beta**k that an EWA gives to the observation k steps back.

    Returns (n,) NumPy floats for k = 0 .. n-1. They sum to 1 - beta**n.
    """
    k = np.arange(n)
    return (1 - beta) * beta ** k


# ----------------------------------------------------------------------------- update rules

def gd_update(w, dw, state, alpha):
    """Plain gradient descent: w - alpha * dw. The state is passed through unchanged."""
    return w - alpha * dw, state


def momentum_update(w, dw, v, alpha, beta=0.9):
    """Gradient descent with momentum, in the course's form.

    w, dw, v: arrays of one shape (v starts at zeros and is kept across steps).
        v_new = beta * v + (1 - beta) * dw       an EWA of the gradients (the velocity)
        w_new = w - alpha * v_new
    torch.optim.SGD(lr=alpha * (1 - beta), momentum=beta) takes exactly these steps: its
    buffer is v / (1 - beta). Returns (w_new, v_new).
    """
    v = beta * v + (1 - beta) * dw
    return w - alpha * v, v


def rmsprop_update(w, dw, s, alpha, beta2=0.9, eps=1e-8):
    """RMSprop: divide each coordinate's step by the RMS of its recent gradients.

    w, dw, s: arrays of one shape (s starts at zeros and is kept across steps).
        s_new = beta2 * s + (1 - beta2) * dw**2   an EWA of the squared gradients
        w_new = w - alpha * dw / (sqrt(s_new) + eps)
    eps is *outside* the square root, as in torch.optim.RMSprop(lr=alpha, alpha=beta2,
    eps=eps). There is no bias correction: from s = 0 the first step is about
    alpha / sqrt(1 - beta2) per coordinate. Returns (w_new, s_new).
    """
    xp = array_namespace(w, dw, s)
    s = beta2 * s + (1 - beta2) * dw ** 2
    return w - alpha * dw / (xp.sqrt(s) + eps), s


def zeros_state(w):
    """The starting state of momentum and RMSprop: zeros with w's shape, dtype and device."""
    return array_namespace(w).zeros_like(w)


def run(update, grad, w0, n_steps, state=None, limit=1e6, **hyper):
    """Run an update rule for n_steps from w0 and return the trajectory.

    update: e.g. momentum_update; grad: function w -> dw; w0: (d,) starting point.
    state: the rule's starting state (default: zeros like w0); hyper: alpha, beta, ...
    Returns (n_steps + 1, d): row k is w after k steps. A diverging run stops moving once
    some |w_i| passes `limit` (the rest of the rows repeat that point), so it stays plottable.
    """
    xp = array_namespace(w0)
    state = zeros_state(w0) if state is None else state
    w, path = w0, [w0]
    for _ in range(n_steps):
        if float(xp.max(xp.abs(w))) <= limit:
            w, state = update(w, grad(w), state, **hyper)
        path.append(w)
    return xp.stack(path)                                   # (n_steps + 1, d)


# ----------------------------------------------------------------------------- test surface

def bowl_loss(w, kappa):
    """J(w) = (w1**2 / kappa + w2**2) / 2: an elongated bowl with condition number kappa.

    w: (2, ...) points as columns (a (2,) point, a (2, n) path, or a (2, H, W) grid).
    Returns (...). The curvature is 1/kappa along w1 and 1 along w2.
    """
    return 0.5 * (w[0] ** 2 / kappa + w[1] ** 2)


def bowl_grad(w, kappa):
    """The gradient of bowl_loss at a point w: (2,) -> (2,)."""
    xp = array_namespace(w)
    return xp.stack([w[0] / kappa, w[1]])


# ----------------------------------------------------------------------------- Adam (unit 18)

def adam_state(w):
    """Adam's starting state for an array w: (v, s, t) = (zeros like w, zeros like w, 0).

    t counts the updates taken so far; adam_update increments it before using it, so the
    first update runs with t = 1.
    """
    return zeros_state(w), zeros_state(w), 0


def adam_update(w, dw, state, alpha, beta1=0.9, beta2=0.999, eps=1e-8, bias_correction=True):
    """One Adam step: momentum's average of dw, RMSprop's average of dw**2, both bias-corrected.

    w, dw: arrays of one shape; state: (v, s, t) from adam_state or the previous call.
        t      = t + 1                              updates count from 1
        v      = beta1 * v + (1 - beta1) * dw       first moment (the velocity)
        s      = beta2 * s + (1 - beta2) * dw**2    second moment, element-wise
        v_hat  = v / (1 - beta1**t)                 bias corrections
        s_hat  = s / (1 - beta2**t)
        w_new  = w - alpha * v_hat / (sqrt(s_hat) + eps)
    eps is *outside* the square root, as in the Adam paper and torch.optim.Adam(lr=alpha,
    betas=(beta1, beta2), eps=eps), which takes exactly these steps. bias_correction=False
    uses v and s themselves (for the figures that show what the correction does).
    Returns (w_new, (v, s, t)).
    """
    xp = array_namespace(w, dw)
    v, s, t = state
    t = t + 1
    v = beta1 * v + (1 - beta1) * dw
    s = beta2 * s + (1 - beta2) * dw ** 2
    if bias_correction:
        v_hat, s_hat = v / (1 - beta1 ** t), s / (1 - beta2 ** t)
    else:
        v_hat, s_hat = v, s
    return w - alpha * v_hat / (xp.sqrt(s_hat) + eps), (v, s, t)


# ----------------------------------------------------------------------------- learning-rate decay (unit 19)
#
# Convention: `epoch` is the number of epochs completed before the one that uses the rate, so
# the first epoch is epoch 0 and runs with alpha0 (PyTorch's schedulers count the same way).
# Ng numbers epochs from 1; with his numbering, pass his epoch number and read the formula
# the same way. The rate changes once per epoch, not once per mini-batch update.

def inverse_time_decay(alpha0, epoch, decay_rate):
    """alpha0 / (1 + decay_rate * epoch): halves at epoch 1 / decay_rate, then keeps falling slowly.

    torch.optim.lr_scheduler.LambdaLR(opt, lambda e: 1 / (1 + decay_rate * e)).
    """
    return alpha0 / (1 + decay_rate * epoch)


def exponential_decay(alpha0, epoch, k):
    """alpha0 * k**epoch, with 0 < k < 1 the fraction of the rate kept each epoch (e.g. 0.95).

    torch.optim.lr_scheduler.ExponentialLR(opt, gamma=k).
    """
    return alpha0 * k ** epoch


def step_decay(alpha0, epoch, drop, interval):
    """alpha0 * drop**floor(epoch / interval): constant for `interval` epochs, then times `drop`.

    The first drop is at epoch = interval (epochs 0 .. interval-1 run with alpha0), as in
    torch.optim.lr_scheduler.StepLR(opt, step_size=interval, gamma=drop).
    """
    return alpha0 * drop ** (epoch // interval)
