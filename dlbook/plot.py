"""One plotting style for the whole book: sizes, colours, decision boundaries, loss curves."""
import matplotlib.pyplot as plt
import numpy as np

# Colour-blind-safe pair for the two classes, and a neutral line colour (Okabe-Ito palette).
CLASS_COLORS = ("#0072B2", "#D55E00")
LINE = "#222222"
ACCENT = ("#009E73", "#CC79A7", "#E69F00", "#56B4E9")
SLIDER_SIZE = (5.6, 3.2)     # inches; at 80 dpi a slider frame is about 450 x 260 px
SLIDER_DPI = 80

STYLE = {
    "figure.dpi": 100, "savefig.dpi": "figure", "font.size": 10, "axes.titlesize": 11,
    "axes.spines.top": False, "axes.spines.right": False, "axes.grid": True,
    "grid.alpha": 0.3, "legend.frameon": False, "figure.autolayout": True,
    "image.cmap": "RdBu_r", "svg.hashsalt": "dlbook",
    "axes.titley": 1.0,          # a fixed title position: automatic placement costs ~15% of a frame
}


def use_style():
    """Apply the book's style; every chapter calls it once at the top."""
    plt.rcParams.update(STYLE)


def frame(ncols=1, size=SLIDER_SIZE, dpi=SLIDER_DPI, margins=None, **kw):
    """A new figure sized for a slider frame; returns (fig, axes).

    Margins are fixed instead of computed by a layout engine: tight layout draws every figure
    twice, and a slider figure draws dozens of frames. margins: dict for subplots_adjust.
    """
    w, h = size
    fig, axes = plt.subplots(1, ncols, figsize=(w, h), dpi=dpi, layout="none", **kw)
    fig.subplots_adjust(**{"left": 0.12, "right": 0.97, "bottom": 0.15, "top": 0.88,
                           "wspace": 0.32, **(margins or {})})
    for ax in np.atleast_1d(axes):
        ax.locator_params(nbins=5)       # fewer ticks: tick drawing dominates a frame's cost
    return fig, axes


def scatter_classes(ax, X, y, s=14):
    """X: (2, m) points as columns, y: (m,) or (1, m) labels in {0, 1}."""
    y = np.asarray(y).reshape(-1)
    for cls, color in enumerate(CLASS_COLORS):
        pts = X[:, y == cls]
        ax.scatter(pts[0], pts[1], s=s, c=color, edgecolors="white", linewidths=0.4, label=f"y = {cls}")


def decision_boundary(ax, predict_proba, X, y=None, pad=0.5, steps=200):
    """Shade P(y=1|x) from predict_proba((2, k) points) -> (1, k) or (k,), draw the 0.5 contour."""
    (x0, x1), (y0, y1) = [(X[i].min() - pad, X[i].max() + pad) for i in (0, 1)]
    gx, gy = np.meshgrid(np.linspace(x0, x1, steps), np.linspace(y0, y1, steps))
    grid = np.stack([gx.ravel(), gy.ravel()])
    p = np.asarray(predict_proba(grid)).reshape(gx.shape)
    # imshow is several times cheaper than contourf, which matters for slider frames
    ax.imshow(p, extent=(x0, x1, y0, y1), origin="lower", cmap="RdBu_r", alpha=0.35, vmin=0, vmax=1,
              aspect="auto", interpolation="bilinear")
    if p.min() < 0.5 < p.max():
        ax.contour(gx, gy, p, levels=[0.5], colors=LINE, linewidths=1.2)
    if y is not None:
        scatter_classes(ax, X, y)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)


def loss_curve(ax, costs, label=None, color=LINE, log=False):
    """Plot a cost per iteration; log=True for a log y-axis."""
    ax.plot(np.arange(len(costs)), costs, color=color, label=label, lw=1.5)
    ax.set_xlabel("iteration")
    ax.set_ylabel("cost")
    if log:
        ax.set_yscale("log")
