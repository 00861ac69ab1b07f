"""Read a notebook's exercise cells and define its functions, with the standard library only.

Used by the tests (solutions must pass, stubs must fail) and by the CUDA test module, which runs
on a machine that has numpy, torch and pytest but not the project's notebook stack.
"""
import json
from pathlib import Path


def cells(path, tag="exercise"):
    """Sources of the code cells carrying `tag`, in order."""
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    out = []
    for c in nb.get("cells", []):
        if c.get("cell_type") == "code" and tag in c.get("metadata", {}).get("tags", []):
            src = c.get("source", "")
            out.append("".join(src) if isinstance(src, list) else src)
    return out


def unit_of(path):
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    return nb.get("metadata", {}).get("dlbook", {}).get("unit")


def define(path):
    """Execute the exercise cells of a (trusted) notebook; return its namespace of functions."""
    namespace = {"__name__": "__notebook__"}
    for i, src in enumerate(cells(path)):
        exec(compile(src, f"{Path(path).name}#exercise-cell-{i}", "exec"), namespace)
    return namespace
