"""2-D convolution from scratch, channels-last (unit 29); pooling and the CNN chapters reuse it.

Layout, as in the DLS course:
    A_prev (m, n_H_prev, n_W_prev, n_C_prev)   m examples, height, width, channels
    W      (f, f, n_C_prev, n_C)               one f x f x n_C_prev filter per output channel
    b      (1, 1, 1, n_C)                      one bias per filter
    Z      (m, n_H, n_W, n_C)                  n_H = floor((n_H_prev + 2p - f) / s) + 1

"Convolution" here is what every deep-learning library computes: cross-correlation, with no
kernel flip. The forward pass is im2col: gather every f x f x n_C_prev window into one row of
a matrix (a loop over the f*f kernel offsets, each a strided slice of the whole batch) and
multiply by the filters flattened into columns. The backward pass reverses the gather
(col2im), adding each window's gradient back where the window came from.

Every function takes arrays of any array-API library (NumPy; PyTorch on CPU or CUDA) and
returns arrays of the same library, dtype and device.
"""
from array_api_compat import array_namespace, device


def conv_output_size(n, f, p=0, s=1):
    """Output length along one axis: floor((n + 2p - f) / s) + 1 (Python ints)."""
    if f > n + 2 * p:
        raise ValueError(f"the filter ({f}) is larger than the padded input ({n} + 2*{p})")
    return (n + 2 * p - f) // s + 1


def pad_hw(A, p):
    """Zero-pad the height and width axes of A (m, n_H, n_W, n_C) by p on every side."""
    xp = array_namespace(A)
    if p == 0:
        return A
    m, n_H, n_W, n_C = A.shape
    out = xp.zeros((m, n_H + 2 * p, n_W + 2 * p, n_C), dtype=A.dtype, device=device(A))
    out[:, p:p + n_H, p:p + n_W, :] = A
    return out


def _window_slices(f, s, n_H, n_W):
    """For each kernel offset (u, v): the slices of A_pad that kernel cell meets, for every output."""
    return [(u, v, slice(u, u + s * (n_H - 1) + 1, s), slice(v, v + s * (n_W - 1) + 1, s))
            for u in range(f) for v in range(f)]


def im2col(A_pad, f, s):
    """Every f x f window of A_pad (m, H, W, C) at stride s, as rows.

    Returns cols of shape (m * n_H * n_W, f * f * C), row (i, h, w) holding the window whose
    top-left corner is (h*s, w*s), flattened in the order (u, v, c) that W.reshape uses.
    """
    xp = array_namespace(A_pad)
    m, H, W_, C = A_pad.shape
    n_H, n_W = (H - f) // s + 1, (W_ - f) // s + 1
    # f*f strided slices, each (m, n_H, n_W, C): kernel cell (u, v) across all outputs at once
    parts = [A_pad[:, rows, cols, :] for _, _, rows, cols in _window_slices(f, s, n_H, n_W)]
    windows = xp.stack(parts, axis=3)                       # (m, n_H, n_W, f*f, C)
    return xp.reshape(windows, (m * n_H * n_W, f * f * C))


def col2im(dcols, padded_shape, f, s):
    """The adjoint of im2col: add each row of dcols back onto the window it came from.

    dcols: (m * n_H * n_W, f * f * C); returns an array of padded_shape (m, H, W, C).
    Overlapping windows (s < f) add up, which is what the chain rule asks for.
    """
    xp = array_namespace(dcols)
    m, H, W_, C = padded_shape
    n_H, n_W = (H - f) // s + 1, (W_ - f) // s + 1
    d = xp.reshape(dcols, (m, n_H, n_W, f, f, C))
    out = xp.zeros(padded_shape, dtype=dcols.dtype, device=device(dcols))
    for u, v, rows, cols in _window_slices(f, s, n_H, n_W):
        out[:, rows, cols, :] += d[:, :, :, u, v, :]
    return out


def conv_forward(A_prev, W, b, hparameters):
    """Z = A_prev * W + b (cross-correlation), vectorised with im2col.

    A_prev (m, n_H_prev, n_W_prev, n_C_prev), W (f, f, n_C_prev, n_C), b (1, 1, 1, n_C),
    hparameters {"stride": s, "pad": p}. Returns Z (m, n_H, n_W, n_C) and
    cache = (A_prev, W, b, hparameters), what conv_backward needs.
    """
    xp = array_namespace(A_prev, W, b)
    s, p = hparameters["stride"], hparameters["pad"]
    m, n_H_prev, n_W_prev, n_C_prev = A_prev.shape
    f, f2, n_C_w, n_C = W.shape
    if f != f2 or n_C_w != n_C_prev:
        raise ValueError(f"W must be (f, f, {n_C_prev}, n_C) for an input with {n_C_prev} channels; "
                         f"got {tuple(W.shape)}")
    n_H, n_W = conv_output_size(n_H_prev, f, p, s), conv_output_size(n_W_prev, f, p, s)
    cols = im2col(pad_hw(A_prev, p), f, s)                  # (m*n_H*n_W, f*f*n_C_prev)
    Z = cols @ xp.reshape(W, (f * f * n_C_prev, n_C))       # (m*n_H*n_W, n_C)
    Z = xp.reshape(Z, (m, n_H, n_W, n_C)) + b               # b broadcasts over m, n_H, n_W
    return Z, (A_prev, W, b, hparameters)


def conv_backward(dZ, cache):
    """Gradients of a conv layer from dZ = dJ/dZ (m, n_H, n_W, n_C) and conv_forward's cache.

    Returns dA_prev (the shape of A_prev), dW (f, f, n_C_prev, n_C), db (1, 1, 1, n_C).
    """
    xp = array_namespace(dZ)
    A_prev, W, b, hparameters = cache
    s, p = hparameters["stride"], hparameters["pad"]
    m, n_H_prev, n_W_prev, n_C_prev = A_prev.shape
    f, _, _, n_C = W.shape
    A_pad = pad_hw(A_prev, p)
    cols = im2col(A_pad, f, s)                              # (m*n_H*n_W, f*f*n_C_prev)
    dZ_rows = xp.reshape(dZ, (-1, n_C))                     # (m*n_H*n_W, n_C)
    dW = xp.reshape(cols.T @ dZ_rows, W.shape)              # sum over every window of a x dz
    db = xp.reshape(xp.sum(dZ_rows, axis=0), (1, 1, 1, n_C))   # one number per filter
    dcols = dZ_rows @ xp.reshape(W, (f * f * n_C_prev, n_C)).T
    dA_pad = col2im(dcols, A_pad.shape, f, s)
    dA_prev = dA_pad[:, p:p + n_H_prev, p:p + n_W_prev, :]  # crop the padding off
    return dA_prev, dW, db
