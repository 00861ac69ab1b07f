"""Exercise notebooks: generated from the solutions, clean, and every check fails until solved.

The solutions themselves run under nbval in the same pytest session (`make test` passes
`--nbval-lax solutions`): every cell, checks included, must pass there.
"""
import json
import subprocess
import sys

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import ROOT
from dlbook.units import UNITS
from grader.notebooks import strip_solutions

EXERCISES = [u for u in UNITS if u.path("exercise").exists()]


def test_exercises_are_in_sync_with_solutions():
    r = subprocess.run([sys.executable, "-m", "grader", "exercises", "--check"], cwd=ROOT,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


@pytest.mark.parametrize("unit", [u for u in UNITS if u.path("solution").exists()], ids=lambda u: u.stem)
def test_notebooks_are_committed_clean(unit):
    for path in (unit.path("solution"), unit.path("exercise")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        assert nb["metadata"]["dlbook"]["unit"] == unit.number
        for c in nb["cells"]:
            assert c.get("id"), f"{path.name}: a cell has no id"
            if c["cell_type"] == "code":
                assert not c["outputs"] and c["execution_count"] is None, f"{path.name}: stored outputs"
    sol, ex = (json.loads(p.read_text(encoding="utf-8")) for p in (unit.path("solution"), unit.path("exercise")))
    assert [c["id"] for c in sol["cells"]] == [c["id"] for c in ex["cells"]], "cell ids differ"


@pytest.mark.parametrize("unit", EXERCISES, ids=lambda u: u.stem)
def test_every_check_fails_in_the_unsolved_exercise(unit, tmp_path):
    nb = nbformat.read(unit.path("exercise"), as_version=4)
    client = NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    checks = [c for c in nb.cells if "check" in c.metadata.get("tags", [])]
    assert checks, "the exercise has no check cells"
    passed = [c.source for c in checks if not any(o.output_type == "error" for o in c.outputs)]
    assert not passed, f"check cells that pass without a solution: {passed}"
    setup = [c for c in nb.cells if "setup" in c.metadata.get("tags", [])]
    assert all(not any(o.output_type == "error" for o in c.outputs) for c in setup), "the setup cell fails"


def test_strip_solutions_keeps_indentation_and_code_around():
    src = "def f(x):\n    y = 1\n    ### BEGIN SOLUTION\n    return x + y\n    ### END SOLUTION\n\nprint(f)"
    assert strip_solutions(src) == ("def f(x):\n    y = 1\n    # YOUR CODE HERE\n    raise NotImplementedError\n"
                                    "\nprint(f)")
    with pytest.raises(ValueError):
        strip_solutions("### BEGIN SOLUTION\nx = 1\n")
