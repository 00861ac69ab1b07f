"""Unit 03 · Gradient descent.

Exercises: update_parameters, gd_quadratic, optimize, predict, model.
Oracles: torch.optim.SGD stepped on the same parameters, with the gradients set by hand
(update_parameters) or by autograd of the quadratic (gd_quadratic) or of
F.binary_cross_entropy_with_logits (optimize, model); (torch.sigmoid(z) > 0.5) for predict.
Layout: X (n_x, m), Y (1, m), w (n_x, 1), b a float; a quadratic's point w (n, 1).
"""

import numpy as np
import torch
import torch.nn.functional as F

from grader.core import Case, Exercise, one_torch_thread

# The chapter's 2-D bowl: curvatures 2 and 0.2 along axes turned by 30 degrees.
_R = np.array([[np.cos(np.pi / 6), -np.sin(np.pi / 6)], [np.sin(np.pi / 6), np.cos(np.pi / 6)]])
BOWL_H = _R @ np.diag([2.0, 0.2]) @ _R.T
BOWL_C = np.array([[1.0], [0.5]])

AUTOGRAD = ("torch.Tensor.backward", "torch.autograd.grad", "torch.autograd.backward")
NO_OPTIM = ("torch.optim.SGD", "torch.optim.Adam") + AUTOGRAD
NO_COST = ("torch.nn.functional.binary_cross_entropy_with_logits", "torch.nn.functional.binary_cross_entropy")


def _t(a):
    return torch.from_numpy(np.asarray(a, dtype=np.float64))


def _labels(rng, m, p=0.5):
    return (rng.random((1, m)) < p).astype(float)


def _sig(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def _sgd_logistic(w, b, X, Y, num_iterations, learning_rate, record_every):
    """The reference training loop: torch's SGD on torch's cost, cost recorded before each step."""
    with one_torch_thread():
        return _sgd_logistic_steps(w, b, X, Y, num_iterations, learning_rate, record_every)


def _sgd_logistic_steps(w, b, X, Y, num_iterations, learning_rate, record_every):
    wt = torch.tensor(w, dtype=torch.float64, requires_grad=True)
    bt = torch.tensor(float(b), dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([wt, bt], lr=learning_rate)
    Xt, Yt = _t(X), _t(Y)
    costs = []
    for i in range(num_iterations):
        opt.zero_grad()
        cost = F.binary_cross_entropy_with_logits(wt.T @ Xt + bt, Yt)
        if i % record_every == 0:
            costs.append(float(cost.detach()))
        cost.backward()
        opt.step()
    return wt.detach().numpy(), float(bt.detach()), costs


# ----------------------------------------------------------------------------- update_parameters

def _update_cases(rng):
    return [
        Case((np.array([[0.1], [-0.1]]), 0.0, np.array([[-1.148885], [-2.872213]]), -0.574443, 0.1),
             "unit 01's worked example, alpha = 0.1"),
        Case((rng.normal(size=(4, 1)), 0.7, rng.normal(size=(4, 1)), -0.2, 0.05), "random n_x = 4, alpha = 0.05"),
        Case((rng.normal(size=(1, 1)), -1.5, rng.normal(size=(1, 1)), 0.9, 2.0), "one weight, alpha = 2"),
        Case((rng.normal(size=(6, 1)), 0.0, np.zeros((6, 1)), 0.0, 0.3), "zero gradient: nothing moves"),
        Case((rng.normal(size=(3, 1)).astype(np.float32), 0.25, rng.normal(size=(3, 1)).astype(np.float32), 0.5, 0.1),
             "float32 inputs", dtype=np.float32),
    ]


def _update_oracle(w, b, dw, db, learning_rate):
    wt = torch.tensor(w, requires_grad=True)
    bt = torch.tensor(float(b), dtype=torch.float64, requires_grad=True)
    wt.grad, bt.grad = _t(dw), torch.tensor(float(db), dtype=torch.float64)
    torch.optim.SGD([wt, bt], lr=learning_rate).step()
    return wt.detach().numpy(), float(bt.detach())


def _update_ascent(w, b, dw, db, learning_rate):
    return w + learning_rate * dw, b + learning_rate * db


def _update_no_alpha(w, b, dw, db, learning_rate):
    return w - dw, b - db


def _update_divide(w, b, dw, db, learning_rate):
    return w - dw / learning_rate, b - db / learning_rate


def _update_w_only(w, b, dw, db, learning_rate):
    return w - learning_rate * dw, b


UPDATE_PARAMETERS = Exercise(
    name="update_parameters",
    draw=_update_cases,
    oracle=_update_oracle,
    forbidden=NO_OPTIM,
    wrong=[
        (_update_ascent, "gradient *descent* subtracts: w - learning_rate * dw (adding climbs the cost)"),
        (_update_no_alpha, "multiply the gradients by the learning rate"),
        (_update_divide, "the step is learning_rate * dw: multiply by the learning rate, do not divide"),
        (_update_w_only, "update the bias too: b - learning_rate * db"),
    ],
    arg_names=("w", "b", "dw", "db", "learning_rate"),
    returns=("w", "b"),
)


# ----------------------------------------------------------------------------- gd_quadratic

def _quadratic_cases(rng):
    A = rng.normal(size=(3, 3))
    H3 = A @ A.T / 3 + 0.1 * np.eye(3)
    return [
        Case((np.array([[0.0]]), np.array([[2.0]]), np.array([[3.0]]), 0.1, 20),
             "J = (w - 3)^2 from w0 = 0, alpha = 0.1: w20 = 2.965"),
        Case((np.array([[0.0]]), np.array([[2.0]]), np.array([[3.0]]), 1.1, 20),
             "the same bowl, alpha = 1.1: divergence, w20 = -112"),
        Case((np.array([[-2.0], [2.0]]), BOWL_H.copy(), BOWL_C.copy(), 0.7, 15),
             "the chapter's 2-D bowl, alpha = 0.7: zig-zag"),
        Case((rng.normal(size=(3, 1)), H3, rng.normal(size=(3, 1)), 0.3, 8), "random 3-D bowl"),
        Case((np.array([[4.0]]), np.array([[2.0]]), np.array([[3.0]]), 0.25, 0), "num_steps = 0: just w0"),
        Case((np.array([[-2.0], [2.0]], dtype=np.float32), BOWL_H.astype(np.float32), BOWL_C.astype(np.float32),
              0.3, 10), "float32 inputs", dtype=np.float32),
    ]


def _quadratic_oracle(w0, H, c, alpha, num_steps):
    with one_torch_thread():
        return _quadratic_steps(w0, H, c, alpha, num_steps)


def _quadratic_steps(w0, H, c, alpha, num_steps):
    w = torch.tensor(w0, requires_grad=True)
    opt = torch.optim.SGD([w], lr=alpha)
    Ht, ct = _t(H), _t(c)
    path = [w.detach().clone()]
    for _ in range(num_steps):
        opt.zero_grad()
        (0.5 * (w - ct).T @ Ht @ (w - ct)).sum().backward()
        opt.step()
        path.append(w.detach().clone())
    return torch.cat(path, dim=1).numpy()                  # (n, num_steps + 1)


def _quadratic_loop(w0, H, c, alpha, num_steps, grad, keep_start=True):
    w, cols = w0, [w0] if keep_start else []
    for _ in range(num_steps):
        w = w - alpha * grad(w, H, c)
        cols.append(w)
    return np.concatenate(cols, axis=1) if cols else np.zeros((w0.shape[0], 0), dtype=w0.dtype)


def _quadratic_ascent(w0, H, c, alpha, num_steps):
    return _quadratic_loop(w0, H, c, -alpha, num_steps, lambda w, H, c: H @ (w - c))


def _quadratic_double(w0, H, c, alpha, num_steps):
    return _quadratic_loop(w0, H, c, alpha, num_steps, lambda w, H, c: 2 * H @ (w - c))


def _quadratic_no_start(w0, H, c, alpha, num_steps):
    return _quadratic_loop(w0, H, c, alpha, num_steps, lambda w, H, c: H @ (w - c), keep_start=False)


def _quadratic_no_H(w0, H, c, alpha, num_steps):
    return _quadratic_loop(w0, H, c, alpha, num_steps, lambda w, H, c: w - c)


GD_QUADRATIC = Exercise(
    name="gd_quadratic",
    draw=_quadratic_cases,
    oracle=_quadratic_oracle,
    rtol=1e-9,
    forbidden=NO_OPTIM,
    wrong=[
        (_quadratic_ascent, "step *against* the gradient: w = w - alpha * H @ (w - c)"),
        (_quadratic_double, "the gradient of (1/2)(w - c)ᵀH(w - c) is H @ (w - c): the 1/2 cancels the 2"),
        (_quadratic_no_start, "the path starts with w0 itself: num_steps + 1 columns, w0 first"),
        (_quadratic_no_H, "the gradient is H @ (w - c): the curvature matrix H scales each direction"),
    ],
    arg_names=("w0", "H", "c", "alpha", "num_steps"),
)


# ----------------------------------------------------------------------------- optimize

def _optimize_cases(rng):
    X = rng.normal(size=(2, 20))
    Y = (X[0:1] + 0.5 * X[1:2] + 0.7 * rng.normal(size=(1, 20)) > 0).astype(float)
    return [
        Case((np.zeros((2, 1)), 0.0, X, Y, 50, 0.5, 10), "20 examples from zeros, 50 iterations, cost every 10"),
        Case((rng.normal(size=(3, 1)), 0.3, rng.normal(size=(3, 7)), _labels(rng, 7), 25, 0.1, 10),
             "25 iterations: costs at 0, 10 and 20"),
        Case((np.array([[0.1], [-0.1]]), 0.0, np.array([[2.0], [5.0]]), np.array([[1.0]]), 1, 0.1, 100),
             "unit 01's student, one iteration"),
        Case((rng.normal(size=(2, 1)), -0.2, rng.normal(size=(2, 9)), _labels(rng, 9), 6, 1.0, 1),
             "record_every = 1: a cost for every iteration"),
        Case((np.zeros((2, 1), dtype=np.float32), 0.0, X.astype(np.float32), Y.astype(np.float32), 10, 0.5, 5),
             "float32 inputs", dtype=np.float32),
    ]


def _optimize_oracle(w, b, X, Y, num_iterations, learning_rate, record_every=100):
    w, b, costs = _sgd_logistic(w, b, X, Y, num_iterations, learning_rate, record_every)
    return {"w": w, "b": b}, tuple(costs)


def _np_step(w, b, X, Y, learning_rate):
    m = X.shape[1]
    Z = w.T @ X + b
    A = _sig(Z)
    cost = float(np.mean(np.maximum(Z, 0) + np.log1p(np.exp(-np.abs(Z))) - Y * Z))
    dZ = A - Y
    return w - learning_rate * (X @ dZ.T / m), b - learning_rate * float(np.sum(dZ) / m), cost


def _optimize_loop(w, b, X, Y, num_iterations, learning_rate, record_every, when="before", every=None,
                   sign=1.0, carry=True):
    w0, b0, costs = w, b, []
    for i in range(num_iterations):
        w_new, b_new, cost = _np_step(w if carry else w0, b if carry else b0, X, Y, sign * learning_rate)
        if when == "after":
            cost = _np_step(w_new, b_new, X, Y, 0.0)[2]
        if i % (every or record_every) == 0:
            costs.append(cost)
        w, b = w_new, b_new
    return {"w": w, "b": b}, costs


def _optimize_cost_after(w, b, X, Y, num_iterations, learning_rate, record_every=100):
    return _optimize_loop(w, b, X, Y, num_iterations, learning_rate, record_every, when="after")


def _optimize_every(w, b, X, Y, num_iterations, learning_rate, record_every=100):
    return _optimize_loop(w, b, X, Y, num_iterations, learning_rate, record_every, every=1)


def _optimize_ascent(w, b, X, Y, num_iterations, learning_rate, record_every=100):
    return _optimize_loop(w, b, X, Y, num_iterations, learning_rate, record_every, sign=-1.0)


def _optimize_no_carry(w, b, X, Y, num_iterations, learning_rate, record_every=100):
    return _optimize_loop(w, b, X, Y, num_iterations, learning_rate, record_every, carry=False)


OPTIMIZE = Exercise(
    name="optimize",
    draw=_optimize_cases,
    oracle=_optimize_oracle,
    rtol=1e-9,
    forbidden=NO_OPTIM + NO_COST,
    wrong=[
        (_optimize_no_carry, "each iteration must start from the parameters the previous one produced: "
                             "assign the result, w, b = update_parameters(w, b, ...)"),
        (_optimize_cost_after, "record the cost of the parameters *before* the update of iteration i "
                               "(the first recorded cost is the cost of the starting point)"),
        (_optimize_every, "record the cost only when i % record_every == 0"),
        (_optimize_ascent, "gradient *descent* subtracts the gradient: the cost must go down"),
    ],
    arg_names=("w", "b", "X", "Y", "num_iterations", "learning_rate", "record_every"),
    returns=("params", "costs"),
)


# ----------------------------------------------------------------------------- predict

def _predict_cases(rng):
    return [
        Case((rng.normal(size=(3, 1)), 0.2, rng.normal(size=(3, 10))), "random n_x = 3, m = 10"),
        Case((np.array([[1.0], [-2.0]]), 0.0, np.array([[0.0, 2.0, 1.0, -1.0], [0.0, 1.0, 1.0, 0.0]])),
             "the first example has score exactly 0: a = 0.5 is predicted as 0"),
        Case((np.array([[1.0]]), 0.0, np.array([[-1000.0, 1000.0, -0.3, 0.7]])), "extreme scores: no overflow"),
        Case((rng.normal(size=(2, 1)), -0.1, rng.normal(size=(2, 1))), "one example (m = 1)"),
        Case((rng.normal(size=(4, 1)).astype(np.float32), 0.3, rng.normal(size=(4, 6)).astype(np.float32)),
             "float32 inputs: float32 predictions", dtype=np.float32),
    ]


def _predict_oracle(w, b, X):
    return (torch.sigmoid(_t(w).T @ _t(X) + b) > 0.5).to(torch.float64).numpy()


def _predict_bool(w, b, X):
    return _sig(w.T @ X + b) > 0.5


def _predict_ge(w, b, X):
    return (_sig(w.T @ X + b) >= 0.5).astype(X.dtype)


def _predict_proba(w, b, X):
    return _sig(w.T @ X + b).astype(X.dtype)


def _predict_score_half(w, b, X):
    return (w.T @ X + b > 0.5).astype(X.dtype)


PREDICT_FP_HINT = ("1 / (1 + exp(-z)) overflows for very negative z: use the stable sigmoid from dlbook.activations, "
                   "or compare the score itself with 0 (a > 0.5 exactly when z > 0)")

PREDICT = Exercise(
    name="predict",
    draw=_predict_cases,
    oracle=_predict_oracle,
    strict_fp=True,
    fp_hint=PREDICT_FP_HINT,
    forbidden=("dlbook.logistic.predict",),
    wrong=[
        (_predict_bool, "return numbers 0.0 and 1.0 in X's dtype, not booleans: xp.astype(A > 0.5, X.dtype)"),
        (_predict_ge, "predict 1 only when a > 0.5 (strictly): a score of exactly 0 gives a = 0.5 and class 0"),
        (_predict_proba, "return the class (0.0 or 1.0), not the probability a"),
        (_predict_score_half, "the threshold 0.5 is for the probability a = sigmoid(z), not for the score z"),
    ],
    arg_names=("w", "b", "X"),
)


# ----------------------------------------------------------------------------- model

def _blobs(rng, m, shift):
    y = (np.arange(m) % 2).astype(float)
    X = np.where(y == 1, 1.0, -1.0) * shift + rng.normal(size=(2, m))
    return X, y[None, :]


def _model_cases(rng):
    Xtr, Ytr = _blobs(rng, 40, 1.0)
    Xte, Yte = _blobs(rng, 15, 1.0)
    Xtr2, Ytr2 = _blobs(rng, 12, 0.3)
    Xte2, Yte2 = _blobs(rng, 9, 0.3)
    return [
        Case((Xtr, Ytr, Xte, Yte, 300, 0.5), "two blobs: 40 training and 15 test examples, 300 iterations"),
        Case((Xtr2, Ytr2, Xte2, Yte2, 150, 0.1), "overlapping blobs, 150 iterations"),
        Case((Xtr2[:, :1], Ytr2[:, :1], Xte2, Yte2, 1, 1.0), "one training example, one iteration"),
        Case((Xtr.astype(np.float32), Ytr.astype(np.float32), Xte.astype(np.float32), Yte.astype(np.float32),
              100, 0.5), "float32 inputs", dtype=np.float32),
    ]


def _model_oracle(X_train, Y_train, X_test, Y_test, num_iterations, learning_rate):
    w, b, costs = _sgd_logistic(np.zeros((X_train.shape[0], 1)), 0.0, X_train, Y_train, num_iterations,
                                learning_rate, 100)
    acc = lambda X, Y: float(np.mean(_predict_oracle(w, b, X) == Y))
    return {"w": w, "b": b, "costs": tuple(costs),
            "train_accuracy": acc(X_train, Y_train), "test_accuracy": acc(X_test, Y_test)}


def _model_parts(X_train, Y_train, num_iterations, learning_rate):
    params, costs = _optimize_loop(np.zeros((X_train.shape[0], 1), dtype=X_train.dtype), 0.0, X_train, Y_train,
                                   num_iterations, learning_rate, 100)
    return params["w"], params["b"], costs


def _model_with(X_train, Y_train, X_test, Y_test, num_iterations, learning_rate, accuracy):
    w, b, costs = _model_parts(X_train, Y_train, num_iterations, learning_rate)
    correct = lambda X, Y: (_sig(w.T @ X + b) > 0.5) == Y
    return {"w": w, "b": b, "costs": costs, "train_accuracy": accuracy(correct(X_train, Y_train)),
            "test_accuracy": accuracy(correct(X_test, Y_test))}


def _model_swapped(X_train, Y_train, X_test, Y_test, num_iterations, learning_rate):
    out = _model_with(X_train, Y_train, X_test, Y_test, num_iterations, learning_rate, lambda c: float(np.mean(c)))
    out["train_accuracy"], out["test_accuracy"] = out["test_accuracy"], out["train_accuracy"]
    return out


def _model_percent(X_train, Y_train, X_test, Y_test, num_iterations, learning_rate):
    return _model_with(X_train, Y_train, X_test, Y_test, num_iterations, learning_rate,
                       lambda c: float(100 * np.mean(c)))


def _model_error_rate(X_train, Y_train, X_test, Y_test, num_iterations, learning_rate):
    return _model_with(X_train, Y_train, X_test, Y_test, num_iterations, learning_rate,
                       lambda c: float(1 - np.mean(c)))


def _model_count(X_train, Y_train, X_test, Y_test, num_iterations, learning_rate):
    return _model_with(X_train, Y_train, X_test, Y_test, num_iterations, learning_rate,
                       lambda c: float(np.sum(c)))


MODEL = Exercise(
    name="model",
    draw=_model_cases,
    oracle=_model_oracle,
    rtol=1e-9,
    forbidden=NO_OPTIM + NO_COST + ("dlbook.logistic.train", "dlbook.logistic.predict"),
    wrong=[
        (_model_swapped, "train_accuracy is measured on (X_train, Y_train) and test_accuracy on (X_test, Y_test)"),
        (_model_percent, "report accuracy as a fraction between 0 and 1, not a percentage"),
        (_model_error_rate, "accuracy is the fraction of correct predictions, mean(predictions == Y), not the error rate"),
        (_model_count, "accuracy is the *fraction* of correct predictions: a mean, not a count"),
    ],
    arg_names=("X_train", "Y_train", "X_test", "Y_test", "num_iterations", "learning_rate"),
)

EXERCISES = {e.name: e for e in (UPDATE_PARAMETERS, GD_QUADRATIC, OPTIMIZE, PREDICT, MODEL)}
