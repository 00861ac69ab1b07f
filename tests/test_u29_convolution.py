"""Unit 29: dlbook.conv against torch (F.conv2d with permuted layouts, autograd), and the
oracles of the grader against the syllabus's hand-computed numbers."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from dlbook import conv
from dlbook.gradcheck import numerical_gradient, rel_error
from grader.units import u29_convolution as u29


def torch_conv(A, W, b, s, p):
    """The reference: channels-last in and out, F.conv2d in the middle."""
    # .contiguous(): torch's CPU conv backward refuses a permuted weight for some shapes
    Z = F.conv2d(torch.as_tensor(A).permute(0, 3, 1, 2).contiguous(),
                 torch.as_tensor(W).permute(3, 2, 0, 1).contiguous(),
                 torch.as_tensor(b).reshape(-1), stride=s, padding=p)
    return Z.permute(0, 2, 3, 1)


SHAPES = [  # (m, n_H, n_W, n_C_prev, f, n_C, s, p)
    (2, 5, 7, 4, 3, 8, 1, 0), (2, 5, 7, 4, 3, 8, 2, 1), (2, 5, 7, 4, 3, 8, 1, 2),
    (2, 5, 7, 4, 3, 8, 3, 1), (1, 6, 6, 1, 3, 1, 1, 0), (3, 9, 4, 2, 2, 3, 2, 0),
    (1, 8, 8, 3, 5, 2, 3, 2), (2, 4, 4, 2, 1, 5, 1, 0), (1, 7, 7, 1, 7, 2, 1, 3),
    (1, 3, 3, 2, 5, 1, 4, 1),   # stride larger than the filter: some inputs are never seen
]


def _draw(rng, m, n_H, n_W, n_C_prev, f, n_C):
    return (rng.normal(size=(m, n_H, n_W, n_C_prev)), rng.normal(size=(f, f, n_C_prev, n_C)),
            rng.normal(size=(1, 1, 1, n_C)))


@pytest.mark.parametrize("shape", SHAPES)
def test_forward_matches_conv2d(shape):
    m, n_H, n_W, n_C_prev, f, n_C, s, p = shape
    A, W, b = _draw(np.random.default_rng(0), m, n_H, n_W, n_C_prev, f, n_C)
    Z, cache = conv.conv_forward(A, W, b, {"stride": s, "pad": p})
    ref = torch_conv(A, W, b, s, p).numpy()
    assert Z.shape == ref.shape == (m, conv.conv_output_size(n_H, f, p, s),
                                    conv.conv_output_size(n_W, f, p, s), n_C)
    np.testing.assert_allclose(Z, ref, rtol=1e-10, atol=1e-12)
    assert cache[0] is A and cache[1] is W and cache[2] is b


@pytest.mark.parametrize("shape", SHAPES)
def test_backward_matches_autograd(shape):
    m, n_H, n_W, n_C_prev, f, n_C, s, p = shape
    rng = np.random.default_rng(1)
    A, W, b = _draw(rng, m, n_H, n_W, n_C_prev, f, n_C)
    Z, cache = conv.conv_forward(A, W, b, {"stride": s, "pad": p})
    dZ = rng.normal(size=Z.shape)
    dA, dW, db = conv.conv_backward(dZ, cache)
    At, Wt, bt = (torch.tensor(x, requires_grad=True) for x in (A, W, b))
    (torch_conv(At, Wt, bt, s, p) * torch.from_numpy(dZ)).sum().backward()
    for got, ref in ((dA, At.grad), (dW, Wt.grad), (db, bt.grad)):
        assert got.shape == ref.shape
        np.testing.assert_allclose(got, ref.numpy(), rtol=1e-10, atol=1e-12)


def test_backward_finite_differences():
    rng = np.random.default_rng(2)
    A, W, b = _draw(rng, 2, 5, 6, 3, 3, 4)
    hp = {"stride": 2, "pad": 1}
    dZ = rng.normal(size=conv.conv_forward(A, W, b, hp)[0].shape)
    dA, dW, db = conv.conv_backward(dZ, (A, W, b, hp))
    loss = lambda: float(np.sum(conv.conv_forward(A, W, b, hp)[0] * dZ))
    for x, g in ((A, dA), (W, dW), (b, db)):
        # the loss is linear in each of A, W, b: central differences have no truncation error,
        # so a large eps only shrinks the rounding error
        assert rel_error(numerical_gradient(lambda _: loss(), x, eps=1e-3), g) < 1e-7


def test_torch_input_stays_torch_and_float32():
    rng = np.random.default_rng(3)
    A, W, b = (torch.from_numpy(x).float() for x in _draw(rng, 2, 6, 5, 3, 3, 4))
    Z, cache = conv.conv_forward(A, W, b, {"stride": 1, "pad": 1})
    assert isinstance(Z, torch.Tensor) and Z.dtype == torch.float32
    torch.testing.assert_close(Z, torch_conv(A, W, b, 1, 1), rtol=1e-5, atol=1e-5)
    dA, dW, db = conv.conv_backward(torch.ones_like(Z), cache)
    assert dA.dtype == dW.dtype == db.dtype == torch.float32
    assert dA.shape == A.shape and dW.shape == W.shape and db.shape == b.shape


@pytest.mark.cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_matches_cpu_float64():
    rng = np.random.default_rng(4)
    A, W, b = _draw(rng, 2, 7, 6, 3, 3, 5)
    hp = {"stride": 2, "pad": 1}
    Z, cache = conv.conv_forward(*(torch.from_numpy(x).cuda() for x in (A, W, b)), hp)
    assert Z.device.type == "cuda"
    np.testing.assert_allclose(Z.cpu().numpy(), conv.conv_forward(A, W, b, hp)[0], rtol=1e-10, atol=1e-12)
    grads = conv.conv_backward(torch.ones_like(Z), cache)
    for g, ref in zip(grads, conv.conv_backward(np.ones(Z.shape), (A, W, b, hp))):
        np.testing.assert_allclose(g.cpu().numpy(), ref, rtol=1e-10, atol=1e-12)


def test_im2col_col2im_are_adjoint():
    # <im2col(x), y> == <x, col2im(y)> for every x, y: col2im is the transpose of the gather.
    rng = np.random.default_rng(5)
    x = rng.normal(size=(2, 7, 6, 3))
    cols = conv.im2col(x, 3, 2)
    y = rng.normal(size=cols.shape)
    assert np.isclose(np.sum(cols * y), np.sum(x * conv.col2im(y, x.shape, 3, 2)))


def test_pad_and_output_size():
    A = np.arange(2 * 3 * 4 * 2, dtype=float).reshape(2, 3, 4, 2)
    P = conv.pad_hw(A, 2)
    assert P.shape == (2, 7, 8, 2)
    np.testing.assert_array_equal(P[:, 2:5, 2:6, :], A)
    assert P.sum() == A.sum()
    assert conv.pad_hw(A, 0) is A
    with pytest.raises(ValueError):
        conv.conv_output_size(3, 5, 0, 1)


# ----------------------------------------------------------------------------- the syllabus's numbers

@pytest.mark.parametrize("n, f, p, s, out", [
    (7, 3, 0, 2, 3),                       # the notes' example
    (6, 3, 0, 1, 4),                       # 6x6 shrinks to 4x4
    (6, 3, 1, 1, 6), (6, 5, 2, 1, 6), (6, 7, 3, 1, 6),   # "same" padding, odd f
    (6, 4, 1, 1, 5), (6, 4, 2, 1, 7),      # even f: no symmetric "same" padding
    (7, 3, 1, 2, 4),                       # "same" padding needs s = 1
    (6, 3, 0, 2, 2),                       # the floor drops the last column
    (39, 3, 0, 1, 37), (37, 5, 0, 2, 17), (17, 5, 0, 2, 7),   # the course's chain
])
def test_output_sizes(n, f, p, s, out):
    assert u29._size_oracle(n, f, p, s) == out
    assert conv.conv_output_size(n, f, p, s) == out


def test_volume_and_parameter_counts():
    Z = u29._forward_oracle(np.zeros((1, 6, 6, 3)), np.zeros((3, 3, 3, 10)), np.zeros((1, 1, 1, 10)),
                            {"stride": 1, "pad": 0})[0]
    assert Z.shape == (1, 4, 4, 10)
    assert (3 * 3 * 3 + 1) * 10 == 280
    assert (5 * 5 * 3 + 1) * 6 == 456 and (32 * 32 * 3) * (28 * 28 * 6) == 14_450_688
    assert 7 * 7 * 40 == 1960


def test_vertical_edge_example():
    img = np.zeros((1, 6, 6, 1))
    img[:, :, :3, :] = 10.0
    k = np.array([[1.0, 0.0, -1.0]] * 3)[:, :, None, None]        # (3, 3, 1, 1)
    Z = u29._forward_oracle(img, k, np.zeros((1, 1, 1, 1)), {"stride": 1, "pad": 0})[0]
    np.testing.assert_array_equal(Z[0, :, :, 0], np.tile([0.0, 30.0, 30.0, 0.0], (4, 1)))
    flipped = conv.conv_forward(img, k[::-1, ::-1].copy(), np.zeros((1, 1, 1, 1)),
                                {"stride": 1, "pad": 0})[0]
    np.testing.assert_array_equal(flipped[0, :, :, 0], np.tile([0.0, -30.0, -30.0, 0.0], (4, 1)))


def test_backward_oracle_finite_differences():
    # The grader's autograd oracle agrees with central differences on 10 random entries of W.
    rng = np.random.default_rng(6)
    A, W, b = _draw(rng, 2, 5, 7, 4, 3, 8)
    hp = {"stride": 2, "pad": 1}
    dZ = rng.normal(size=u29._forward_oracle(A, W, b, hp)[0].shape)
    dW = u29._backward_oracle(dZ, (A, W, b, hp))[1]
    eps = 1e-6
    for flat in rng.choice(W.size, size=10, replace=False):
        ix = np.unravel_index(flat, W.shape)
        Wp, Wm = W.copy(), W.copy()
        Wp[ix] += eps
        Wm[ix] -= eps
        num = (np.sum(u29._forward_oracle(A, Wp, b, hp)[0] * dZ)
               - np.sum(u29._forward_oracle(A, Wm, b, hp)[0] * dZ)) / (2 * eps)
        assert rel_error(num, dW[ix]) < 1e-7


# ----------------------------------------------------------------------------- dlbook.conv vs the grader

def test_dlbook_conv_passes_the_checks():
    from grader.core import run_exercise
    for name, fn in [("conv_output_size", conv.conv_output_size), ("zero_pad", conv.pad_hw),
                     ("conv_forward", conv.conv_forward), ("conv_backward", conv.conv_backward)]:
        failures, _, _ = run_exercise(fn, u29.EXERCISES[name])
        assert not failures, str(failures[0])


def test_forbidden_helpers_are_refused():
    from grader.core import run_exercise

    def conv_forward(A_prev, W, b, hparameters):
        Z = F.conv2d(A_prev.permute(0, 3, 1, 2), W.permute(3, 2, 0, 1), b.reshape(-1),
                     stride=hparameters["stride"], padding=hparameters["pad"])
        return Z.permute(0, 2, 3, 1), (A_prev, W, b, hparameters)

    failures, _, _ = run_exercise(conv_forward, u29.EXERCISES["conv_forward"], backends=["torch-cpu"])
    assert failures and "not allowed" in failures[0].message
    assert F.conv2d is torch.nn.functional.conv2d and callable(F.conv2d)   # restored afterwards
    Z = F.conv2d(torch.ones(1, 1, 3, 3), torch.ones(1, 1, 3, 3))
    assert float(Z) == 9.0
