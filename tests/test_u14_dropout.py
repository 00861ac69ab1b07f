"""Unit 14: dlbook.dropout against torch (the same masks, autograd), the notes' demo recomputed,
the statistics of inverted dropout, and PyTorch's nn.Dropout conventions."""
import numpy as np
import pytest
import torch

from dlbook import dropout as do
from dlbook.deep import L_model_backward, L_model_forward, initialize_parameters_deep
from dlbook.gradcheck import numerical_gradient, relative_difference
from dlbook.losses import bce_with_logits
from grader.core import run_exercise
from grader.units import u14_dropout as u14


def test_notes_demo():
    A, u = np.full((5, 3), 10.0), u14.notes_draws()
    out = do.dropout_forward(A, u, 0.8)
    assert np.argwhere(out == 0).tolist() == [[4, 1]]                  # one unit of 15 dropped
    assert np.all(out[out != 0] == 12.5)
    assert np.array_equal(do.dropout_forward(A, u, 0.8, training=False), A)
    np.testing.assert_array_equal(u14._forward_oracle(A, u, 0.8), out)


@pytest.mark.parametrize("keep_prob", [0.3, 0.5, 0.8, 1.0])
def test_forward_and_backward_match_torch_on_the_same_mask(keep_prob):
    rng = np.random.default_rng(0)
    A, u, dout = rng.normal(size=(6, 7)), rng.random((6, 7)), rng.normal(size=(6, 7))
    At = torch.tensor(A, requires_grad=True)
    out = u14.torch_dropout(At, torch.from_numpy(u), keep_prob)
    out.backward(torch.from_numpy(dout))
    np.testing.assert_allclose(do.dropout_forward(A, u, keep_prob), out.detach().numpy(), rtol=1e-15)
    np.testing.assert_allclose(do.dropout_backward(dout, u, keep_prob), At.grad.numpy(), rtol=1e-15)
    t = do.dropout_forward(torch.from_numpy(A), torch.from_numpy(u), keep_prob)        # torch in, torch out
    assert isinstance(t, torch.Tensor) and t.dtype == torch.float64


def test_keep_prob_is_checked():
    A = np.ones((2, 2))
    for bad in (0.0, 1.5, -0.2):
        with pytest.raises(ValueError, match="keep_prob must be in"):
            do.dropout_forward(A, A * 0.5, bad)


def test_inverted_dropout_keeps_the_expected_value():
    """Over 2000 masks the grand mean matches A's within 1%, and every entry within 5 sigma."""
    rng = np.random.default_rng(0)
    A, p, n = rng.normal(size=(4, 5)), 0.6, 2000
    outs = np.stack([do.dropout_forward(A, rng.random(A.shape), p) for _ in range(n)])
    assert abs(outs.mean() - A.mean()) < 0.01 * abs(A).mean()
    sigma = np.abs(A) * np.sqrt((1 - p) / (p * n))
    assert np.all(np.abs(outs.mean(axis=0) - A) < 5 * sigma + 1e-12)


def test_with_keep_probs_one_the_network_is_unit_09s():
    rng = np.random.default_rng(1)
    params = initialize_parameters_deep([3, 5, 4, 1], rng)
    X, Y = rng.normal(size=(3, 6)), (rng.random((1, 6)) < 0.5).astype(float)
    draws = [rng.random((5, 6)), rng.random((4, 6))]
    AL, caches = do.L_model_forward_with_dropout(X, params, [1.0, 1.0], draws)
    AL0, caches0 = L_model_forward(X, params)
    np.testing.assert_array_equal(AL, AL0)
    grads = do.L_model_backward_with_dropout(AL, Y, caches, [1.0, 1.0], draws)
    grads0 = L_model_backward(AL0, Y, caches0)
    for k in grads:
        np.testing.assert_array_equal(grads[k], grads0[k])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_network_gradients_match_autograd_and_central_differences(seed):
    rng = np.random.default_rng(seed)
    args = u14._net_backward_case(rng, [3, 5, 4, 1], 6, [0.8, 0.6])
    AL, Y, caches, keep_probs, draws = args
    grads = do.L_model_backward_with_dropout(*args)
    expected = u14._net_backward_oracle(*args)
    for k in expected:
        np.testing.assert_allclose(grads[k], expected[k], rtol=1e-10, atol=1e-13)
    params = {f"{n}{l}": v for l, ((_, W, b), _) in enumerate(caches, start=1) for n, v in (("W", W), ("b", b))}
    X = caches[0][0][0]
    cost = lambda _: bce_with_logits(do.L_model_forward_with_dropout(X, params, keep_probs, draws)[1][-1][1], Y)
    approx = {"d" + k: numerical_gradient(cost, params[k], eps=1e-7) for k in params}   # masks held fixed
    assert relative_difference(approx, grads) < 1e-7


def test_torch_nn_dropout_takes_the_drop_rate_and_is_inverted():
    torch.manual_seed(0)                                   # torch's own generator, for this test only
    layer = torch.nn.Dropout(p=0.25)                       # keep_prob = 0.75
    x = torch.ones(200, 50, dtype=torch.float64)
    out = layer.train()(x)
    kept = out[out != 0]
    assert torch.allclose(kept, torch.full_like(kept, 1 / 0.75))
    assert abs(float((out != 0).double().mean()) - 0.75) < 0.02
    assert torch.equal(layer.eval()(x), x)                 # eval mode: off


@pytest.mark.parametrize("name", ["dropout_forward", "dropout_backward", "L_model_forward_with_dropout",
                                  "L_model_backward_with_dropout"])
def test_dlbook_passes_the_checks(name):
    failures, _, _ = run_exercise(getattr(do, name), u14.EXERCISES[name])
    assert not failures, str(failures[0])
