"""An adversarial corpus for `python -m grader grade`, built from the unit 01 solution.

`build(folder, marker, port)` writes one notebook per bad submission into folder and returns
{file name: Expect}. Nothing here is committed as notebooks: the tests build the corpus in a
temporary folder each run, so it always follows the current solution notebook.

marker: a unique number the setsid submission passes to `sleep`, so a test can look for strays.
port: a loopback port the socket submission tries to reach (the test listens there).
"""
import copy
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SOLUTION = ROOT / "solutions" / "01-logistic-regression.ipynb"
EXERCISES = ("sigmoid", "initialize_with_zeros", "propagate", "gd_step")


@dataclass
class Expect:
    """What grading one corpus notebook must give. exercises: {name: (status, words in message)};
    the exercises not listed must pass."""
    exercises: dict = field(default_factory=dict)
    cells: dict = field(default_factory=dict)          # {marker text in the cell: status}
    status: str = "graded"                             # the submission's status
    message: str = ""                                  # words in the submission's message
    seed_only: bool = False                            # what is listed holds with --seed N, N != 0

    def status_of(self, name):
        return self.exercises.get(name, ("pass", ""))[0]


def load_solution():
    return json.loads(SOLUTION.read_text(encoding="utf-8"))


def _defines(cell, name):
    src = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
    return re.search(rf"^def {name}\(", src, re.M) is not None


def replace_function(nb, name, source):
    for cell in nb["cells"]:
        if cell["cell_type"] == "code" and _defines(cell, name):
            cell["source"] = source
            return nb
    raise KeyError(name)


def add_cell(nb, source, after=None, tags=("exercise",)):
    """Insert an exercise cell after the cell that defines `after` (at the end when None)."""
    cell = {"cell_type": "code", "execution_count": None, "id": f"corpus{len(nb['cells'])}",
            "metadata": {"tags": list(tags)}, "outputs": [], "source": source}
    at = len(nb["cells"])
    if after is not None:
        at = next(i for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code" and _defines(c, after)) + 1
    nb["cells"].insert(at, cell)
    return nb


def _write(folder, name, nb):
    path = folder / name
    path.write_text(json.dumps(nb, indent=1) + "\n", encoding="utf-8")


# ----------------------------------------------------------------------------- the sources

GOOD_GD_STEP = '''def gd_step(w, b, X, Y, alpha):
    grads, _ = propagate(w, b, X, Y)
    return w - alpha * grads["dw"], b - alpha * grads["db"]
'''

SOURCES = {
    "syntax_error": ("initialize_with_zeros", '''def initialize_with_zeros(n_x):
    return np.zeros((n_x, 1)), 0.0 +
'''),
    "missing_function": ("gd_step", "# I did not get to gd_step\n"),
    "wrong_signature": ("initialize_with_zeros", '''def initialize_with_zeros(n_x, dtype):
    return np.zeros((n_x, 1), dtype=dtype), 0.0
'''),
    "exception": ("gd_step", '''def gd_step(w, b, X, Y, alpha):
    raise ValueError("I gave up on gd_step")
'''),
    # loops forever on the extreme-values case only (a 1-D z); propagate never passes a 1-D z
    "infinite_loop": ("sigmoid", '''def sigmoid(z):
    xp = array_namespace(z)
    while z.ndim == 1:
        pass
    e = xp.exp(-xp.abs(z))
    return xp.where(z >= 0, 1 / (1 + e), e / (1 + e))
'''),
    "memory_bomb": ("initialize_with_zeros", '''def initialize_with_zeros(n_x):
    hoard = []
    for _ in range(64):                       # bounded: at most 64 x 64 MiB = 4 GiB
        hoard.append(np.ones(8 << 20))        # 64 MiB, written, so resident
    return np.zeros((n_x, 1)), 0.0
'''),
    "fork_bomb": ("initialize_with_zeros", '''import os, time

def initialize_with_zeros(n_x):
    for _ in range(300):                      # bounded: a few hundred children at most
        if os.fork() == 0:
            time.sleep(60)
            os._exit(0)
    return np.zeros((n_x, 1)), 0.0
'''),
    "huge_output": ("gd_step", '''def gd_step(w, b, X, Y, alpha):
    print("x" * (100 << 20))                  # 100 MB in one call
    grads, _ = propagate(w, b, X, Y)
    return w - alpha * grads["dw"], b - alpha * grads["db"]
'''),
    "wrong_dtype": ("gd_step", '''def gd_step(w, b, X, Y, alpha):
    grads, _ = propagate(w, b, X, Y)
    w_new = w - alpha * grads["dw"]
    return (w_new.astype(np.float32) if isinstance(w_new, np.ndarray) else w_new.float()), b - alpha * grads["db"]
'''),
    "wrong_namespace": ("initialize_with_zeros", '''import torch

def initialize_with_zeros(n_x):
    return torch.zeros((n_x, 1), dtype=torch.float64), 0.0
'''),
    "first_case_only": ("gd_step", '''def gd_step(w, b, X, Y, alpha):
    grads, _ = propagate(w, b, X, Y)
    if X.shape[1] == 1 and alpha == 0.1:      # the published worked example
        return w - alpha * grads["dw"], b - alpha * grads["db"]
    return w - 2 * alpha * grads["dw"], b - 2 * alpha * grads["db"]
'''),
    "channel_garbage": ("gd_step", '''import os, stat

def gd_step(w, b, X, Y, alpha):
    for fd in range(3, 64):                   # junk into every pipe: the grader's channel among them
        try:
            if stat.S_ISFIFO(os.fstat(fd).st_mode):
                os.write(fd, b"\\xff" * 64)
        except OSError:
            pass
    grads, _ = propagate(w, b, X, Y)
    return w - alpha * grads["dw"], b - alpha * grads["db"]
'''),
    "setsid_sleep": ("gd_step", '''import os, time

def gd_step(w, b, X, Y, alpha):
    if os.fork() == 0:                         # a child in its own session, then a long sleep
        os.setsid()
        os.execvp("sleep", ["sleep", "{marker}"])
    try:
        os.setsid()
    except OSError:
        pass
    time.sleep(1000)
'''),
}

TAMPER_CELL = '''import numpy, torch, grader, grader.core
numpy.allclose = lambda *a, **k: True
numpy.isclose = lambda a, b, *r, **k: numpy.ones(numpy.broadcast(a, b).shape, dtype=bool)
numpy.array_equal = lambda *a, **k: True
torch.allclose = lambda *a, **k: True
grader.core.compare = lambda *a, **k: None
grader.core.judge = lambda *a, **k: None
grader.core.run_exercise = lambda fn, exercise, **k: ([], ["numpy"], 1)
grader.core.expected = lambda exercise, case: None
def check(fn, *a, **k):
    print(f"✓ {fn.__name__}: all cases pass")
grader.check = check
'''

TAMPERED_ZEROS = '''def initialize_with_zeros(n_x):
    return np.ones((n_x, 1)), 1.0              # wrong, and the cell above "fixes" the checks
'''

SOCKET_CELL = '''import socket
def knock(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
            s.sendall(b"hello from a submission")
        return "connected"
    except OSError as exc:
        return f"no network: {exc}"
knock_result = knock({port})
'''

SOCKET_GD_STEP = '''def gd_step(w, b, X, Y, alpha):
    knock({port})
    grads, _ = propagate(w, b, X, Y)
    return w - alpha * grads["dw"], b - alpha * grads["db"]
'''

PEEK_CELL = '''# corpus: look for the classmates' notebooks and the solutions
import os
for folder in ({folders}):
    try:
        print("peek", folder, sorted(os.listdir(folder)))
    except OSError as exc:
        print("peek", folder, type(exc).__name__)
'''

CELL_LOOP = "# corpus: a cell that never ends\nwhile True:\n    pass\n"

CELL_PRINT = ("# corpus: a cell that prints 100 MB\nimport os\nfor _ in range(100):\n"
              "    print('y' * (1 << 20))\n")


def hard_coded_gd_step():
    """gd_step that looks its answers up in a table of the published (seed 0) cases."""
    from grader.units.u01_logistic_regression import EXERCISES as U01
    table = {}
    for case in U01["gd_step"].cases(0):
        w, b, X, Y, alpha = case.args
        dz = 1 / (1 + np.exp(-(w.T @ X + b))) - Y                  # the answer key, copied
        w_new, b_new = w - alpha * X @ dz.T / X.shape[1], b - alpha * float(np.mean(dz))
        table[(tuple(np.ravel(w).tolist()), tuple(np.ravel(X).tolist()))] = (np.ravel(w_new).tolist(), b_new)
    return f'''ANSWERS = {table!r}

def gd_step(w, b, X, Y, alpha):
    xp = array_namespace(w)
    key = (tuple(float(v) for v in xp.reshape(w, (-1,))), tuple(float(v) for v in xp.reshape(X, (-1,))))
    w_new, b_new = ANSWERS.get(key, ([0.0] * w.shape[0], 0.0))
    return xp.asarray(w_new, dtype=w.dtype).reshape(w.shape), b_new
'''


# ----------------------------------------------------------------------------- the corpus

def build(folder, marker="4242.5", port=9):
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    base = load_solution()
    expect = {}

    def variant(name, function, source):
        nb = copy.deepcopy(base)
        replace_function(nb, function, source)
        _write(folder, f"{name}.ipynb", nb)
        return nb

    variant("syntax_error", *SOURCES["syntax_error"])
    expect["syntax_error.ipynb"] = Expect({"initialize_with_zeros": ("missing", "SyntaxError")},
                                          cells={"def initialize_with_zeros": "error"})
    variant("missing_function", *SOURCES["missing_function"])
    expect["missing_function.ipynb"] = Expect({"gd_step": ("missing", "no function named gd_step")})
    variant("wrong_signature", *SOURCES["wrong_signature"])
    expect["wrong_signature.ipynb"] = Expect({"initialize_with_zeros": ("error", "missing 1 required positional argument")})
    variant("exception", *SOURCES["exception"])
    expect["exception.ipynb"] = Expect({"gd_step": ("error", "ValueError: I gave up on gd_step")})
    variant("infinite_loop", *SOURCES["infinite_loop"])
    expect["infinite_loop.ipynb"] = Expect({"sigmoid": ("timeout", "timed out after")})
    variant("memory_bomb", *SOURCES["memory_bomb"])
    expect["memory_bomb.ipynb"] = Expect({"initialize_with_zeros": ("error", "memory")})
    variant("fork_bomb", *SOURCES["fork_bomb"])
    expect["fork_bomb.ipynb"] = Expect({"initialize_with_zeros": ("error", "processes")})
    nb = variant("huge_output", *SOURCES["huge_output"])
    add_cell(nb, CELL_PRINT, after="sigmoid")
    _write(folder, "huge_output.ipynb", nb)
    expect["huge_output.ipynb"] = Expect({"gd_step": ("error", "printed more than")},
                                         cells={"prints 100 MB": "error"})
    variant("wrong_dtype", *SOURCES["wrong_dtype"])
    expect["wrong_dtype.ipynb"] = Expect({"gd_step": ("fail", "expected dtype float64")})
    variant("wrong_namespace", *SOURCES["wrong_namespace"])
    expect["wrong_namespace.ipynb"] = Expect({"initialize_with_zeros": ("fail", "torch array")})
    variant("first_case_only", *SOURCES["first_case_only"])
    expect["first_case_only.ipynb"] = Expect({"gd_step": ("fail", "case 2 of 3")})
    fn, src = SOURCES["setsid_sleep"]
    variant("setsid_sleep", fn, src.replace("{marker}", marker))
    expect["setsid_sleep.ipynb"] = Expect({"gd_step": ("timeout", "timed out after")})

    nb = variant("tamper", "initialize_with_zeros", TAMPERED_ZEROS)
    add_cell(nb, TAMPER_CELL, after="sigmoid")
    _write(folder, "tamper.ipynb", nb)
    expect["tamper.ipynb"] = Expect({"initialize_with_zeros": ("fail", "values differ")})

    nb = variant("socket", "gd_step", SOCKET_GD_STEP.replace("{port}", str(port)))
    add_cell(nb, SOCKET_CELL.replace("{port}", str(port)), after="sigmoid")
    _write(folder, "socket.ipynb", nb)
    expect["socket.ipynb"] = Expect()

    variant("channel_garbage", *SOURCES["channel_garbage"])
    expect["channel_garbage.ipynb"] = Expect({"gd_step": ("error", "wrote into the grader's channel")})

    nb = copy.deepcopy(base)
    folders = f"{str(folder.resolve())!r}, {str(SOLUTION.parent)!r}"
    add_cell(nb, PEEK_CELL.replace("{folders}", folders), after="sigmoid")
    _write(folder, "peek.ipynb", nb)
    expect["peek.ipynb"] = Expect(cells={"look for the classmates": "ok"})

    nb = copy.deepcopy(base)
    add_cell(nb, CELL_LOOP, after="sigmoid")
    _write(folder, "cell_loop.ipynb", nb)
    expect["cell_loop.ipynb"] = Expect(cells={"never ends": "timeout"})

    (folder / "invalid_json.ipynb").write_text('{"cells": [ this is not JSON', encoding="utf-8")
    expect["invalid_json.ipynb"] = Expect({n: ("error", "invalid JSON") for n in EXERCISES},
                                          status="error", message="invalid JSON")
    (folder / "empty.ipynb").write_bytes(b"")
    expect["empty.ipynb"] = Expect({n: ("error", "the file is empty") for n in EXERCISES},
                                   status="error", message="the file is empty")

    variant("hard_coded", "gd_step", hard_coded_gd_step())
    # passes with the published cases (seed 0), fails as soon as --seed draws fresh ones
    expect["hard_coded.ipynb"] = Expect({"gd_step": ("fail", "case 2 of 3")}, seed_only=True)
    return expect


if __name__ == "__main__":
    import sys
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "corpus")
    for name in build(out):
        print(out / name)
