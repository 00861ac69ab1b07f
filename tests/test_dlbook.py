"""The book's library: slider budget, data, gradient checking, unit table."""
import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from dlbook import data, gradcheck, sliders  # noqa: E402
from dlbook.units import UNITS, unit  # noqa: E402


def tiny(a=0, b=0):
    fig, ax = plt.subplots(figsize=(1, 1), dpi=20)
    ax.plot([0, 1], [a, b])
    return fig


def test_slider_figure_nests_one_stack_level_per_slider_and_links_every_stack():
    import ipywidgets as widgets
    box = sliders.slider_figure(tiny, a=[0, 1, 2], b=[0.5, 1.5])
    s_a, s_b, root = box.children
    assert [o[0] for o in s_a.options] == ["0", "1", "2"] and box.n_frames == 6
    assert isinstance(root, widgets.Stack) and len(root.children) == 3
    assert all(isinstance(c, widgets.Stack) and len(c.children) == 2 for c in root.children)
    links = box.links
    # slider a drives the root; slider b drives every one of the 3 inner Stacks
    assert sum(l.source[0] is s_a for l in links) == 1 and sum(l.source[0] is s_b for l in links) == 3
    assert all(l.source[1] == "index" and l.target[1] == "selected_index" for l in links)
    # frames differ: the image for (a=2, b=1.5) is not the one for (a=0, b=0.5)
    assert root.children[2].children[1].value != root.children[0].children[0].value


def test_slider_budget_is_enforced_before_drawing():
    calls = []
    with pytest.raises(ValueError, match="over the budget of 100"):
        sliders.slider_figure(lambda **k: calls.append(k), a=range(11), b=range(10))
    assert calls == []
    with pytest.raises(ValueError, match="MB"):
        sliders.slider_figure(tiny, a=[0, 1], max_bytes=10)
    with pytest.raises(ValueError, match="print the same"):
        sliders.slider_figure(tiny, a=[0.1000001, 0.1000002])


def test_bool_values_read_on_off():
    box = sliders.slider_figure(lambda flag: tiny(int(flag)), flag=[False, True])
    assert [o[0] for o in box.children[0].options] == ["off", "on"]


@pytest.mark.parametrize("make", [data.study_sleep, data.blobs, data.planar_flower, data.moons])
def test_data_sets_are_columns_and_seeded(make):
    X, Y = make(rng=3, m=50)
    assert X.shape == (2, 50) and Y.shape == (1, 50) and set(np.unique(Y)) <= {0.0, 1.0}
    X2, Y2 = make(rng=np.random.default_rng(3), m=50)
    assert np.array_equal(X, X2) and np.array_equal(Y, Y2)
    assert not np.array_equal(X, make(rng=4, m=50)[0])


def test_numerical_gradient_matches_a_known_gradient():
    A = np.array([[2.0, 1.0], [1.0, 3.0]])
    x = np.array([0.5, -1.0])
    f = lambda v: 0.5 * v @ A @ v
    g = gradcheck.numerical_gradient(f, x.copy())
    assert gradcheck.rel_error(g, A @ x) < 1e-9
    # a planted bug (missing factor) is caught
    assert gradcheck.rel_error(g, 0.5 * A @ x) > 0.1
    with pytest.raises(TypeError):
        gradcheck.numerical_gradient(f, x.astype(np.float32))


def test_gradcheck_against_torch_autograd():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    params = {"W": rng.normal(size=(3, 4)), "b": rng.normal(size=(3, 1))}
    X = rng.normal(size=(4, 5))
    f = lambda p: float(np.sum(np.tanh(p["W"] @ X + p["b"]) ** 2))
    Wt = torch.tensor(params["W"], requires_grad=True)
    bt = torch.tensor(params["b"], requires_grad=True)
    (torch.tanh(Wt @ torch.from_numpy(X) + bt) ** 2).sum().backward()
    errors = gradcheck.gradcheck(f, params, {"dW": Wt.grad.numpy(), "db": bt.grad.numpy()})
    assert max(errors.values()) < 1e-8, errors


def test_unit_table():
    assert len(UNITS) == 52 and len({u.stem for u in UNITS}) == 52
    assert unit(1).stem == "01-logistic-regression" and unit("21b").number == "21b"
    assert [u.course for u in UNITS] == sorted(u.course for u in UNITS)
    with pytest.raises(KeyError, match="21b"):
        unit(52)
