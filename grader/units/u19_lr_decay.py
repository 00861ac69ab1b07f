"""Unit 19 · Learning-rate decay.

Exercises: inverse_time_decay, exponential_decay, step_decay, iteration_learning_rates.
Oracles: PyTorch's schedulers on a dummy SGD optimizer, stepped once per epoch and read back
from param_groups[0]["lr"]: LambdaLR(lambda e: 1 / (1 + decay_rate * e)) for inverse time,
ExponentialLR(gamma=k), StepLR(step_size=interval, gamma=drop); for the per-iteration rates,
the usual training loop (read the rate at every mini-batch, scheduler.step() after each epoch).
Convention (PyTorch's): epochs count from 0, and epoch 0 runs with learning_rate0.
All functions take and return plain Python numbers (backend "python"), except
iteration_learning_rates, which returns a float64 NumPy array.
"""
import math

import numpy as np
import torch

from grader.core import Case, Exercise

SCHEDULERS = ("torch.optim.lr_scheduler.LambdaLR", "torch.optim.lr_scheduler.ExponentialLR",
              "torch.optim.lr_scheduler.StepLR", "torch.optim.lr_scheduler.MultiplicativeLR")


def _scheduled_lr(make_scheduler, lr0, epochs):
    """The learning rate of a dummy optimizer after `epochs` epochs of the scheduler."""
    param = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([param], lr=lr0)
    sched = make_scheduler(opt)
    for _ in range(epochs):
        opt.step()                   # an epoch's updates (no gradient: nothing moves)
        sched.step()                 # then the end of the epoch
    return float(opt.param_groups[0]["lr"])


# ----------------------------------------------------------------------------- inverse_time_decay

def _inverse_cases(rng):
    return [
        Case((0.2, 4, 1.0), "Ng's example: α₀ = 0.2, decay rate 1, epoch 4"),
        Case((0.2, 1, 1.0), "Ng's example, epoch 1"),
        Case((1.0, 0, 0.1), "epoch 0: the first epoch runs with α₀"),
        Case((0.5, 10, 0.1), "epoch 1/decay_rate = 10: half of α₀"),
        Case((1.0, 99, 0.1), "the notes' plot: α₀ = 1, decay rate 0.1, epoch 99"),
        Case((0.3, 7, 0.0), "decay rate 0: a constant rate"),
        Case((float(rng.uniform(0.01, 0.5)), int(rng.integers(20, 200)), float(rng.uniform(0.01, 0.3))),
             "random α₀, epoch and decay rate"),
    ]


def _inverse_oracle(learning_rate0, epoch, decay_rate):
    return _scheduled_lr(lambda opt: torch.optim.lr_scheduler.LambdaLR(opt, lambda e: 1 / (1 + decay_rate * e)),
                         learning_rate0, epoch)


def _inverse_epoch_plus_1(learning_rate0, epoch, decay_rate):
    return learning_rate0 / (1 + decay_rate * (epoch + 1))


def _inverse_precedence(learning_rate0, epoch, decay_rate):
    return learning_rate0 / 1 + decay_rate * epoch


def _inverse_compounded(learning_rate0, epoch, decay_rate):
    lr = learning_rate0
    for e in range(1, epoch + 1):
        lr = lr / (1 + decay_rate * e)          # divides the previous rate again every epoch
    return lr


def _inverse_geometric(learning_rate0, epoch, decay_rate):
    lr = learning_rate0
    for _ in range(epoch):
        lr = lr / (1 + decay_rate)
    return lr


INVERSE_TIME_DECAY = Exercise(
    name="inverse_time_decay",
    draw=_inverse_cases,
    oracle=_inverse_oracle,
    backends=("python",),
    forbidden=SCHEDULERS,
    wrong=[
        (_inverse_epoch_plus_1, "epoch counts from 0 and is used as given: at epoch 0 the rate is α₀; do not "
                                "add 1 to it (α₀ / (1 + k·epoch), not α₀ / (1 + k·(epoch + 1)))"),
        (_inverse_precedence, "put the denominator in parentheses: learning_rate0 / (1 + decay_rate * epoch); "
                              "without them Python computes learning_rate0 / 1 + decay_rate * epoch"),
        (_inverse_compounded, "compute the rate from α₀ and the epoch, α₀ / (1 + k·epoch), not by dividing the "
                              "previous epoch's rate again: that compounds the decay and falls far too fast"),
        (_inverse_geometric, "inverse-time decay divides α₀ by (1 + k·epoch) once; dividing the rate by (1 + k) "
                             "every epoch gives α₀ / (1 + k)^epoch, an exponential decay"),
    ],
    arg_names=("learning_rate0", "epoch", "decay_rate"),
)


# ----------------------------------------------------------------------------- exponential_decay

def _exponential_cases(rng):
    return [
        Case((0.5, 3, 0.9), "α₀ = 0.5, k = 0.9, epoch 3"),
        Case((1.0, 0, 0.95), "epoch 0: the first epoch runs with α₀"),
        Case((1.0, 99, 0.95), "the notes' plot: α₀ = 1, k = 0.95, epoch 99"),
        Case((0.1, 14, 0.95), "k = 0.95, epoch 14: just past the half-life of 13.5 epochs"),
        Case((0.02, 1, 0.5), "one epoch, k = 0.5"),
        Case((0.3, 40, 1.0), "k = 1: a constant rate"),
        Case((float(rng.uniform(0.01, 0.5)), int(rng.integers(20, 150)), float(rng.uniform(0.9, 0.99))),
             "random α₀, epoch and k"),
    ]


def _exponential_oracle(learning_rate0, epoch, k):
    return _scheduled_lr(lambda opt: torch.optim.lr_scheduler.ExponentialLR(opt, gamma=k), learning_rate0, epoch)


def _exponential_epoch_plus_1(learning_rate0, epoch, k):
    return learning_rate0 * k ** (epoch + 1)


def _exponential_one_minus_k(learning_rate0, epoch, k):
    return learning_rate0 * (1 - k) ** epoch


def _exponential_exp(learning_rate0, epoch, k):
    return learning_rate0 * math.exp(-k * epoch)


def _exponential_compounded(learning_rate0, epoch, k):
    lr = learning_rate0
    for e in range(1, epoch + 1):
        lr = lr * k ** e                        # multiplies the previous rate by k**epoch again
    return lr


EXPONENTIAL_DECAY = Exercise(
    name="exponential_decay",
    draw=_exponential_cases,
    oracle=_exponential_oracle,
    backends=("python",),
    forbidden=SCHEDULERS,
    wrong=[
        (_exponential_epoch_plus_1, "epoch counts from 0 and is used as given: at epoch 0 the rate is α₀ = α₀·k⁰; "
                                    "do not add 1 to it"),
        (_exponential_one_minus_k, "k is the fraction of the rate *kept* each epoch (0.95 keeps 95%): "
                                   "α₀·k^epoch, not α₀·(1 − k)^epoch"),
        (_exponential_exp, "this schedule is α₀·k^epoch with k the factor per epoch; α₀·e^(−k·epoch) is a "
                           "different parametrisation (its factor per epoch is e^(−k))"),
        (_exponential_compounded, "compute the rate from α₀ and the epoch, α₀·k^epoch; multiplying the previous "
                                  "epoch's rate by k^epoch again compounds the decay (k^(1 + 2 + ... + epoch))"),
    ],
    arg_names=("learning_rate0", "epoch", "k"),
)


# ----------------------------------------------------------------------------- step_decay

def _step_cases(rng):
    return [
        Case((0.1, 7, 0.1, 5), "drop 0.1 every 5 epochs, epoch 7: one drop so far"),
        Case((1.0, 9, 0.5, 10), "epoch = interval − 1 = 9: no drop yet"),
        Case((1.0, 10, 0.5, 10), "epoch = interval = 10: the first drop"),
        Case((1.0, 99, 0.5, 10), "the notes' plot: halve every 10 epochs, epoch 99"),
        Case((0.1, 0, 0.1, 5), "epoch 0: the first epoch runs with α₀"),
        Case((0.05, 45, 0.5, 20), "halve every 20 epochs, epoch 45"),
        Case((0.3, 3, 0.5, 1), "interval 1: a drop every epoch (exponential decay)"),
        Case((float(rng.uniform(0.01, 0.5)), int(rng.integers(30, 120)), 0.1, int(rng.integers(7, 30))),
             "random α₀, epoch and interval, drop 0.1"),
    ]


def _step_oracle(learning_rate0, epoch, drop, interval):
    return _scheduled_lr(lambda opt: torch.optim.lr_scheduler.StepLR(opt, step_size=interval, gamma=drop),
                         learning_rate0, epoch)


def _step_notes(learning_rate0, epoch, drop, interval):
    return learning_rate0 * drop ** math.floor((1 + epoch) / interval)


def _step_ceil(learning_rate0, epoch, drop, interval):
    return learning_rate0 * drop ** math.ceil(epoch / interval)


def _step_no_floor(learning_rate0, epoch, drop, interval):
    return learning_rate0 * drop ** (epoch / interval)


def _step_compounded(learning_rate0, epoch, drop, interval):
    lr = learning_rate0
    for e in range(1, epoch + 1):
        lr = lr * drop ** (e // interval)       # applies the whole staircase to the previous rate again
    return lr


STEP_DECAY = Exercise(
    name="step_decay",
    draw=_step_cases,
    oracle=_step_oracle,
    backends=("python",),
    forbidden=SCHEDULERS,
    wrong=[
        (_step_notes, "count the completed intervals with epoch // interval: the first drop comes at epoch = "
                      "interval, as in StepLR. The notes' floor((1 + epoch) / interval) drops one epoch early "
                      "(at epoch 9 for an interval of 10)"),
        (_step_ceil, "round down, not up: the rate drops when a whole interval is completed, "
                     "α₀·drop^⌊epoch/interval⌋ (with ceil it drops already at epoch 1)"),
        (_step_no_floor, "the staircase needs an integer exponent: epoch // interval. Without the floor "
                         "the rate decays smoothly, like exponential decay"),
        (_step_compounded, "compute the rate from α₀ and the epoch, α₀·drop^⌊epoch/interval⌋; multiplying the "
                           "previous epoch's rate by the drop factor again compounds the decay"),
    ],
    arg_names=("learning_rate0", "epoch", "drop", "interval"),
)


# ----------------------------------------------------------------------------- iteration_learning_rates

def _iteration_cases(rng):
    return [
        Case((0.2, 1.0, 4, 3), "4 epochs of 3 mini-batches, α₀ = 0.2, decay rate 1"),
        Case((0.05, 0.1, 10, 16), "10 epochs of 16 mini-batches"),
        Case((0.3, 2.0, 1, 7), "a single epoch: every update uses α₀"),
        Case((0.1, 0.5, 5, 1), "one mini-batch per epoch (batch gradient descent)"),
        Case((1.0, 0.0, 2, 5), "decay rate 0: a constant rate"),
        Case((float(rng.uniform(0.01, 0.5)), float(rng.uniform(0.05, 1.0)), int(rng.integers(3, 8)),
              int(rng.integers(2, 9))), "random α₀, decay rate and sizes"),
    ]


def _iteration_oracle(learning_rate0, decay_rate, n_epochs, batches_per_epoch):
    param = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([param], lr=learning_rate0)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda e: 1 / (1 + decay_rate * e))
    rates = []
    for epoch in range(n_epochs):
        for batch in range(batches_per_epoch):
            rates.append(opt.param_groups[0]["lr"])    # the rate this update uses
            opt.step()
        sched.step()                                   # once per epoch, after its updates
    return np.array(rates, dtype=np.float64)


def _rates(learning_rate0, decay_rate, n_epochs, batches_per_epoch, epoch_of):
    n = n_epochs * batches_per_epoch
    return np.array([learning_rate0 / (1 + decay_rate * epoch_of(i)) for i in range(n)], dtype=np.float64)


def _iteration_per_update(learning_rate0, decay_rate, n_epochs, batches_per_epoch):
    return _rates(learning_rate0, decay_rate, n_epochs, batches_per_epoch, lambda i: i)


def _iteration_epoch_plus_1(learning_rate0, decay_rate, n_epochs, batches_per_epoch):
    return _rates(learning_rate0, decay_rate, n_epochs, batches_per_epoch, lambda i: i // batches_per_epoch + 1)


def _iteration_fractional(learning_rate0, decay_rate, n_epochs, batches_per_epoch):
    return _rates(learning_rate0, decay_rate, n_epochs, batches_per_epoch, lambda i: i / batches_per_epoch)


def _iteration_modulo(learning_rate0, decay_rate, n_epochs, batches_per_epoch):
    return _rates(learning_rate0, decay_rate, n_epochs, batches_per_epoch, lambda i: i % batches_per_epoch)


ITERATION_LEARNING_RATES = Exercise(
    name="iteration_learning_rates",
    draw=_iteration_cases,
    oracle=_iteration_oracle,
    backends=("python",),
    forbidden=SCHEDULERS,
    wrong=[
        (_iteration_per_update, "the schedule is per epoch: every mini-batch of epoch e uses α₀ / (1 + k·e). "
                                "Plugging in the iteration count decays batches_per_epoch times too fast"),
        (_iteration_epoch_plus_1, "the first epoch is epoch 0 and runs with α₀: decay at the *end* of each epoch "
                                  "(in PyTorch, scheduler.step() after the epoch's optimizer.step() calls)"),
        (_iteration_fractional, "the epoch of update i is the whole number i // batches_per_epoch: the rate "
                                "stays constant within an epoch, not i / batches_per_epoch"),
        (_iteration_modulo, "the epoch of update i is i // batches_per_epoch (how many full epochs came "
                            "before); i % batches_per_epoch is the position inside the epoch"),
    ],
    arg_names=("learning_rate0", "decay_rate", "n_epochs", "batches_per_epoch"),
)

EXERCISES = {e.name: e for e in (INVERSE_TIME_DECAY, EXPONENTIAL_DECAY, STEP_DECAY, ITERATION_LEARNING_RATES)}
