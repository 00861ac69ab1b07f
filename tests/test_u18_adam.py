"""Unit 18: dlbook.optim.adam_update against torch.optim.Adam and closed forms, the chapter's
numbers, and the grader's oracle against a fresh torch.optim.Adam run."""
import numpy as np
import pytest
import torch

from dlbook import optim
from grader.units import u18_adam as u18


def _grad_stream(rng, shape, n, scale=1.0):
    return [scale * rng.normal(size=shape) for _ in range(n)]


def _eps_inside(w, dw, state, alpha, beta1=0.9, beta2=0.999, eps=1e-8):
    """The notes' Adam: eps inside the square root."""
    v, s, t = state
    t += 1
    v = beta1 * v + (1 - beta1) * dw
    s = beta2 * s + (1 - beta2) * dw ** 2
    return w - alpha * (v / (1 - beta1 ** t)) / np.sqrt(s / (1 - beta2 ** t) + eps), (v, s, t)


# ----------------------------------------------------------------------------- dlbook.optim.adam_update

@pytest.mark.parametrize("alpha, beta1, beta2, eps, scale", [
    (0.01, 0.9, 0.999, 1e-8, 1.0),
    (0.01, 0.9, 0.999, 1e-8, 1e-5),          # tiny gradients: where eps sits matters
    (0.1, 0.5, 0.9, 1e-3, 1.0),
    (0.001, 0.99, 0.9999, 1e-8, 1e-5),
])
def test_adam_matches_torch(alpha, beta1, beta2, eps, scale):
    rng = np.random.default_rng(0)
    w0 = rng.normal(size=(4, 3))
    grads = _grad_stream(rng, w0.shape, 6, scale)
    wt = torch.tensor(w0)
    opt = torch.optim.Adam([wt], lr=alpha, betas=(beta1, beta2), eps=eps)
    w, state = w0, optim.adam_state(w0)
    for g in grads:
        wt.grad = torch.tensor(g)
        opt.step()
        w, state = optim.adam_update(w, g, state, alpha, beta1, beta2, eps)
        np.testing.assert_allclose(w, wt.detach().numpy(), rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(state[0], opt.state[wt]["exp_avg"].numpy(), rtol=1e-12, atol=1e-20)
        np.testing.assert_allclose(state[1], opt.state[wt]["exp_avg_sq"].numpy(), rtol=1e-12, atol=1e-30)
        assert state[2] == int(opt.state[wt]["step"])


def test_eps_inside_the_root_drifts_from_torch_on_tiny_gradients():
    """The chapter's margin: six steps, alpha = 0.01, gradients about 1e-5: about 5e-2 apart
    with eps inside, and within 1e-15 with eps outside."""
    rng = np.random.default_rng(1)
    w0 = rng.normal(size=(5, 4))
    grads = _grad_stream(rng, w0.shape, 6, 1e-5)
    wt = torch.tensor(w0)
    opt = torch.optim.Adam([wt], lr=0.01)
    w_in, st_in, w_out, st_out = w0, optim.adam_state(w0), w0, optim.adam_state(w0)
    for g in grads:
        wt.grad = torch.tensor(g)
        opt.step()
        w_in, st_in = _eps_inside(w_in, g, st_in, 0.01)
        w_out, st_out = optim.adam_update(w_out, g, st_out, 0.01)
    ref = wt.detach().numpy()
    assert np.abs(w_out - ref).max() < 1e-15
    assert 3e-2 < np.abs(w_in - ref).max() < 7e-2


def test_constant_gradient_steps_alpha_and_uncorrected_steps_are_too_large():
    g, alpha = np.array([0.5, -3.0]), 0.01
    w, state, w_raw, state_raw = np.zeros(2), optim.adam_state(g), np.zeros(2), optim.adam_state(g)
    raw = []
    for t in range(1, 13):
        w_new, state = optim.adam_update(w, g, state, alpha)
        np.testing.assert_allclose(w - w_new, alpha * g / (np.abs(g) + 1e-8), rtol=1e-12)
        w_raw_new, state_raw = optim.adam_update(w_raw, g, state_raw, alpha, bias_correction=False)
        raw.append((w_raw - w_raw_new)[0])
        w, w_raw = w_new, w_raw_new
    np.testing.assert_allclose(raw[:5], [0.0316, 0.0425, 0.0495, 0.0544, 0.0580], atol=5e-5)
    t = np.arange(1, 5001)
    ratio = (1 - 0.9 ** t) / np.sqrt(1 - 0.999 ** t)
    assert t[ratio.argmax()] == 12 and round(ratio.max(), 1) == 6.6
    np.testing.assert_allclose(raw[11] / alpha, ratio[11], rtol=1e-6)
    assert abs(ratio[999] - 1.26) < 5e-3                    # still 26% too large after 1000 steps


def test_first_step_is_alpha_sign_g_and_eps_takes_over_below_eps():
    g = np.array([0.5, -2.0, 1e-3, 1e-9])
    w1, (v, s, t) = optim.adam_update(np.zeros(4), g, optim.adam_state(g), alpha=0.01)
    assert t == 1
    np.testing.assert_allclose(-w1, [0.01, -0.01, 0.0099999, 0.000909], atol=5e-7)
    np.testing.assert_allclose(v, 0.1 * g)
    np.testing.assert_allclose(s, 0.001 * g ** 2)


def test_adam_runs_on_torch_keeps_dtype_and_does_not_mutate():
    w = torch.ones(3, dtype=torch.float32)
    dw = torch.tensor([1.0, -2.0, 0.5])
    state = optim.adam_state(w)
    w1, (v1, s1, t1) = optim.adam_update(w, dw, state, alpha=0.1)
    assert torch.equal(w, torch.ones(3)) and torch.equal(state[0], torch.zeros(3)) and state[2] == 0
    assert w1.dtype == v1.dtype == s1.dtype == torch.float32 and t1 == 1
    w_np = np.ones(3, dtype=np.float32)
    assert optim.adam_update(w_np, w_np, optim.adam_state(w_np), 0.1)[0].dtype == np.float32


def test_run_drives_adam_and_crosses_the_ravine():
    grad = lambda w: optim.bowl_grad(w, 100.0)
    w0 = np.array([-10.0, 1.0])
    path = optim.run(optim.adam_update, grad, w0, 60, state=optim.adam_state(w0), alpha=0.3)
    gd = optim.run(optim.gd_update, grad, w0, 60, alpha=1.8)
    assert path.shape == (61, 2)
    assert optim.bowl_loss(path[-1], 100.0) < optim.bowl_loss(gd[-1], 100.0) / 10
    # the shallow coordinate moves by a full alpha per step at first, despite its tiny gradient
    np.testing.assert_allclose(np.diff(path[:6, 0]), 0.3, rtol=1e-2)


# ----------------------------------------------------------------------------- grader oracle

def test_adam_oracle_chained_equals_six_torch_steps():
    rng = np.random.default_rng(4)
    params = u18._net(rng, (3, 4, 2))
    grads = [u18._grads_like(rng, params, 1e-5) for _ in range(6)]
    p, v, s = params, *u18._init_oracle(params)
    for t, g in enumerate(grads, start=1):
        p, v, s, v_hat, s_hat = u18._adam_oracle(p, g, v, s, t, 0.01, 0.9, 0.999, 1e-8)
    np.testing.assert_allclose(v_hat["dW1"], v["dW1"] / (1 - 0.9 ** 6))
    tensors = {k: torch.tensor(x) for k, x in params.items()}
    opt = torch.optim.Adam(tensors.values(), lr=0.01)
    for g in grads:
        for k, x in tensors.items():
            x.grad = torch.tensor(g["d" + k])
        opt.step()
    for k, x in tensors.items():
        np.testing.assert_allclose(p[k], x.detach().numpy(), rtol=1e-12)
    w, state = params["W2"], optim.adam_state(params["W2"])       # and dlbook agrees array by array
    for g in grads:
        w, state = optim.adam_update(w, g["dW2"], state, 0.01)
    np.testing.assert_allclose(w, p["W2"], rtol=1e-12)


def test_run_cases_have_the_state_of_a_real_run():
    """'step t of a run' cases: s >= 0 and t - 1 earlier steps of history in v, s."""
    for case in u18.UPDATE_PARAMETERS_WITH_ADAM.cases(0):
        params, grads, v, s, t = case.args[:5]
        assert t >= 1 and all((x >= 0).all() for x in s.values())
        if t == 1:
            assert all((x == 0).all() for x in v.values())


def test_eps_inside_fails_the_tiny_gradient_case_by_a_wide_margin():
    case = next(c for c in u18.UPDATE_PARAMETERS_WITH_ADAM.cases(0) if c.label.startswith("tiny gradients (about 1e-5), first"))
    good = u18._adam_oracle(*case.args)[0]
    bad = u18._adam_eps_inside(*case.args)[0]
    p = case.args[0]
    assert np.abs(good["W1"] - p["W1"]).mean() > 5 * np.abs(bad["W1"] - p["W1"]).mean()


def test_no_wrong_answer_is_right_on_the_first_case():
    """A failure that is not about values (an input changed in place, a NumPy result for a tensor)
    is reported on the first case; no wrong implementation may coincide with the answer there."""
    from grader.core import Exercise, _matches, call, expected, to_plain
    ex = u18.UPDATE_PARAMETERS_WITH_ADAM
    case = ex.cases(0)[0]
    exp = to_plain(expected(ex, case))
    for fn, _ in ex.wrong:
        out = call(fn, Exercise(ex.name, None, None), case, "numpy")
        assert out.error or not _matches(out.value, exp, ex.rtol, ex.atol), fn.__name__
