"""dlbook.frames.Blit: a blitted frame looks like a full redraw of the same figure."""
import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

from dlbook import plot  # noqa: E402
from dlbook.frames import Blit  # noqa: E402
from dlbook.sliders import png_bytes, slider_figure  # noqa: E402

X = np.linspace(0, 10, 50)


def figure_with_line(a=None):
    fig, ax = plot.frame()
    ax.set(xlim=(0, 10), ylim=(-1.1, 1.1), xlabel="x")
    line, = ax.plot(X, np.sin(a * X) if a is not None else X * np.nan, color="C1")
    title = ax.set_title(f"a = {a}" if a is not None else " ", y=1.0)
    return fig, line, title


def pixels(fig):
    return np.asarray(Image.open(io.BytesIO(png_bytes(fig, colors=None))).convert("RGB")).astype(int)


def test_blit_frame_matches_a_full_redraw():
    fig, line, title = figure_with_line()
    blit = Blit(fig, line, title)
    assert fig.number not in plt.get_fignums()          # the template is never shown
    for a in (1.0, 2.5):
        line.set_ydata(np.sin(a * X))
        title.set_text(f"a = {a}")
        fast = pixels(blit.frame())
        slow = pixels(figure_with_line(a)[0])
        assert fast.shape == slow.shape
        assert np.mean(np.abs(fast - slow) > 8) < 0.002   # the same picture, up to antialiasing


def test_frames_differ_and_feed_slider_figure():
    open_before = set(plt.get_fignums())
    fig, line, title = figure_with_line()
    blit = Blit(fig, line, title)

    def draw(a):
        line.set_ydata(np.sin(a * X))
        title.set_text(f"a = {a}")
        return blit.frame()

    one, two = pixels(draw(1.0)), pixels(draw(3.0))
    assert (one != two).any()
    widget = slider_figure(draw, a=[1.0, 2.0, 3.0])
    assert widget.n_frames == 3 and widget.n_bytes > 0
    assert set(plt.get_fignums()) == open_before        # every frame was closed
