"""Slider figures that respond in JupyterLab *and* in the static web book.

Every frame is drawn once, when the notebook runs (at build time for the book), and stored
as a PNG in the widget state. Sliders switch between frames in the browser through `jslink`,
so the static page needs no kernel. Several sliders make a tree of `Stack`s: level k is
indexed by slider k, and slider k is linked to *every* Stack on its level, so moving one
slider keeps the others' values (a single flat index i*n+j cannot be computed by jslink).

    fig = slider_figure(draw, alpha=[0.01, 0.1, 1.0], beta=[0.0, 0.9], labels={"alpha": "α"})

`draw(alpha=..., beta=...)` returns a matplotlib Figure; it is closed after rendering.
"""
import io
import math

import ipywidgets as widgets
import matplotlib.pyplot as plt
from matplotlib.backends.backend_agg import FigureCanvasAgg
from PIL import Image as PILImage

MAX_FRAMES = 100            # design §10: the budget of one figure
MAX_BYTES = 3_000_000       # about 3 MB of PNG per figure


def png_bytes(fig, colors=256):
    """The figure as PNG bytes (the figure is closed). colors: palette size, None for full colour.

    The figure is rendered once by Agg and its pixels go straight to PIL (no PNG round trip);
    a 256-colour palette makes plots 3-4x smaller and looks the same.
    """
    canvas = fig.canvas if hasattr(fig.canvas, "buffer_rgba") else FigureCanvasAgg(fig)
    canvas.draw()
    img = PILImage.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    plt.close(fig)
    img = img.convert("RGB")
    if colors:                          # fast octree: 5x faster than median cut, and smaller here
        img = img.quantize(colors=colors, method=PILImage.Quantize.FASTOCTREE)
    buf = io.BytesIO()
    img.save(buf, format="png")
    return buf.getvalue()


def _label(value):
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, (int, float)):
        return f"{value:g}"
    return str(value)


def slider_figure(draw, *, labels=None, colors=256, max_frames=MAX_FRAMES, max_bytes=MAX_BYTES, **grids):
    """A figure with one slider per keyword grid, precomputed for every combination of values.

    draw: function(**params) -> matplotlib Figure.
    grids: name=[values], in slider order (top to bottom). Floats, ints, bools or strings.
    labels: optional display names, e.g. {"alpha": "α", "beta1": "β₁"} (Unicode: widget
        labels are not typeset by MathJax in the static page).
    Raises ValueError before drawing anything when the grid exceeds `max_frames`, and after
    drawing when the PNGs exceed `max_bytes`: fix a parameter or use a coarser grid.
    """
    if not grids:
        raise ValueError("slider_figure needs at least one grid, e.g. alpha=[0.01, 0.1, 1]")
    names = list(grids)
    values = [list(v) for v in grids.values()]
    for name, vals in zip(names, values):
        if not vals:
            raise ValueError(f"slider_figure: the grid for {name!r} is empty")
        shown = [_label(v) for v in vals]
        if len(set(shown)) != len(shown):
            raise ValueError(f"slider_figure: values of {name!r} print the same: {shown}")
    n_frames = math.prod(len(v) for v in values)
    if n_frames > max_frames:
        sizes = " x ".join(f"{len(v)} {n}" for n, v in zip(names, values))
        raise ValueError(f"slider_figure: {sizes} = {n_frames} frames, over the budget of {max_frames}; "
                         "fix a parameter the figure does not need to vary, or use a coarser grid")
    labels = labels or {}
    shown = [labels.get(name, name) for name in names]
    label_width = f"{max(len(s) for s in shown) + 2}ch"     # one width, so the tracks line up
    sliders = [
        widgets.SelectionSlider(
            options=[(_label(v), v) for v in vals], value=vals[0],
            description=label, continuous_update=True,
            style={"description_width": label_width}, layout={"width": "460px"},
        )
        for label, vals in zip(shown, values)
    ]
    levels = [[] for _ in names]        # levels[k]: every Stack that slider k drives
    total = 0

    def tree(k, prefix):                 # the Stack over values[k] below a fixed prefix
        nonlocal total
        if k == len(names):
            png = png_bytes(draw(**dict(zip(names, prefix))), colors)
            total += len(png)
            return widgets.Image(value=png, format="png")
        stack = widgets.Stack([tree(k + 1, prefix + (v,)) for v in values[k]], selected_index=0)
        levels[k].append(stack)
        return stack

    root = tree(0, ())
    if total > max_bytes:
        raise ValueError(f"slider_figure: {n_frames} frames take {total / 1e6:.1f} MB, over the budget of "
                         f"{max_bytes / 1e6:.1f} MB; use fewer frames, a smaller figure or a lower dpi")
    links = [widgets.jslink((slider, "index"), (stack, "selected_index"))   # SelectionSlider.value
             for slider, stacks in zip(sliders, levels) for stack in stacks]  # cannot be synced; index can
    box = widgets.VBox([*sliders, root])
    box.add_class("dlbook-slider-figure")
    box.n_frames, box.n_bytes, box.links = n_frames, total, links   # for tests and budget notes
    return box
