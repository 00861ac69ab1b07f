"""L2 regularization and weight decay for the L-layer network of unit 09 (units 13 and 14).

    J_reg = J_CE + lambd / (2m) * sum_l ||W[l]||_F^2          (biases are not penalized)
    dW[l] = dW[l]_CE + lambd / m * W[l]
    W[l] <- (1 - alpha * lambd / m) * W[l] - alpha * dW[l]_CE   (the same step, as weight decay)

In PyTorch the last line is ``torch.optim.SGD(lr=alpha, weight_decay=lambd / m)`` on the weights
only: put the biases in a parameter group of their own with ``weight_decay=0``.

Layout as in unit 09: X (n0, m), Y (1, m), W[l] (n[l], n[l-1]), b[l] (n[l], 1). `lambd`, because
`lambda` is a Python keyword. Training (`train_regularized`) adds unit 14's inverted dropout.
"""
import numpy as np
from array_api_compat import array_namespace

from .activations import sigmoid
from .deep import L_model_backward, L_model_forward, initialize_parameters_deep, n_layers
from .dropout import L_model_backward_with_dropout, L_model_forward_with_dropout, check_keep_prob
from .losses import bce_with_logits


def l2_penalty(parameters, lambd, m):
    """lambd / (2m) times the sum of the squared entries of every weight matrix, as a float.

    Only the keys that start with "W" count: biases (and batch-norm's gamma and beta, unit 21)
    are not penalized.
    """
    total = 0.0
    for key, W in parameters.items():
        if key.startswith("W"):
            xp = array_namespace(W)
            total += float(xp.sum(W * W))          # ||W||_F^2
    return lambd / (2 * m) * total


def regularized_cost(parameters, X, Y, lambd, hidden="relu"):
    """J_reg(parameters) on (X, Y): the forward pass, the cross-entropy from the scores, the penalty.

    The function a gradient check differentiates numerically (unit 13). Returns a float.
    """
    _, caches = L_model_forward(X, parameters, hidden)
    return bce_with_logits(caches[-1][1], Y) + l2_penalty(parameters, lambd, Y.shape[1])


def L_model_backward_with_regularization(AL, Y, caches, lambd, hidden="relu"):
    """Gradients of J_reg: unit 09's backward pass plus lambd / m * W[l] on every dW[l].

    Returns {"dW1", "db1", ..., "dWL", "dbL"}; the biases' gradients are unchanged.
    """
    m = Y.shape[1]
    grads = L_model_backward(AL, Y, caches, hidden)
    out = {}
    for l, ((_, W, _), _) in enumerate(caches, start=1):       # cache = ((A_prev, W, b), Z)
        out[f"dW{l}"] = grads[f"dW{l}"] + lambd / m * W        # (n[l], n[l-1])
        out[f"db{l}"] = grads[f"db{l}"]                        # (n[l], 1): no penalty on b
    return out


def update_parameters_with_weight_decay(parameters, grads, learning_rate, lambd, m):
    """One step of gradient descent on J_reg, written as weight decay.

    grads are the gradients of the *unregularized* cost (unit 09's). Each W[l] first shrinks by
    the factor (1 - learning_rate * lambd / m), then takes the usual step; biases only take the
    step. Returns a new dict.
    """
    decay = 1 - learning_rate * lambd / m
    return {k: (decay * p if k.startswith("W") else p) - learning_rate * grads["d" + k]
            for k, p in parameters.items()}


def predict_proba(parameters, X, chunk=256):
    """P(y = 1 | x) of the ReLU network for the columns of X (n0, k): shape (1, k).

    For decision-boundary plots over thousands of grid points. The columns go through in
    chunks of at most `chunk`: OpenBLAS runs larger products on several threads, which on a
    busy machine makes one product a hundred times slower, while these small ones stay on one.
    """
    xp = array_namespace(X)
    return xp.concat([L_model_forward(X[:, i:i + chunk], parameters)[0] for i in range(0, X.shape[1], chunk)],
                     axis=1)


def train_regularized(X, Y, layer_dims, learning_rate, num_iterations, rng, lambd=0.0, keep_prob=1.0,
                      record_every=1, parameters=None):
    """Full-batch gradient descent on J_reg with inverted dropout on every hidden layer.

    ReLU hidden layers, sigmoid output, He initialization from rng (unless `parameters` is
    given). keep_prob applies to every hidden layer; 1.0 means no dropout and no draws.
    Draw order per iteration: for l = 1..L-1, U[l] = rng.random((n[l], m)).
    Returns (parameters, costs): J_reg recorded every `record_every` iterations, before that
    iteration's update, with that iteration's masks (the cost the step descends).
    """
    check_keep_prob(keep_prob)
    if parameters is None:
        parameters = initialize_parameters_deep(layer_dims, rng)
    L, m = n_layers(parameters), X.shape[1]
    keep_probs = [keep_prob] * (L - 1)
    costs = []
    for i in range(num_iterations):
        if keep_prob < 1:
            draws = [rng.random((parameters[f"W{l}"].shape[0], m)) for l in range(1, L)]
            AL, caches = L_model_forward_with_dropout(X, parameters, keep_probs, draws)
            grads = L_model_backward_with_dropout(AL, Y, caches, keep_probs, draws)
        else:
            AL, caches = L_model_forward(X, parameters)
            grads = L_model_backward(AL, Y, caches)
        if i % record_every == 0:
            costs.append(bce_with_logits(caches[-1][1], Y) + l2_penalty(parameters, lambd, m))
        parameters = update_parameters_with_weight_decay(parameters, grads, learning_rate, lambd, m)
    return parameters, costs


def train_sweep(X, Y, layer_dims, learning_rate, num_iterations, rng, lambdas=(0.0,), keep_probs=(1.0,),
                record_every=10, X_dev=None, Y_dev=None):
    """`train_regularized` for K values of (lambd, keep_prob) at once, for slider figures.

    The K networks start from the same He initialization and are stacked along a leading axis
    (W[l] becomes (K, n[l], n[l-1])), so one NumPy call does the work of K: the loop's cost is
    mostly Python overhead, which K networks then share. lambdas and keep_probs broadcast to
    length K. Draw order per iteration: for l = 1..L-1, U[l] = rng.random((K, n[l], m)), only
    when some keep_prob < 1; with K = 1 the draws and the result are those of
    train_regularized (the tests check it).

    Returns (params, history): a list of K parameter dicts, and a dict of arrays recorded every
    `record_every` iterations, before that iteration's update: "iteration" (n_records,), and
    (n_records, K) each, "cost" (J_reg, with the iteration's masks, as train_regularized
    records it), "train_ce" and "dev_ce" (the cross-entropy on (X, Y) and on (X_dev, Y_dev)
    without dropout: what the network predicts at test time; "dev_ce" only with a dev set).
    """
    lambdas, keep_probs = np.broadcast_arrays(np.asarray(lambdas, float), np.asarray(keep_probs, float))
    for kp in keep_probs:
        check_keep_prob(kp)
    K, L, m = lambdas.size, len(layer_dims) - 1, X.shape[1]
    lam, kp = lambdas.reshape(K, 1, 1), keep_probs.reshape(K, 1, 1)
    init = initialize_parameters_deep(layer_dims, rng)
    W = [None] + [np.repeat(init[f"W{l}"][None], K, axis=0) for l in range(1, L + 1)]   # (K, n[l], n[l-1])
    b = [None] + [np.repeat(init[f"b{l}"][None], K, axis=0) for l in range(1, L + 1)]   # (K, n[l], 1)
    dropout = bool(np.any(keep_probs < 1))

    def forward(A, masks=None):                 # A: (n0, m) -> scores Z[L] (K, 1, m), inputs of each layer
        inputs = []
        for l in range(1, L + 1):
            inputs.append(A)
            Z = W[l] @ A + b[l]                     # (K, n[l], m)
            if l < L:
                A = np.maximum(Z, 0.0)
                if masks is not None:
                    A = np.where(masks[l - 1], A / kp, 0.0)
        return Z, inputs

    def bce(Z, Y):                              # the mean cross-entropy from the scores, per network: (K,)
        return np.mean(np.maximum(Z, 0) + np.log1p(np.exp(-np.abs(Z))) - Y * Z, axis=(1, 2))

    def test_scores(X):                         # Z[L] without dropout, 256 examples at a time (see predict_proba)
        return np.concatenate([forward(X[:, i:i + 256])[0] for i in range(0, X.shape[1], 256)], axis=2)

    history = {"iteration": [], "cost": [], "train_ce": []} | ({"dev_ce": []} if X_dev is not None else {})
    for i in range(num_iterations):
        masks = [rng.random((K, layer_dims[l], m)) < kp for l in range(1, L)] if dropout else None
        Z, inputs = forward(X, masks)
        if i % record_every == 0:
            penalty = sum(np.sum(W[l] ** 2, axis=(1, 2)) for l in range(1, L + 1)) * lambdas / (2 * m)
            history["iteration"].append(i)
            history["cost"].append(bce(Z, Y) + penalty)
            history["train_ce"].append(bce(test_scores(X), Y) if dropout else bce(Z, Y))
            if X_dev is not None:
                history["dev_ce"].append(bce(test_scores(X_dev), Y_dev))
        dZ = sigmoid(Z) - Y                                            # (K, 1, m)
        for l in range(L, 0, -1):
            A_prev = inputs[l - 1]
            dW = dZ @ np.swapaxes(A_prev, -1, -2) / m                  # (K, n[l], n[l-1])
            db = np.sum(dZ, axis=2, keepdims=True) / m                 # (K, n[l], 1)
            if l > 1:
                dA = np.swapaxes(W[l], 1, 2) @ dZ                      # (K, n[l-1], m)
                if masks is not None:
                    dA = np.where(masks[l - 2], dA / kp, 0.0)
                dZ = np.where(A_prev > 0, dA, 0.0)                     # ReLU'(Z) from the dropped A > 0
            W[l] = (1 - learning_rate * lam / m) * W[l] - learning_rate * dW
            b[l] = b[l] - learning_rate * db
    params = [{} for _ in range(K)]                                    # unstack: one dict per network
    for k, p in enumerate(params):
        for l in range(1, L + 1):
            p[f"W{l}"], p[f"b{l}"] = W[l][k].copy(), b[l][k].copy()
    return params, {k: np.array(v) for k, v in history.items()}
