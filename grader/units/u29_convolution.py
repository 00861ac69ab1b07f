"""Unit 29 · Convolutions: padding, stride and volumes.

Exercises: conv_output_size, zero_pad, conv_single_step, conv_forward, conv_backward.
Layout channels-last, as in the DLS course: A (m, n_H, n_W, n_C), W (f, f, n_C_prev, n_C),
b (1, 1, 1, n_C), hparameters = {"stride": s, "pad": p}, cache = (A_prev, W, b, hparameters).
Oracles: the output shape of F.conv2d; F.pad; an obviously-correct sum; F.conv2d with permuted
layouts; torch.autograd through that F.conv2d. All in float64. The float32 cases hold small
integers, so every sum is exact in float32 on any device and in any order.
"""
import numpy as np
import torch
import torch.nn.functional as F

from grader.core import Case, Exercise

FORBIDDEN = ("torch.nn.functional.conv2d", "torch.conv2d", "torch.nn.functional.pad",
             "torch.constant_pad_nd", "torch.Tensor.unfold", "torch.nn.functional.unfold",
             "torch.nn.functional.fold", "torch.autograd.grad", "torch.autograd.backward",
             "torch.Tensor.backward")


def _hp(s, p):
    return {"stride": s, "pad": p}


def _ints(rng, shape, lo, hi):
    """Small integers as float32: products and sums of these are exact in float32."""
    return rng.integers(lo, hi + 1, size=shape).astype(np.float32)


# ----------------------------------------------------------------------------- conv_output_size

def _size_cases(rng):
    fixed = [(7, 3, 0, 2, "the notes' example: n = 7, f = 3, p = 0, s = 2"),
             (6, 3, 0, 1, "6 x 6 with a 3 x 3 filter shrinks to 4 x 4"),
             (6, 4, 2, 1, "even f with p = 2: 7, one more than n"),
             (6, 3, 1, 1, "'same' padding: f = 3, p = 1"),
             (6, 3, 0, 2, "stride 2 does not divide n + 2p - f: floor"),
             (7, 3, 1, 2, "'same' padding with stride 2 halves (rounded up) instead"),
             (39, 3, 0, 1, "the course's chain, layer 1"), (37, 5, 0, 2, "layer 2"),
             (17, 5, 0, 2, "layer 3"), (5, 5, 0, 1, "the filter covers the input: 1 output"),
             (10, 1, 3, 4, "1 x 1 filter, p = 3, s = 4"),
             (9, 2, 3, 3, "p = 3, s = 3, remainder 2")]
    cases = [Case((n, f, p, s), label) for n, f, p, s, label in fixed]
    valid = [(n, f, p, s) for n in range(1, 21) for p in range(4) for s in range(1, 5)
             for f in range(1, n + 2 * p + 1)]
    for i in rng.choice(len(valid), size=20, replace=False):
        n, f, p, s = valid[i]
        cases.append(Case((n, f, p, s), f"n = {n}, f = {f}, p = {p}, s = {s}"))
    return cases


def _size_oracle(n, f, p, s):
    return int(F.conv2d(torch.zeros(1, 1, n, n), torch.zeros(1, 1, f, f), stride=s, padding=p).shape[-1])


def _size_true_division(n, f, p, s):
    return (n + 2 * p - f) / s + 1


def _size_no_plus_one(n, f, p, s):
    return (n + 2 * p - f) // s


def _size_one_side(n, f, p, s):
    return (n + p - f) // s + 1


def _size_ceil(n, f, p, s):
    return -(-(n + 2 * p - f) // s) + 1


def _size_no_stride(n, f, p, s):
    return n + 2 * p - f + 1


def _size_plus_f(n, f, p, s):
    return (n + 2 * p + f) // s + 1


CONV_OUTPUT_SIZE = Exercise(
    name="conv_output_size",
    draw=_size_cases,
    oracle=_size_oracle,
    backends=("python",),
    wrong=[
        (_size_true_division, "use floor division (n + 2*p - f) // s + 1: the result is an int, and a "
                              "window that does not fit entirely is not counted"),
        (_size_no_plus_one, "add 1: (n + 2p - f) // s counts the steps, the first window is one more"),
        (_size_one_side, "the padding is added on both sides: n + 2p, not n + p"),
        (_size_ceil, "round down, not up: a window that would stick out past the padded input does "
                     "not exist (⌊(n + 2p − f)/s⌋ + 1)"),
        (_size_no_stride, "divide by the stride s: the window jumps s pixels at a time"),
        (_size_plus_f, "subtract the filter size: the last window starts f − 1 pixels before the end"),
    ],
    arg_names=("n", "f", "p", "s"),
)


# ----------------------------------------------------------------------------- zero_pad

def _pad_cases(rng):
    return [
        Case((rng.normal(size=(4, 3, 3, 2)), 3), "the course's X (4, 3, 3, 2), pad = 3"),
        Case((rng.normal(size=(1, 5, 2, 3)), 1), "batch 1, non-square 5 x 2, 3 channels, pad = 1"),
        Case((rng.normal(size=(2, 4, 6, 1)), 2), "one channel, 4 x 6, pad = 2"),
        Case((rng.normal(size=(3, 2, 2, 4)), 0), "pad = 0: an unchanged copy"),
        Case((rng.normal(size=(2, 3, 4, 3)).astype(np.float32), 1), "float32 stays float32",
             dtype=np.float32),
    ]


def _pad_oracle(X, pad):
    return F.pad(torch.from_numpy(X), (0, 0, pad, pad, pad, pad)).numpy()


def _pad_all_axes(X, pad):
    return np.pad(X, pad)


def _pad_channels_first(X, pad):
    return np.pad(X, ((0, 0), (0, 0), (pad, pad), (pad, pad)))


def _pad_batch(X, pad):
    return np.pad(X, ((pad, pad), (pad, pad), (pad, pad), (0, 0)))


def _pad_before_only(X, pad):
    return np.pad(X, ((0, 0), (pad, 0), (pad, 0), (0, 0)))


def _pad_after_only(X, pad):
    return np.pad(X, ((0, 0), (0, pad), (0, pad), (0, 0)))


def _pad_half(X, pad):
    return np.pad(X, ((0, 0), (pad // 2, pad - pad // 2), (pad // 2, pad - pad // 2), (0, 0)))


def _pad_height_only(X, pad):
    return np.pad(X, ((0, 0), (pad, pad), (0, 0), (0, 0)))


ONE_SIDE_HINT = ("pad both sides: pad rows above and pad rows below, pad columns left and right; "
                 "the result has n_H + 2·pad rows")

ZERO_PAD = Exercise(
    name="zero_pad",
    draw=_pad_cases,
    oracle=_pad_oracle,
    forbidden=FORBIDDEN,
    wrong=[
        (_pad_all_axes, "pad only the height and width axes (1 and 2); the batch axis 0 and the "
                        "channel axis 3 keep their sizes"),
        (_pad_channels_first, "the layout is channels-last (m, n_H, n_W, n_C): pad axes 1 and 2, not "
                              "axes 2 and 3 as for PyTorch's (m, n_C, n_H, n_W)"),
        (_pad_batch, "do not pad the batch axis: the number of examples m stays the same"),
        (_pad_before_only, ONE_SIDE_HINT),
        (_pad_after_only, ONE_SIDE_HINT),
        (_pad_half, "pad is the width of the border on *each* side, not the total: add pad on both sides"),
        (_pad_height_only, "pad the width axis (2) as well as the height axis (1)"),
    ],
    arg_names=("X", "pad"),
)


# ----------------------------------------------------------------------------- conv_single_step

def _single_cases(rng):
    def triple(f, c, dtype=np.float64):
        if dtype == np.float32:
            return _ints(rng, (f, f, c), -3, 3), _ints(rng, (f, f, c), -2, 2), _ints(rng, (1, 1, 1), -5, 5)
        return rng.normal(size=(f, f, c)), rng.normal(size=(f, f, c)), rng.normal(size=(1, 1, 1))
    return [
        Case(triple(4, 3), "the course's shapes: a_slice and W (4, 4, 3)"),
        Case(triple(3, 1), "3 x 3, one channel"),
        Case(triple(5, 6), "5 x 5 x 6"),
        Case((np.full((1, 1, 2), 2.0), np.array([[[3.0, -1.0]]]), np.array([[[0.5]]])),
             "a 1 x 1 x 2 window: 2·3 + 2·(−1) + 0.5 = 4.5"),
        Case(triple(2, 4, np.float32), "float32, small integers", dtype=np.float32),
    ]


def _single_oracle(a, W, b):
    return float(np.sum(a * W) + b.item())


def _single_bias_inside(a, W, b):
    return float(np.sum(a * W + b))


def _single_no_bias(a, W, b):
    return float(np.sum(a * W))


def _single_flipped(a, W, b):
    return float(np.sum(a * W[::-1, ::-1, :]) + b.item())


def _single_mean(a, W, b):
    return float(np.mean(a * W) + b.item())


def _single_per_channel(a, W, b):
    return np.sum(a * W, axis=(0, 1)) + b.reshape(-1)


def _single_array(a, W, b):
    return np.sum(a * W) + b


CONV_SINGLE_STEP = Exercise(
    name="conv_single_step",
    draw=_single_cases,
    oracle=_single_oracle,
    forbidden=FORBIDDEN,
    wrong=[
        (_single_bias_inside, "add b once, after the sum: sum(a·W) + b, not sum(a·W + b), which adds it "
                              "f·f·n_C_prev times"),
        (_single_no_bias, "add the bias b to the sum"),
        (_single_flipped, "do not flip the kernel: deep learning's 'convolution' is cross-correlation, "
                          "element (u, v, c) of the window meets W[u, v, c]"),
        (_single_mean, "sum the products, do not average them"),
        (_single_per_channel, "sum over all three axes, channels included: the result is one number"),
        (_single_array, "return a Python float: float(...) of the (1, 1, 1) sum"),
    ],
    arg_names=("a_slice_prev", "W", "b"),
)


# ----------------------------------------------------------------------------- conv_forward

def _forward_draw(rng, m, n_H, n_W, n_C_prev, f, n_C, s, p, dtype=np.float64):
    if dtype == np.float32:
        A = _ints(rng, (m, n_H, n_W, n_C_prev), -3, 3)
        W = _ints(rng, (f, f, n_C_prev, n_C), -2, 2)
        b = _ints(rng, (1, 1, 1, n_C), -4, 4)
    else:
        A = rng.normal(size=(m, n_H, n_W, n_C_prev))
        W = rng.normal(size=(f, f, n_C_prev, n_C))
        b = rng.normal(size=(1, 1, 1, n_C))
    return A, W, b, _hp(s, p)


def _forward_cases(rng):
    spec = [  # (m, n_H, n_W, n_C_prev, f, n_C, s, p, label)
        (2, 5, 7, 4, 3, 8, 1, 0, "the course's shapes, s = 1, p = 0"),
        (2, 5, 7, 4, 3, 8, 2, 1, "the course's shapes, s = 2, p = 1"),
        (2, 5, 7, 4, 3, 8, 1, 2, "the course's shapes, s = 1, p = 2"),
        (2, 5, 7, 4, 3, 8, 3, 1, "the course's shapes, s = 3, p = 1"),
        (1, 6, 6, 1, 3, 2, 2, 0, "batch 1, one channel; s = 2 does not divide 6 − 3 (floor)"),
        (3, 9, 4, 2, 2, 3, 2, 1, "non-square 9 x 4, even f = 2"),
        (1, 4, 5, 3, 1, 4, 1, 0, "1 x 1 filters"),
    ]
    cases = [Case(_forward_draw(rng, *row[:8]), row[8]) for row in spec]
    cases.append(Case(_forward_draw(rng, 2, 6, 5, 3, 3, 4, 2, 1, dtype=np.float32),
                      "float32, small integers, s = 2, p = 1", dtype=np.float32))
    return cases


def _conv_ref(A, W, b, s, p):
    """F.conv2d in channels-first, wrapped in channels-last permutes (works with autograd)."""
    # .contiguous(): torch's CPU conv backward refuses a permuted weight for some shapes
    Z = F.conv2d(A.permute(0, 3, 1, 2).contiguous(), W.permute(3, 2, 0, 1).contiguous(), b.reshape(-1),
                 stride=s, padding=p)
    return Z.permute(0, 2, 3, 1)


def _forward_oracle(A, W, b, hparameters):
    Z = _conv_ref(*(torch.from_numpy(x) for x in (A, W, b)), hparameters["stride"], hparameters["pad"])
    return Z.contiguous().numpy(), (A, W, b, hparameters)


def _np_pad(A, p):
    return np.pad(A, ((0, 0), (p, p), (p, p), (0, 0)))


def _np_forward(A, W, b, s, p, *, step=None, flip=False, bias=True):
    """A plain loop over output positions; step: the index step (s when right)."""
    step = s if step is None else step
    m, n_H_prev, n_W_prev, _ = A.shape
    f, _, _, n_C = W.shape
    n_H, n_W = (n_H_prev + 2 * p - f) // s + 1, (n_W_prev + 2 * p - f) // s + 1
    A_pad, K = _np_pad(A, p), (W[::-1, ::-1] if flip else W)
    Z = np.zeros((m, n_H, n_W, n_C))
    for h in range(n_H):
        for w in range(n_W):
            window = A_pad[:, h * step:h * step + f, w * step:w * step + f, :]
            Z[:, h, w, :] = np.tensordot(window, K, axes=3)
    return Z + b if bias else Z


def _forward_cache_padded(A, W, b, hp):
    return _np_forward(A, W, b, hp["stride"], hp["pad"]), (_np_pad(A, hp["pad"]), W, b, hp)


def _forward_stride_index(A, W, b, hp):
    return _np_forward(A, W, b, hp["stride"], hp["pad"], step=1), (A, W, b, hp)


def _forward_flipped(A, W, b, hp):
    return _np_forward(A, W, b, hp["stride"], hp["pad"], flip=True), (A, W, b, hp)


def _forward_no_bias(A, W, b, hp):
    return _np_forward(A, W, b, hp["stride"], hp["pad"], bias=False), (A, W, b, hp)


def _forward_no_pad(A, W, b, hp):
    return _np_forward(A, W, b, hp["stride"], 0), (A, W, b, hp)


def _forward_z_only(A, W, b, hp):
    return _np_forward(A, W, b, hp["stride"], hp["pad"])


CONV_FORWARD = Exercise(
    name="conv_forward",
    draw=_forward_cases,
    oracle=_forward_oracle,
    forbidden=FORBIDDEN,
    wrong=[
        (_forward_cache_padded, "the cache holds A_prev as it came in, not the padded copy: "
                                "cache = (A_prev, W, b, hparameters)"),
        (_forward_stride_index, "output (h, w) reads the window starting at row h·stride and column "
                                "w·stride, not at (h, w)"),
        (_forward_flipped, "do not flip the kernel: compute cross-correlation, window[u, v, c] · W[u, v, c]"),
        (_forward_no_bias, "add the bias b[..., c] of filter c to every output of that filter"),
        (_forward_no_pad, "pad A_prev with zero_pad(A_prev, pad) first, and size the output with "
                          "n_H = (n_H_prev + 2·pad − f) // stride + 1"),
        (_forward_z_only, "return the pair (Z, cache) with cache = (A_prev, W, b, hparameters)"),
    ],
    arg_names=("A_prev", "W", "b", "hparameters"),
    returns=("Z", "cache"),
)


# ----------------------------------------------------------------------------- conv_backward

def _backward_cases(rng):
    spec = [  # (m, n_H, n_W, n_C_prev, f, n_C, s, p, label)
        (2, 5, 7, 4, 3, 8, 2, 1, "the course's shapes, s = 2, p = 1"),
        (1, 4, 4, 3, 2, 5, 2, 2, "batch 1, f = 2, s = 2, p = 2"),
        (3, 5, 5, 2, 3, 3, 1, 0, "three examples, s = 1, p = 0 (overlapping windows)"),
        (2, 6, 6, 1, 3, 2, 2, 0, "s = 2 does not divide 6 − 3: the last row and column get no gradient"),
        (2, 7, 4, 2, 3, 2, 1, 1, "non-square 7 x 4, 'same' padding"),
    ]
    cases = []
    for *row, label in spec:
        A, W, b, hp = _forward_draw(rng, *row)
        dZ = rng.normal(size=_forward_oracle(A, W, b, hp)[0].shape)
        cases.append(Case((dZ, (A, W, b, hp)), label))
    A, W, b, hp = _forward_draw(rng, 2, 5, 6, 3, 3, 4, 2, 1, dtype=np.float32)
    dZ = _ints(rng, _forward_oracle(A, W, b, hp)[0].shape, -2, 2)
    cases.append(Case((dZ, (A, W, b, hp)), "float32, small integers", dtype=np.float32))
    return cases


def _backward_oracle(dZ, cache):
    A, W, b, hp = cache
    At, Wt, bt = (torch.tensor(x, requires_grad=True) for x in (A, W, b))
    Z = _conv_ref(At, Wt, bt, hp["stride"], hp["pad"])
    (Z * torch.from_numpy(dZ)).sum().backward()
    return At.grad.numpy(), Wt.grad.numpy(), bt.grad.numpy()


def _np_backward(dZ, cache, *, step=None, flip=False, crop=True, dw_scale=1.0, db="sum"):
    """A plain loop over output positions, with switches for the common mistakes."""
    A, W, b, hp = cache
    s, p = hp["stride"], hp["pad"]
    step = s if step is None else step
    m, n_H_prev, n_W_prev, _ = A.shape
    f = W.shape[0]
    _, n_H, n_W, _ = dZ.shape
    A_pad = _np_pad(A, p)
    dA_pad, dW = np.zeros_like(A_pad), np.zeros_like(W)
    K = W[::-1, ::-1] if flip else W
    for h in range(n_H):
        for w in range(n_W):
            rows, cols = slice(h * step, h * step + f), slice(w * step, w * step + f)
            dA_pad[:, rows, cols, :] += np.tensordot(dZ[:, h, w, :], K, axes=([1], [3]))
            dW += np.tensordot(A_pad[:, rows, cols, :], dZ[:, h, w, :], axes=([0], [0]))
    dA = dA_pad[:, p:p + n_H_prev, p:p + n_W_prev, :] if crop else dA_pad
    dbs = {"sum": dZ.sum(axis=(0, 1, 2), keepdims=True),
           "mean": dZ.mean(axis=(0, 1, 2), keepdims=True),
           "per_example": dZ.sum(axis=(1, 2), keepdims=True),
           "first_example": dZ[:1].sum(axis=(1, 2), keepdims=True)}
    return dA, dW * dw_scale, dbs[db]


def _backward_no_crop(dZ, cache):
    return _np_backward(dZ, cache, crop=False)


def _backward_crop_negative(dZ, cache):
    dA_pad, dW, db = _np_backward(dZ, cache, crop=False)
    p = cache[3]["pad"]
    return dA_pad[:, p:-p, p:-p, :], dW, db


def _backward_stride_index(dZ, cache):
    return _np_backward(dZ, cache, step=1)


def _backward_db_per_example(dZ, cache):
    return _np_backward(dZ, cache, db="per_example")


def _backward_db_first_example(dZ, cache):
    return _np_backward(dZ, cache, db="first_example")


def _backward_db_mean(dZ, cache):
    return _np_backward(dZ, cache, db="mean")


def _backward_dw_mean(dZ, cache):
    return _np_backward(dZ, cache, dw_scale=1.0 / dZ.shape[0])


def _backward_flipped(dZ, cache):
    return _np_backward(dZ, cache, flip=True)


CONV_BACKWARD = Exercise(
    name="conv_backward",
    draw=_backward_cases,
    oracle=_backward_oracle,
    forbidden=FORBIDDEN,
    wrong=[
        (_backward_no_crop, "crop the padding off: dA_prev = dA_prev_pad[:, pad:pad + n_H_prev, "
                            "pad:pad + n_W_prev, :] has the shape of A_prev"),
        (_backward_crop_negative, "with pad = 0 the slice pad:-pad is empty: crop with "
                                  "dA_prev_pad[:, pad:pad + n_H_prev, pad:pad + n_W_prev, :]"),
        (_backward_stride_index, "output (h, w) came from the window starting at (h·stride, w·stride): "
                                 "send its gradient back there, not to (h, w)"),
        (_backward_db_per_example, "db sums dZ over the batch too: db[..., c] = Σ over i, h, w of "
                                   "dZ[i, h, w, c], shape (1, 1, 1, n_C)"),
        (_backward_db_first_example, "db sums dZ over every example, not only the first"),
        (_backward_db_mean, "db is a sum of dZ over the examples and positions, not a mean"),
        (_backward_dw_mean, "do not divide dW by m: dZ already carries the 1/m of the cost"),
        (_backward_flipped, "use W as it is (no flip): dA_prev_pad[window] += W[:, :, :, c] · dZ[i, h, w, c]"),
    ],
    arg_names=("dZ", "cache"),
    returns=("dA_prev", "dW", "db"),
)

EXERCISES = {e.name: e for e in (CONV_OUTPUT_SIZE, ZERO_PAD, CONV_SINGLE_STEP, CONV_FORWARD, CONV_BACKWARD)}
