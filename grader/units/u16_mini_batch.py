"""Unit 16 · Mini-batch gradient descent.

Exercises: num_mini_batches, random_mini_batches, minibatch_gd.
Oracles: counting batch starts in a loop; torch.split of the permuted columns (which yields the
same last, partial batch); torch.nn.Linear + BCEWithLogitsLoss + torch.optim.SGD stepped on
the same mini-batches, the permutations drawn from an independent copy of the generator.
Layout: examples are columns, X (n_x, m), Y (n_y, m); a mini-batch is a set of columns.
"""
import math

import numpy as np
import torch

from grader.core import Case, Exercise


def _gen(rng):
    return np.random.default_rng(int(rng.integers(1 << 31)))


# ----------------------------------------------------------------------------- num_mini_batches

def _count_cases(rng):
    return [
        Case((148, 64), "m = 148, b = 64: two full batches and one of 20"),
        Case((1000, 100), "m = 1000, b = 100: the notes' 10 iterations per epoch"),
        Case((5_000_000, 1000), "the lecture's m = 5,000,000 with b = 1000"),
        Case((65, 64), "m = 65, b = 64: a last batch of one example"),
        Case((64, 64), "b = m: batch gradient descent, one batch"),
        Case((7, 10), "b > m: one batch of all 7 examples"),
        Case((10, 1), "b = 1: stochastic gradient descent, one batch per example"),
    ]


def _count_oracle(m, mini_batch_size):
    count, start = 0, 0
    while start < m:                   # one batch starts at 0, b, 2b, ... while examples remain
        count += 1
        start += mini_batch_size
    return count


def _count_floor(m, mini_batch_size):
    return m // mini_batch_size


def _count_plus_one(m, mini_batch_size):
    return m // mini_batch_size + 1


def _count_division(m, mini_batch_size):
    return m / mini_batch_size


def _count_float(m, mini_batch_size):
    return float(np.ceil(m / mini_batch_size))


NUM_MINI_BATCHES = Exercise(
    name="num_mini_batches",
    draw=_count_cases,
    oracle=_count_oracle,
    backends=("python",),
    wrong=[
        (_count_division, "a number of batches is a whole number: round m / b up, ceil(m / b), and return "
                          "it as a Python int"),
        (_count_float, "return a Python int (math.ceil(m / b) is one); np.ceil returns a float"),
        (_count_floor, "the last, partial mini-batch counts too: ceil(m / b); m // b drops it"),
        (_count_plus_one, "when b divides m there is no partial batch: ceil(m / b), not m // b + 1"),
    ],
    arg_names=("m", "mini_batch_size"),
)


# ----------------------------------------------------------------------------- random_mini_batches

def _columns(n_x, m):
    """X whose column j is (j, 1000 + j, 2000 + j, ...): a column says where it came from."""
    return (np.arange(m)[None, :] + 1000.0 * np.arange(n_x)[:, None]).astype(float)


def _one_hot(rng, C, m):
    Y = np.zeros((C, m))
    Y[rng.integers(0, C, m), np.arange(m)] = 1.0
    return Y


def _batch_cases(rng):
    return [
        Case((_columns(3, 10), np.arange(10.0)[None, :], 4, rng.permutation(10)),
             "X (3, 10): column j is (j, 1000 + j, 2000 + j), Y = j; b = 4: batches of 4, 4 and 2"),
        Case((rng.normal(size=(12, 148)), (rng.random((1, 148)) < 0.5).astype(float), 64, rng.permutation(148)),
             "the notes' X (12, 148), b = 64: (12, 64), (12, 64), (12, 20)"),
        Case((rng.normal(size=(4, 50)), _one_hot(rng, 3, 50), 16, rng.permutation(50)),
             "one-hot labels Y (3, 50), b = 16 (the notes' reshape to (1, m) fails here)"),
        Case((_columns(2, 32), np.arange(32.0)[None, :], 8, rng.permutation(32)),
             "b = 8 divides m = 32: exactly 4 batches, no empty one"),
        Case((rng.normal(size=(2, 5)), rng.normal(size=(1, 5)), 8, rng.permutation(5)),
             "b = 8 > m = 5: a single batch of 5"),
        Case((rng.normal(size=(3, 5)), np.arange(5.0)[None, :], 1, rng.permutation(5)),
             "b = 1: five batches of one column each"),
        Case((rng.normal(size=(6, 3)), np.arange(3.0)[None, :], 2, rng.permutation(3)),
             "more features than examples: X (6, 3), b = 2"),
        Case((rng.normal(size=(3, 20)).astype(np.float32), np.ones((1, 20), dtype=np.float32), 6,
              rng.permutation(20)), "float32 data stays float32", dtype=np.float32),
    ]


def _batch_oracle(X, Y, mini_batch_size, permutation):
    perm = torch.from_numpy(permutation)
    Xs = torch.split(torch.from_numpy(X)[:, perm], mini_batch_size, dim=1)
    Ys = torch.split(torch.from_numpy(Y)[:, perm], mini_batch_size, dim=1)
    return tuple((x.numpy().copy(), y.numpy().copy()) for x, y in zip(Xs, Ys))


def _batches(Xs, Ys, b, n_batches):
    return [(Xs[:, k * b:(k + 1) * b], Ys[:, k * b:(k + 1) * b]) for k in range(n_batches)]


def _mb_rows(X, Y, mini_batch_size, permutation):
    Xs, Ys = X[:, permutation], Y[:, permutation]
    b = mini_batch_size
    return [(Xs[k * b:(k + 1) * b, :], Ys[k * b:(k + 1) * b, :]) for k in range(math.ceil(X.shape[1] / b))]


def _mb_drop_last(X, Y, mini_batch_size, permutation):
    return _batches(X[:, permutation], Y[:, permutation], mini_batch_size, X.shape[1] // mini_batch_size)


def _mb_extra(X, Y, mini_batch_size, permutation):
    return _batches(X[:, permutation], Y[:, permutation], mini_batch_size, X.shape[1] // mini_batch_size + 1)


def _mb_y_unshuffled(X, Y, mini_batch_size, permutation):
    return _batches(X[:, permutation], Y, mini_batch_size, math.ceil(X.shape[1] / mini_batch_size))


def _mb_inverse(X, Y, mini_batch_size, permutation):
    inv = np.argsort(permutation)
    return _batches(X[:, inv], Y[:, inv], mini_batch_size, math.ceil(X.shape[1] / mini_batch_size))


def _mb_no_shuffle(X, Y, mini_batch_size, permutation):
    return _batches(X, Y, mini_batch_size, math.ceil(X.shape[1] / mini_batch_size))


RANDOM_MINI_BATCHES = Exercise(
    name="random_mini_batches",
    draw=_batch_cases,
    oracle=_batch_oracle,
    forbidden=("torch.split", "numpy.array_split", "numpy.split"),
    wrong=[
        (_mb_rows, "a mini-batch is a set of *columns* (examples): slice X[:, k*b:(k+1)*b], not rows X[k*b:(k+1)*b]"),
        (_mb_y_unshuffled, "shuffle Y with the same permutation as X, Y[:, permutation]; otherwise the labels "
                           "no longer belong to their examples"),
        (_mb_inverse, "column k of the shuffled data is column permutation[k] of the data: X[:, permutation] "
                      "(not the inverse permutation)"),
        (_mb_no_shuffle, "apply the permutation before you cut: X[:, permutation], Y[:, permutation]"),
        (_mb_drop_last, "keep the last, partial mini-batch: when b does not divide m there are ceil(m / b) "
                        "batches and the last one has m − b·floor(m / b) columns"),
        (_mb_extra, "when b divides m there is no partial batch: ceil(m / b) batches, with no empty "
                    "(n_x, 0) batch at the end"),
    ],
    arg_names=("X", "Y", "mini_batch_size", "permutation"),
)


# ----------------------------------------------------------------------------- minibatch_gd

def _blobs(rng, n_x, m, dtype=np.float64):
    y = (np.arange(m) % 2).astype(float)
    X = rng.normal(size=(n_x, m)) + 1.5 * (2 * y - 1)          # two overlapping clouds
    return X.astype(dtype), y[None, :].astype(dtype)


def _gd_cases(rng):
    return [
        Case((*_blobs(rng, 2, 20), 8, 0.5, 3, _gen(rng)),
             "m = 20, b = 8 (batches of 8, 8, 4), 3 epochs: a new permutation every epoch"),
        Case((*_blobs(rng, 3, 16), 16, 0.3, 4, _gen(rng)), "b = m: batch gradient descent, 4 epochs"),
        Case((*_blobs(rng, 2, 6), 1, 0.1, 2, _gen(rng)), "b = 1: stochastic gradient descent, 2 epochs"),
        Case((*_blobs(rng, 4, 37), 16, 1.0, 2, _gen(rng)), "n_x = 4, m = 37, b = 16: a last batch of 5"),
        Case((*_blobs(rng, 2, 32), 8, 0.5, 1, _gen(rng)), "b = 8 divides m = 32, one epoch"),
        Case((*_blobs(rng, 2, 24, np.float32), 10, 0.5, 2, _gen(rng)), "float32 data stays float32",
             dtype=np.float32),
    ]


def _gd_oracle(X, Y, mini_batch_size, learning_rate, num_epochs, rng):
    n_x, m = X.shape
    model = torch.nn.Linear(n_x, 1, dtype=torch.float64)
    torch.nn.init.zeros_(model.weight)
    torch.nn.init.zeros_(model.bias)
    opt = torch.optim.SGD(model.parameters(), lr=learning_rate)
    loss_fn = torch.nn.BCEWithLogitsLoss()                     # the mean cross-entropy of the batch
    Xt, Yt = torch.from_numpy(X).T, torch.from_numpy(Y).T      # batch-first: (m, n_x), (m, 1)
    costs = []
    for _ in range(num_epochs):
        for idx in torch.split(torch.from_numpy(rng.permutation(m)), mini_batch_size):
            loss = loss_fn(model(Xt[idx]), Yt[idx])
            costs.append(loss.item())
            opt.zero_grad()
            loss.backward()
            opt.step()
    w = model.weight.detach().T.numpy().copy()                 # (n_x, 1)
    return w, float(model.bias.item()), tuple(costs)


def _gd_loop(X, Y, mini_batch_size, learning_rate, num_epochs, rng, *, perms="each", divide="batch",
             record="batch", last=True):
    n_x, m = X.shape
    w, b, costs = np.zeros((n_x, 1), dtype=X.dtype), 0.0, []
    once = rng.permutation(m) if perms == "once" else None
    for _ in range(num_epochs):
        perm = {"each": lambda: rng.permutation(m), "once": lambda: once, "none": lambda: np.arange(m)}[perms]()
        n = m // mini_batch_size if not last else math.ceil(m / mini_batch_size)
        for k in range(n):
            idx = perm[k * mini_batch_size:(k + 1) * mini_batch_size]
            X_t, Y_t = X[:, idx], Y[:, idx]
            A = 1 / (1 + np.exp(-(w.T @ X_t + b)))
            cost = float(-np.mean(Y_t * np.log(A) + (1 - Y_t) * np.log(1 - A)))
            denom = {"batch": X_t.shape[1], "size": mini_batch_size, "m": m}[divide]
            dZ = A - Y_t
            w, b = w - learning_rate * (X_t @ dZ.T) / denom, b - learning_rate * float(np.sum(dZ)) / denom
            if record == "full":
                A = 1 / (1 + np.exp(-(w.T @ X + b)))
                cost = float(-np.mean(Y * np.log(A) + (1 - Y) * np.log(1 - A)))
            elif record == "after":
                A = 1 / (1 + np.exp(-(w.T @ X_t + b)))
                cost = float(-np.mean(Y_t * np.log(A) + (1 - Y_t) * np.log(1 - A)))
            costs.append(cost)
    return w, b, costs


def _gd_once(X, Y, mini_batch_size, learning_rate, num_epochs, rng):
    return _gd_loop(X, Y, mini_batch_size, learning_rate, num_epochs, rng, perms="once")


def _gd_no_shuffle(X, Y, mini_batch_size, learning_rate, num_epochs, rng):
    return _gd_loop(X, Y, mini_batch_size, learning_rate, num_epochs, rng, perms="none")


def _gd_divide_size(X, Y, mini_batch_size, learning_rate, num_epochs, rng):
    return _gd_loop(X, Y, mini_batch_size, learning_rate, num_epochs, rng, divide="size")


def _gd_divide_m(X, Y, mini_batch_size, learning_rate, num_epochs, rng):
    return _gd_loop(X, Y, mini_batch_size, learning_rate, num_epochs, rng, divide="m")


def _gd_full_cost(X, Y, mini_batch_size, learning_rate, num_epochs, rng):
    return _gd_loop(X, Y, mini_batch_size, learning_rate, num_epochs, rng, record="full")


def _gd_cost_after(X, Y, mini_batch_size, learning_rate, num_epochs, rng):
    return _gd_loop(X, Y, mini_batch_size, learning_rate, num_epochs, rng, record="after")


def _gd_drop_last(X, Y, mini_batch_size, learning_rate, num_epochs, rng):
    return _gd_loop(X, Y, mini_batch_size, learning_rate, num_epochs, rng, last=False)


MINIBATCH_GD = Exercise(
    name="minibatch_gd",
    draw=_gd_cases,
    oracle=_gd_oracle,
    rtol=1e-9,
    forbidden=("torch.optim.SGD", "torch.optim.SGD.step", "torch.autograd.backward", "torch.Tensor.backward"),
    wrong=[
        (_gd_full_cost, "record the cost of the mini-batch you step on (before the step), not the cost of "
                        "the whole training set: that is what mini-batch training computes and logs"),
        (_gd_cost_after, "record each mini-batch's cost before its update, from the same forward pass that "
                         "gives the gradients"),
        (_gd_once, "draw a new permutation at the start of *every* epoch (rng.permutation(m) inside the "
                   "epoch loop): the same order every epoch is what the notes' fixed seed does"),
        (_gd_no_shuffle, "shuffle: each epoch starts with permutation = rng.permutation(m), and the "
                         "mini-batches are cut from the shuffled columns"),
        (_gd_drop_last, "keep the last, partial mini-batch: every example is used once per epoch, "
                        "ceil(m / b) steps"),
        (_gd_divide_size, "the last mini-batch is smaller: average its cost and gradients over its own "
                          "X_t.shape[1] columns, not over mini_batch_size"),
        (_gd_divide_m, "the mini-batch cost is the mean over the batch's examples: divide by the batch's "
                       "number of columns, not by m"),
    ],
    arg_names=("X", "Y", "mini_batch_size", "learning_rate", "num_epochs", "rng"),
    returns=("w", "b", "costs"),
)

EXERCISES = {e.name: e for e in (NUM_MINI_BATCHES, RANDOM_MINI_BATCHES, MINIBATCH_GD)}
