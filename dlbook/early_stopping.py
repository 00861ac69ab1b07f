"""Early stopping with patience (unit 15): stop when the dev loss stops improving, keep the best.

    stopper = EarlyStopping(patience=5, min_delta=1e-3)
    for epoch in range(max_epochs):
        params = train_one_epoch(params)
        if stopper.step(dev_loss(params), params):
            break
    params = stopper.best_params            # the snapshot of the best epoch, not the last one

Epochs count from 0. An epoch *improves* when its loss is below best_loss - min_delta,
strictly: a gain of exactly min_delta does not count, and with min_delta = 0 a tie does not
either. After `patience` epochs in a row without an improvement, `step` returns True.
"""
import copy
import math


class EarlyStopping:
    """Track the best dev loss; say when `patience` epochs in a row brought no improvement."""

    def __init__(self, patience, min_delta=0.0):
        if patience < 1:
            raise ValueError(f"patience must be at least 1 epoch, got {patience}")
        self.patience, self.min_delta = patience, min_delta
        self.epoch = -1                # the epoch of the last step
        self.best_loss = math.inf
        self.best_epoch = None
        self.best_params = None
        self.counter = 0               # epochs since the last improvement

    def step(self, loss, params=None):
        """Record this epoch's dev loss (and parameters). Returns True when training should stop."""
        self.epoch += 1
        if loss < self.best_loss - self.min_delta:
            self.best_loss, self.best_epoch, self.counter = loss, self.epoch, 0
            self.best_params = copy.deepcopy(params)       # a snapshot: training keeps changing params
        else:
            self.counter += 1                              # a NaN loss lands here too
        return self.counter >= self.patience


def replay(dev_losses, patience, min_delta=0.0):
    """Run EarlyStopping over a recorded dev-loss curve. Returns (best_epoch, stop_epoch).

    stop_epoch is the epoch at which training stops, or the last epoch when patience never
    runs out.
    """
    stopper = EarlyStopping(patience, min_delta)
    for loss in dev_losses:
        if stopper.step(loss):
            break
    return stopper.best_epoch, stopper.epoch
