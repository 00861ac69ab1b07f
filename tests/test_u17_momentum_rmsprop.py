"""Unit 17: dlbook.optim against torch.optim (SGD with momentum, RMSprop) and closed forms,
and the grader's oracles against the syllabus's hand-computed numbers."""
import numpy as np
import pytest
import torch

from dlbook import optim
from grader.units import u17_momentum_rmsprop as u17

TEMPS = np.array([40.0, 49.0, 45.0])


# ----------------------------------------------------------------------------- EWA

@pytest.mark.parametrize("lib", ["numpy", "torch"])
def test_ewa_reproduces_the_temperature_example(lib):
    theta = TEMPS if lib == "numpy" else torch.tensor(TEMPS)
    v = np.asarray(optim.ewa(theta, 0.98))
    v_hat = np.asarray(optim.ewa(theta, 0.98, bias_correction=True))
    np.testing.assert_allclose(v, [0.8, 1.764, 2.62872], rtol=1e-12)
    np.testing.assert_allclose(v_hat, [40.0, 44.545454, 44.700041], atol=5e-7)
    np.testing.assert_allclose(np.asarray(optim.ewa(theta, 0.9, bias_correction=True)),
                               [40.0, 44.736842, 44.833948], atol=5e-7)


def test_ewa_is_the_weighted_sum():
    rng = np.random.default_rng(0)
    theta = rng.normal(size=40)
    for beta in (0.0, 0.5, 0.9, 0.98):
        t = np.arange(1, 41)[:, None]
        k = np.arange(1, 41)[None, :]
        w = np.where(k <= t, beta ** np.clip(t - k, 0, None), 0.0)
        np.testing.assert_allclose(optim.ewa(theta, beta), (1 - beta) * w @ theta, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(optim.ewa(theta, beta, True), w @ theta / w.sum(axis=1), rtol=1e-12)


def test_ewa_keeps_float32():
    theta = np.arange(5, dtype=np.float32)
    assert optim.ewa(theta, 0.9).dtype == np.float32
    assert optim.ewa(torch.arange(5.0), 0.9, True).dtype == torch.float32


@pytest.mark.parametrize("beta, window, share", [(0.9, 10, 0.651), (0.98, 50, 0.636)])
def test_window_holds_about_two_thirds_of_the_weight(beta, window, share):
    w = optim.ewa_weights(beta, 10_000)
    assert round(1 / (1 - beta)) == window
    assert w[:window].sum() == pytest.approx(share, abs=5e-4)
    assert w.sum() == pytest.approx(1.0)


def test_grader_ewa_oracle_reproduces_the_syllabus():
    np.testing.assert_allclose(u17._ewa_oracle(TEMPS, 0.98, True), [40.0, 44.545454, 44.700041], atol=5e-7)
    np.testing.assert_allclose(u17._ewa_oracle(TEMPS, 0.98, False), [0.8, 1.764, 2.62872], rtol=1e-12)


# ----------------------------------------------------------------------------- momentum

def _grad_stream(rng, shape, n, scale=1.0):
    return [scale * rng.normal(size=shape) for _ in range(n)]


@pytest.mark.parametrize("beta, alpha", [(0.9, 0.1), (0.5, 0.3), (0.99, 1.0)])
def test_momentum_matches_torch_sgd(beta, alpha):
    rng = np.random.default_rng(1)
    w0 = rng.normal(size=(3, 4))
    grads = _grad_stream(rng, w0.shape, 6)
    wt = torch.tensor(w0)
    opt = torch.optim.SGD([wt], lr=alpha * (1 - beta), momentum=beta)
    w, v = w0, optim.zeros_state(w0)
    for g in grads:
        wt.grad = torch.tensor(g)
        opt.step()
        w, v = optim.momentum_update(w, g, v, alpha=alpha, beta=beta)
        np.testing.assert_allclose(w, wt.detach().numpy(), rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(v, (1 - beta) * opt.state[wt]["momentum_buffer"].numpy(), rtol=1e-12)


def test_dampening_is_not_the_course_form():
    """SGD(lr=alpha, momentum=beta, dampening=beta) skips the damping on its first step."""
    rng = np.random.default_rng(2)
    w0 = rng.normal(size=(2, 3))
    grads = _grad_stream(rng, w0.shape, 6)
    wt = torch.tensor(w0)
    opt = torch.optim.SGD([wt], lr=0.1, momentum=0.9, dampening=0.9)
    w, v = w0, optim.zeros_state(w0)
    for g in grads:
        wt.grad = torch.tensor(g)
        opt.step()
        w, v = optim.momentum_update(w, g, v, alpha=0.1, beta=0.9)
    assert np.abs(w - wt.detach().numpy()).max() > 0.05


def test_momentum_first_step_is_a_tenth_of_the_gradient():
    w, dw = np.array([1.0, -2.0]), np.array([0.5, 4.0])
    w1, v1 = optim.momentum_update(w, dw, optim.zeros_state(w), alpha=0.1, beta=0.9)
    np.testing.assert_allclose(v1, 0.1 * dw)
    np.testing.assert_allclose(w - w1, 0.1 * 0.1 * dw)


def test_updates_do_not_mutate_and_run_on_torch():
    w, dw = torch.ones(3, dtype=torch.float32), torch.tensor([1.0, -2.0, 0.5])
    v = optim.zeros_state(w)
    w1, v1 = optim.momentum_update(w, dw, v, alpha=0.1)
    w2, s2 = optim.rmsprop_update(w, dw, v, alpha=0.1)
    assert torch.equal(w, torch.ones(3)) and torch.equal(v, torch.zeros(3))
    assert w1.dtype == w2.dtype == torch.float32 and isinstance(s2, torch.Tensor)


# ----------------------------------------------------------------------------- RMSprop

@pytest.mark.parametrize("beta2, alpha, eps, scale", [(0.9, 0.01, 1e-8, 1.0), (0.999, 0.01, 1e-8, 1e-5),
                                                      (0.99, 0.1, 1e-4, 1.0), (0.9, 0.001, 1e-8, 1e-5)])
def test_rmsprop_matches_torch(beta2, alpha, eps, scale):
    rng = np.random.default_rng(3)
    w0 = rng.normal(size=(4, 2))
    grads = _grad_stream(rng, w0.shape, 6, scale)
    wt = torch.tensor(w0)
    opt = torch.optim.RMSprop([wt], lr=alpha, alpha=beta2, eps=eps)
    w, s = w0, optim.zeros_state(w0)
    for g in grads:
        wt.grad = torch.tensor(g)
        opt.step()
        w, s = optim.rmsprop_update(w, g, s, alpha=alpha, beta2=beta2, eps=eps)
        np.testing.assert_allclose(w, wt.detach().numpy(), rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(s, opt.state[wt]["square_avg"].numpy(), rtol=1e-12)


def test_rmsprop_first_step_spike():
    """From s = 0 the first step is alpha / sqrt(1 - beta2) per coordinate: 31.62 alpha for 0.999."""
    w, dw = np.zeros(3), np.array([0.3, -2.0, 1e-3])
    for beta2, factor in ((0.999, 31.62), (0.9, 3.162)):
        w1, _ = optim.rmsprop_update(w, dw, optim.zeros_state(w), alpha=1.0, beta2=beta2, eps=0.0)
        np.testing.assert_allclose(-w1, np.sign(dw) * factor, rtol=2e-4)


def test_epsilon_inside_the_root_is_a_different_step():
    """The syllabus's numbers: g = 1e-4, beta2 = 0.999, first step: 31.52 (outside) vs 0.9995 (inside)."""
    g, s = 1e-4, (1 - 0.999) * 1e-4 ** 2
    w1, _ = optim.rmsprop_update(np.zeros(1), np.array([g]), np.zeros(1), alpha=1.0, beta2=0.999)
    assert -w1[0] == pytest.approx(31.52, abs=5e-3)
    assert g / np.sqrt(s + 1e-8) == pytest.approx(0.9995, abs=5e-5)


# ----------------------------------------------------------------------------- the bowl

def test_bowl_grad_is_the_gradient_of_bowl_loss():
    w = torch.tensor([-3.0, 0.7], dtype=torch.float64, requires_grad=True)
    optim.bowl_loss(w, 50.0).backward()
    np.testing.assert_allclose(optim.bowl_grad(w.detach().numpy(), 50.0), w.grad.numpy(), rtol=1e-14)


def test_run_momentum_with_beta_0_is_gradient_descent():
    grad = lambda w: optim.bowl_grad(w, 100.0)
    w0 = np.array([-10.0, 1.0])
    gd = optim.run(optim.gd_update, grad, w0, 30, alpha=1.5)
    mo = optim.run(optim.momentum_update, grad, w0, 30, alpha=1.5, beta=0.0)
    assert gd.shape == (31, 2)
    np.testing.assert_allclose(gd, mo, rtol=1e-14)
    np.testing.assert_allclose(gd[-1], w0 * [(1 - 1.5 / 100) ** 30, (1 - 1.5) ** 30])


def test_run_freezes_a_diverging_path():
    path = optim.run(optim.gd_update, lambda w: optim.bowl_grad(w, 1.0), np.array([1.0, 1.0]), 2000, alpha=3.0)
    assert path.shape == (2001, 2) and np.abs(path).max() < 1e7
    assert (path[-1] == path[-2]).all()


def test_momentum_beats_gd_on_the_elongated_bowl():
    grad = lambda w: optim.bowl_grad(w, 100.0)
    w0 = np.array([-10.0, 1.0])
    best_gd = min(optim.bowl_loss(optim.run(optim.gd_update, grad, w0, 60, alpha=a)[-1], 100.0)
                  for a in (0.5, 1.0, 1.8))
    mo = optim.bowl_loss(optim.run(optim.momentum_update, grad, w0, 60, alpha=10.0, beta=0.8)[-1], 100.0)
    assert mo < best_gd / 100


# ----------------------------------------------------------------------------- grader oracles

def test_momentum_oracle_chained_equals_six_torch_steps():
    """Feeding the one-step oracle its own output reproduces six steps of SGD from zero."""
    rng = np.random.default_rng(4)
    params = u17._net(rng, (3, 4, 2))
    grads = [u17._grads_like(rng, params) for _ in range(6)]
    p, v = params, u17._velocity_oracle(params)
    for g in grads:
        p, v = u17._momentum_oracle(p, g, v, 0.9, 0.1)
    tensors = {k: torch.tensor(x) for k, x in params.items()}
    opt = torch.optim.SGD(tensors.values(), lr=0.1 * (1 - 0.9), momentum=0.9)
    for g in grads:
        for k, t in tensors.items():
            t.grad = torch.tensor(g["d" + k])
        opt.step()
    for k, t in tensors.items():
        np.testing.assert_allclose(p[k], t.detach().numpy(), rtol=1e-12)
        # and dlbook agrees array by array
    w, vk = params["W1"], np.zeros_like(params["W1"])
    for g in grads:
        w, vk = optim.momentum_update(w, g["dW1"], vk, alpha=0.1, beta=0.9)
    np.testing.assert_allclose(w, p["W1"], rtol=1e-12)


def test_rmsprop_oracle_chained_equals_six_torch_steps():
    rng = np.random.default_rng(5)
    params = u17._net(rng, (2, 3, 1))
    grads = [u17._grads_like(rng, params, 1e-5) for _ in range(6)]
    p, s = params, u17._velocity_oracle(params)
    for g in grads:
        p, s = u17._rmsprop_oracle(p, g, s, 0.999, 0.01, 1e-8)
    tensors = {k: torch.tensor(x) for k, x in params.items()}
    opt = torch.optim.RMSprop(tensors.values(), lr=0.01, alpha=0.999, eps=1e-8)
    for g in grads:
        for k, t in tensors.items():
            t.grad = torch.tensor(g["d" + k])
        opt.step()
    for k, t in tensors.items():
        np.testing.assert_allclose(p[k], t.detach().numpy(), rtol=1e-12)
    w, sk = params["b1"], np.zeros_like(params["b1"])
    for g in grads:
        w, sk = optim.rmsprop_update(w, g["db1"], sk, alpha=0.01, beta2=0.999)
    np.testing.assert_allclose(w, p["b1"], rtol=1e-12)


def test_epsilon_inside_fails_the_tiny_gradient_case():
    """The tiny-gradient case alone separates eps inside the root from eps outside by orders of magnitude."""
    case = next(c for c in u17.RMSPROP.cases(0) if c.label == "tiny gradients (about 1e-5), first step")
    good, _ = u17._rmsprop_oracle(*case.args)
    bad, _ = u17._rmsprop_eps_inside(*case.args)
    p = case.args[0]
    step_good = np.abs(good["W1"] - p["W1"]).mean()
    step_bad = np.abs(bad["W1"] - p["W1"]).mean()
    assert step_good > 10 * step_bad


@pytest.mark.parametrize("name", ["ewa", "update_parameters_with_momentum", "update_parameters_with_rmsprop"])
def test_no_wrong_answer_is_right_on_the_first_case(name):
    """A failure that is not about values (an input changed in place, a NumPy result for a tensor)
    is reported on the first case; no wrong implementation may coincide with the answer there,
    or its hint would be quoted for a mistake the student did not make."""
    from grader.core import Exercise, _matches, call, expected, to_plain
    ex = u17.EXERCISES[name]
    case = ex.cases(0)[0]
    exp = to_plain(expected(ex, case))
    for fn, _ in ex.wrong:
        out = call(fn, Exercise(name, None, None), case, "numpy")
        assert out.error or not _matches(out.value, exp, ex.rtol, ex.atol), fn.__name__
