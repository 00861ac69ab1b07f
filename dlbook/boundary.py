"""Decision boundaries for slider frames that redraw quickly (units 08 and 09).

`dlbook.plot.decision_boundary` draws a boundary from scratch, with `contourf`. In a slider
figure, most of that work repeats in every frame: the axes, the ticks and the scattered data
do not change. A `BoundaryPanel` draws them once. Its two moving artists, the shaded
probability (an image) and the 0.5 contour (a line), are then updated per frame, and
`dlbook.frames.Blit` draws only those::

    fig, ax = plot.frame()
    panel = BoundaryPanel(ax, X, Y)
    title = ax.set_title(" ")
    frames = Blit(fig, *panel.artists, title)

    def draw(alpha):
        panel.update(lambda G: forward_propagation(G, runs[alpha])[0])
        title.set_text(f"α = {alpha:g}")
        return frames.frame()
"""
import contourpy
import numpy as np

from .plot import LINE, scatter_classes


class BoundaryPanel:
    """P(y=1|x) shaded over the plane of X (2, m), its 0.5 contour, and the data points."""

    def __init__(self, ax, X, Y=None, pad=0.5, steps=80):
        (x0, x1), (y0, y1) = [(X[i].min() - pad, X[i].max() + pad) for i in (0, 1)]
        self.gx, self.gy = np.meshgrid(np.linspace(x0, x1, steps), np.linspace(y0, y1, steps))
        self.grid = np.stack([self.gx.ravel(), self.gy.ravel()])            # (2, steps²): points as columns
        self.image = ax.imshow(np.full(self.gx.shape, 0.5), origin="lower", extent=(x0, x1, y0, y1),
                               cmap="RdBu_r", vmin=0, vmax=1, alpha=0.35, aspect="auto",
                               interpolation="bilinear")
        self.line, = ax.plot([], [], color=LINE, lw=1.2)
        if Y is not None:
            scatter_classes(ax, X, Y)
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)

    @property
    def artists(self):
        """The artists that change from frame to frame: pass them to dlbook.frames.Blit."""
        return self.image, self.line

    def update(self, predict_proba):
        """Shade predict_proba((2, k) points) -> (1, k) or (k,) and trace its 0.5 contour."""
        p = np.asarray(predict_proba(self.grid)).reshape(self.gx.shape)
        self.image.set_data(p)
        pieces = contourpy.contour_generator(self.gx, self.gy, p).lines(0.5)    # list of (k, 2) arrays
        if pieces:                                   # NaN rows separate the pieces of one Line2D
            xy = np.concatenate([np.vstack([piece, [np.nan, np.nan]]) for piece in pieces])
            self.line.set_data(xy[:, 0], xy[:, 1])
        else:
            self.line.set_data([], [])
        return p
