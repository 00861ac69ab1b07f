"""Fast slider frames: draw a figure's fixed parts once, and per frame only what moves.

A slider figure draws dozens of frames, and most of a frame's cost is text (tick labels,
axis labels, legends) that is the same in every frame. `Blit` renders the figure once as a
template, then each frame restores that picture and draws only the moving artists on top
(matplotlib's blitting), about three times faster than drawing a new figure::

    fig, ax = plot.frame()
    ax.set(xlim=(0, 10), ylim=(-1, 1))          # fix the limits: the axes are drawn once
    line, = ax.plot([], [])
    blit = Blit(fig, line)

    def draw(a):
        line.set_data(x, np.sin(a * x))
        return blit.frame()

    slider_figure(draw, a=[1, 2, 3])

Only the artists passed to `Blit` may change between frames; anything else (limits, ticks,
labels) is frozen in the template.
"""
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg


class Blit:
    """A frozen template of `fig` plus the artists that move; `frame()` returns a new Figure."""

    def __init__(self, fig, *moving):
        for artist in moving:
            artist.set_animated(True)            # left out of the template
        plt.close(fig)                           # a template only: pyplot never shows it
        FigureCanvasAgg(fig)                     # closing detaches the canvas: attach one that blits
        fig.canvas.draw()
        self.fig, self.moving = fig, moving
        self.background = fig.canvas.copy_from_bbox(fig.bbox)

    def frame(self):
        """The template with the moving artists drawn in their current state, as a new Figure."""
        canvas = self.fig.canvas
        canvas.restore_region(self.background)
        for artist in self.moving:
            self.fig.draw_artist(artist)
        pixels = np.asarray(canvas.buffer_rgba()).copy()          # (H, W, 4) uint8
        out = plt.figure(figsize=self.fig.get_size_inches(), dpi=self.fig.dpi)
        out.figimage(pixels)
        return out
