"""The checking machinery: cases, backends, plain values, comparison and hints.

An exercise is declared once, in its unit's module (grader/units/uNN_*.py), as an `Exercise`:
how to draw its cases, an independent oracle that computes the expected answer, the backends
it runs on, the helpers it may not call, and (wrong implementation, hint) pairs.

Grading is split in three steps so that the student's code can run in another process:

1. `exercise.cases(seed)` draws the inputs (NumPy, float64 unless a case says otherwise);
   `expected(exercise, case)` runs the oracle. Both happen in the grader's process.
2. `call(fn, case, backend)` converts the inputs to the backend, calls the student's function
   and turns what it returned into *plain* data (`Arr`, floats, ints, strings, dicts, tuples).
   This is the only step that runs student code.
3. `judge(...)` compares plain data with the expected answer and writes the message, with a
   hint when one of the exercise's wrong implementations produces the same output.
"""
import copy
import importlib
import math
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

BACKENDS = ("numpy", "torch-cpu", "torch-cuda")


# ----------------------------------------------------------------------------- declarations

@dataclass
class Case:
    """One set of inputs. args hold NumPy arrays, Python scalars, or dicts/tuples of them."""
    args: tuple
    label: str
    dtype: Any = np.float64          # array results must come back in this dtype


@dataclass
class Exercise:
    name: str
    draw: Callable                   # rng -> list[Case]
    oracle: Callable                 # (*args as float64 NumPy) -> expected answer
    backends: tuple = ("numpy", "torch")   # ("python",) for functions of plain ints
    wrong: list = field(default_factory=list)      # [(wrong_fn, hint)]
    forbidden: tuple = ()            # dotted names replaced by raising stubs while graded
    rtol: float = 1e-10
    atol: float = 1e-12
    strict_fp: bool = False          # NumPy overflow/invalid/divide raise instead of warning
    fp_hint: str = ""                # quoted when strict_fp catches a floating-point error
    points: int = 1
    arg_names: tuple = ()            # for messages: "w = [[0.1], [-0.1]], b = 0.0, ..."
    returns: tuple = ()              # names of the returned tuple's items, for messages

    def cases(self, seed=0):
        return self.draw(np.random.default_rng(seed))


def load_unit(number):
    """The grader module of a unit: an object with EXERCISES = {name: Exercise}."""
    from dlbook.units import unit
    u = unit(number)
    return importlib.import_module(f"grader.units.{u.path('grader').stem}")


# ----------------------------------------------------------------------------- backends

def available_backends():
    out = ["numpy"]
    try:
        import torch
    except ImportError:
        return out
    out.append("torch-cpu")
    if torch.cuda.is_available():
        out.append("torch-cuda")
    return out


def backends_for(exercise, wanted=None):
    """The backends an exercise runs on here, in order; wanted: a subset to restrict to."""
    if exercise.backends == ("python",):
        return ["python"]
    have = available_backends()
    out = [b for b in have if b == "numpy" and "numpy" in exercise.backends
           or b.startswith("torch") and "torch" in exercise.backends]
    if wanted is not None:
        out = [b for b in out if b in wanted]
    return out


def to_backend(value, backend):
    """A deep copy of value with every NumPy array moved to the backend."""
    if isinstance(value, np.ndarray):
        if backend in ("numpy", "python"):
            return value.copy()
        import torch
        t = torch.from_numpy(value.copy())
        return t.to("cuda") if backend == "torch-cuda" else t
    if isinstance(value, dict):
        return {k: to_backend(v, backend) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return type(value)(to_backend(v, backend) for v in value)
    return copy.deepcopy(value)


# ----------------------------------------------------------------------------- plain values

@dataclass
class Arr:
    """An array the student returned, as plain data: its values and where it came from."""
    value: np.ndarray
    lib: str                          # "numpy" | "torch"
    dtype: str
    device: str = "cpu"


@dataclass
class Opaque:
    """Something that is neither an array, a number, a string, nor a dict/tuple of them."""
    type: str
    text: str


def to_plain(obj, _depth=0):
    """Turn a returned value into plain data that can cross a process boundary safely."""
    if _depth > 8:
        return Opaque(type(obj).__name__, "nested too deeply")
    if isinstance(obj, np.ndarray):
        if obj.dtype == object:
            return Opaque("ndarray[object]", "an array of Python objects")
        return Arr(np.array(obj), "numpy", str(obj.dtype))
    if isinstance(obj, (bool, np.bool_)):
        return bool(obj)
    if isinstance(obj, (int, np.integer)):
        return int(obj) if isinstance(obj, int) else Opaque(type(obj).__name__, repr(obj))
    if isinstance(obj, float):        # np.float64 is a float subclass and accepted as one
        return float(obj)
    if isinstance(obj, str):
        return obj
    if isinstance(obj, dict):
        return {str(k): to_plain(v, _depth + 1) for k, v in obj.items()}
    if isinstance(obj, (tuple, list)):
        return tuple(to_plain(v, _depth + 1) for v in obj)
    mod = type(obj).__module__ or ""
    if mod.startswith("torch") and type(obj).__name__ in ("Tensor", "Parameter"):
        t = obj.detach()
        dtype = str(t.dtype).replace("torch.", "")
        device = t.device.type
        try:
            value = t.cpu().numpy()
        except TypeError:             # e.g. bfloat16 has no NumPy twin
            value = t.cpu().double().numpy()
        return Arr(np.array(value), "torch", dtype, device)
    if isinstance(obj, np.generic):
        return Opaque(type(obj).__name__, repr(obj))
    if obj is None:
        return None
    text = repr(obj)
    return Opaque(type(obj).__name__, text[:200])


def describe(v):
    """A short description of a plain value: 'torch float64 (3, 1) on cpu', 'float 0.5'."""
    if isinstance(v, Arr):
        where = f" on {v.device}" if v.lib == "torch" else ""
        return f"{v.lib} {v.dtype} array of shape {tuple(v.value.shape)}{where}"
    if isinstance(v, Opaque):
        return f"a {v.type} ({v.text})"
    if isinstance(v, dict):
        return "dict with keys " + ", ".join(repr(k) for k in v)
    if isinstance(v, tuple):
        return f"tuple of {len(v)}"
    if v is None:
        return "None"
    return f"{type(v).__name__} {v!r}"


def fmt_array(a, limit=12):
    a = np.asarray(a)
    if a.size <= limit:
        return np.array2string(a, precision=6, separator=", ", threshold=limit).replace("\n", "")
    return f"<{a.dtype} array of shape {a.shape}>"


def _summary(v, depth=0):
    """A short text for an input: small arrays in full, others by dtype and shape, recursively."""
    if isinstance(v, np.ndarray):
        return fmt_array(v) if v.size <= 12 and depth == 0 else (
            fmt_array(v) if v.size <= 4 else f"{v.dtype} {v.shape}")
    if depth > 2:
        return "..."
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k}: {_summary(x, depth + 1)}" for k, x in v.items()) + "}"
    if isinstance(v, (tuple, list)):
        items = [_summary(x, depth + 1) for x in v[:6]] + (["..."] if len(v) > 6 else [])
        return ("(" if isinstance(v, tuple) else "[") + ", ".join(items) + (")" if isinstance(v, tuple) else "]")
    text = repr(v)
    return text if len(text) <= 60 else text[:57] + "..."


def fmt_inputs(args, names=None):
    parts = []
    for i, a in enumerate(args):
        name = names[i] if names and i < len(names) else f"arg{i}"
        sep = ": " if isinstance(a, np.ndarray) and a.size > 12 else " = "
        parts.append(f"{name}{sep}{_summary(a)}")
    return ", ".join(parts)


# ----------------------------------------------------------------------------- oracle

def as_float64(value):
    if isinstance(value, np.ndarray) and np.issubdtype(value.dtype, np.floating):
        return value.astype(np.float64)
    if isinstance(value, dict):
        return {k: as_float64(v) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return type(value)(as_float64(v) for v in value)
    return copy.deepcopy(value)


def expected(exercise, case):
    """The oracle's answer for a case, with arrays cast to the case's dtype.

    Oracles run on one torch thread: their problems are tiny, and on a small machine torch's
    thread pool costs far more than it gains (20x seen on 2 busy cores).
    """
    with one_torch_thread():
        out = exercise.oracle(*as_float64(case.args))
    return _cast(out, case.dtype)


@contextmanager
def one_torch_thread():
    """Run a block on one torch thread (if torch is loaded), restoring the count afterwards."""
    import sys
    torch = sys.modules.get("torch")
    if torch is None:
        yield
        return
    old = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(old)


def _cast(v, dtype):
    if isinstance(v, np.ndarray) and np.issubdtype(v.dtype, np.floating):
        return v.astype(dtype)
    if isinstance(v, dict):
        return {k: _cast(x, dtype) for k, x in v.items()}
    if isinstance(v, tuple):
        return tuple(_cast(x, dtype) for x in v)
    return v


# ----------------------------------------------------------------------------- calling

class Forbidden(Exception):
    """Raised by a forbidden helper called from student code."""


@contextmanager
def forbid(names):
    """Replace each dotted name (module.attr or module.Class.method) by a raising stub."""
    with ExitStack() as stack:
        for dotted in names:
            owner, attr = _resolve_owner(dotted)
            if owner is None:
                continue
            own = attr in vars(owner)          # else inherited: delete our stub afterwards
            original = vars(owner)[attr] if own else None

            def stub(*a, _name=dotted, **k):
                raise Forbidden(f"{_name} is not allowed in this exercise (see its docstring for what to use)")

            setattr(owner, attr, stub)
            stack.callback(setattr, owner, attr, original) if own else stack.callback(delattr, owner, attr)
        yield


def _resolve_owner(dotted):
    parts = dotted.split(".")
    for i in range(len(parts) - 1, 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        try:
            for p in parts[i:-1]:
                obj = getattr(obj, p)
            getattr(obj, parts[-1])
        except AttributeError:
            return None, None
        return obj, parts[-1]
    return None, None


@dataclass
class Outcome:
    """What happened when the student's function ran on one case and backend."""
    value: Any = None                 # plain data
    error: str = ""                   # "TypeError: ..." when it raised
    error_type: str = ""
    mutated: list = field(default_factory=list)   # names of inputs it changed


def call(fn, exercise, case, backend):
    """Run fn on the case converted to backend. Returns an Outcome of plain data only."""
    args = to_backend(case.args, backend)
    before = to_plain(args)
    try:
        with ExitStack() as stack:
            stack.enter_context(forbid(exercise.forbidden))
            stack.enter_context(one_torch_thread())     # tiny cases: threads only contend
            if exercise.strict_fp and backend == "numpy":
                stack.enter_context(np.errstate(over="raise", invalid="raise", divide="raise"))
            result = fn(*args)
    except Exception as exc:          # the student's exception is data here, not our crash
        return Outcome(error=f"{type(exc).__name__}: {exc}", error_type=type(exc).__name__)
    mutated = [i for i, (a, b) in enumerate(zip(before, to_plain(args))) if not _same(a, b)]
    return Outcome(value=to_plain(result), mutated=mutated)


def _same(a, b):
    if isinstance(a, Arr) and isinstance(b, Arr):
        return a.value.shape == b.value.shape and np.array_equal(a.value, b.value, equal_nan=True)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and (a == b or (isinstance(a, float) and math.isnan(a) and math.isnan(b)))


# ----------------------------------------------------------------------------- judging

def _tolerances(exercise, case):
    if np.dtype(case.dtype) == np.float32:
        return max(exercise.rtol, 1e-5), max(exercise.atol, 1e-6)
    return exercise.rtol, exercise.atol


def compare(exp, got, backend, rtol, atol, where="output"):
    """None when got matches exp, else a message. Checks type, namespace, device, dtype, shape, values."""
    if isinstance(exp, np.ndarray):
        if not isinstance(got, Arr):
            return f"{where}: expected an array of shape {exp.shape}, got {describe(got)}"
        lib = "torch" if backend.startswith("torch") else "numpy"
        if got.lib != lib:
            return (f"{where}: the input was a {lib} array but you returned a {got.lib} array; "
                    f"use xp = array_namespace(x) and xp.* functions so the result stays {lib}")
        if lib == "torch" and got.device != backend.split("-")[1]:
            return f"{where}: the input was on {backend.split('-')[1]} but the result is on {got.device}"
        if got.value.shape != exp.shape:
            return f"{where}: expected shape {exp.shape}, got shape {got.value.shape}"
        if got.dtype != str(exp.dtype):
            return f"{where}: expected dtype {exp.dtype} (the input's), got {got.dtype}"
        return _values(exp, got.value, rtol, atol, where)
    if isinstance(exp, bool):
        if got is not exp:
            return f"{where}: expected {exp!r}, got {describe(got)}"
        return None
    if isinstance(exp, (int, float)):
        kind = "int" if isinstance(exp, int) else "float"
        if isinstance(got, Arr):
            return (f"{where}: expected a Python {kind}, got {describe(got)}; "
                    f"convert with {kind}(...)")
        if kind == "int" and (not isinstance(got, int) or isinstance(got, bool)):
            return f"{where}: expected a Python int, got {describe(got)}"
        if kind == "float" and (not isinstance(got, (int, float)) or isinstance(got, bool)):
            return f"{where}: expected a Python float, got {describe(got)}"
        return _values(np.asarray(exp, dtype=float), np.asarray(got, dtype=float), rtol, atol, where)
    if isinstance(exp, dict):
        if not isinstance(got, dict):
            return f"{where}: expected a dict with keys {sorted(exp)}, got {describe(got)}"
        if set(got) != set(exp):
            return f"{where}: expected keys {sorted(exp)}, got keys {sorted(got)}"
        for k in exp:
            msg = compare(exp[k], got[k], backend, rtol, atol, f"{where}[{k!r}]")
            if msg:
                return msg
        return None
    if isinstance(exp, tuple):
        if not isinstance(got, tuple) or len(got) != len(exp):
            return f"{where}: expected a tuple of {len(exp)} items, got {describe(got)}"
        for i, (e, g) in enumerate(zip(exp, got)):
            msg = compare(e, g, backend, rtol, atol, f"{where}[{i}]")
            if msg:
                return msg
        return None
    if exp is None:
        return None if got is None else f"{where}: expected None, got {describe(got)}"
    if exp != got:
        return f"{where}: expected {exp!r}, got {describe(got)}"
    return None


def _values(exp, got, rtol, atol, where):
    exp = np.asarray(exp, dtype=np.float64)
    got = np.asarray(got, dtype=np.float64)
    bad_nan = ~np.isfinite(got) & np.isfinite(exp)
    if bad_nan.any():
        idx = tuple(int(i) for i in np.argwhere(bad_nan)[0])
        return (f"{where}: got {got[idx] if got.ndim else got} at index {idx} where {exp[idx] if exp.ndim else exp} "
                f"was expected (NaN or inf: an overflow, a log of 0 or a division by 0?)")
    ok = np.isclose(got, exp, rtol=rtol, atol=atol, equal_nan=True)
    if ok.all():
        return None
    err = np.where(ok, 0.0, np.abs(got - exp))
    err = np.nan_to_num(err, nan=np.inf)
    idx = np.unravel_index(int(np.argmax(err)), err.shape) if err.ndim else ()
    lines = [f"{where}: values differ at {int((~ok).sum())} of {ok.size} positions "
             f"(max abs error {float(err.max()):.3g} at index {tuple(int(i) for i in idx)}; rtol={rtol:g}, atol={atol:g})"]
    if exp.size <= 12:
        lines += [f"  expected: {fmt_array(exp)}", f"  got:      {fmt_array(got)}"]
    else:
        lines += [f"  expected[{tuple(int(i) for i in idx)}] = {exp[idx]:.8g}, got {got[idx]:.8g}"]
    return "\n".join(lines)


def find_hint(exercise, case, got, backend, exp=None):
    """The hint of the first wrong implementation whose output on this case matches got.

    A wrong implementation that happens to give the right answer on this case is skipped: the
    student's failure (a mutated input, a NumPy result for a tensor) is then something else.
    """
    rtol, atol = _tolerances(exercise, case)
    right = to_plain(exp) if exp is not None else None
    # Right values in the wrong type, dtype or library: only a wrong answer that makes exactly
    # that mistake (same dtype and type) may lend its hint; the message says the rest.
    type_only = right is not None and _matches(right, got, rtol, atol)
    for wrong_fn, hint in exercise.wrong:
        outcome = call(wrong_fn, Exercise(exercise.name, None, None), case, "numpy")
        if outcome.error:
            continue
        if right is not None and _matches(outcome.value, right, rtol, atol, strict=True):
            continue
        if _matches(outcome.value, got, rtol, atol, strict=type_only):
            return hint
    return None


def _matches(ref, got, rtol, atol, strict=False):
    """Value equality of two plain values, ignoring which library/device an array is on.

    Loose (for recognising a student's output): tolerances of at least 1e-7, any dtype.
    strict (for "is this the right answer?"): the exercise's tolerances, same dtype and type.
    """
    if not strict:
        rtol, atol = max(rtol, 1e-7), max(atol, 1e-9)
    if isinstance(ref, Arr):
        if not isinstance(got, Arr) or ref.value.shape != got.value.shape:
            return False
        if strict and ref.dtype != got.dtype:
            return False
        return bool(np.allclose(got.value.astype(float), ref.value.astype(float), rtol=rtol, atol=atol,
                                equal_nan=True))
    if isinstance(ref, dict):
        return isinstance(got, dict) and ref.keys() == got.keys() and all(
            _matches(ref[k], got[k], rtol, atol, strict) for k in ref)
    if isinstance(ref, tuple):
        return isinstance(got, tuple) and len(ref) == len(got) and all(
            _matches(a, b, rtol, atol, strict) for a, b in zip(ref, got))
    if isinstance(ref, (int, float)) and not isinstance(ref, bool):
        if strict and type(ref) is not type(got):
            return False
        return (isinstance(got, (int, float)) and not isinstance(got, bool)
                and math.isclose(got, ref, rel_tol=rtol, abs_tol=atol))
    return ref == got


@dataclass
class Failure:
    exercise: str
    case_index: int
    n_cases: int
    case: Case
    backend: str
    message: str
    hint: str = ""
    status: str = "fail"              # "fail" | "error" | "missing"
    arg_names: tuple = ()

    def __str__(self):
        head = (f"{self.exercise}: case {self.case_index + 1} of {self.n_cases} "
                f"({self.case.label}) failed on {self.backend}")
        lines = [head, f"  inputs: {fmt_inputs(self.case.args, self.arg_names)}",
                 "  " + self.message.replace("\n", "\n  ")]
        if self.hint:
            lines.append(f"  hint: {self.hint}")
        return "\n".join(lines)


def judge(exercise, case_index, cases, backend, outcome, exp, numpy_passed=None):
    """None when the outcome is right, else a Failure with a message and perhaps a hint."""
    case = cases[case_index]
    fail = lambda msg, hint="", status="fail": Failure(exercise.name, case_index, len(cases), case,
                                                      backend, msg, hint, status, exercise.arg_names)
    if outcome.error:
        if outcome.error_type == "NotImplementedError":
            return fail("not implemented yet: replace `raise NotImplementedError` with your code",
                        status="error")
        if outcome.error_type == "FloatingPointError" and exercise.fp_hint:
            return fail(f"raised {outcome.error}", exercise.fp_hint, status="error")
        hint = ""
        if backend.startswith("torch") and numpy_passed:
            hint = ("it works on NumPy but not on a torch tensor: call the functions of "
                    "xp = array_namespace(x) (xp.exp, xp.sum, ...) instead of np.*, and avoid "
                    "methods whose torch version differs (x.max(axis=...))")
        return fail(f"raised {outcome.error}", hint, status="error")
    rtol, atol = _tolerances(exercise, case)
    msg = None
    if exercise.returns and isinstance(exp, tuple):
        got = outcome.value
        if not isinstance(got, tuple) or len(got) != len(exp):
            msg = f"expected a tuple ({', '.join(exercise.returns)}), got {describe(got)}"
        for name, e, g in zip(exercise.returns, exp, got if isinstance(got, tuple) else ()):
            msg = msg or compare(e, g, backend, rtol, atol, where=name)
    else:
        msg = compare(exp, outcome.value, backend, rtol, atol)
    if msg is None and outcome.mutated:
        names = [exercise.arg_names[i] if i < len(exercise.arg_names) else f"argument {i}"
                 for i in outcome.mutated]
        msg = (f"the function changed its input {', '.join(names)} in place (e.g. with -=, x[...] = or "
               "d[key] = ); build new arrays and new dicts instead: w = w - alpha * dw")
    if msg is None:
        return None
    return fail(msg, find_hint(exercise, case, outcome.value, backend, exp) or "")


def run_exercise(fn, exercise, seed=0, backends=None, stop_at_first=True):
    """Check fn against every case on every backend here. Returns (failures, backends_run, n_cases)."""
    cases = exercise.cases(seed)
    exps = [expected(exercise, c) for c in cases]
    failures, ran = [], backends_for(exercise, backends)
    numpy_ok = None
    for backend in ran:
        backend_failed = False
        for i, case in enumerate(cases):
            f = judge(exercise, i, cases, backend, call(fn, exercise, case, backend), exps[i], numpy_ok)
            if f:
                failures.append(f)
                backend_failed = True
                if stop_at_first:
                    return failures, ran, len(cases)
        if backend == "numpy":
            numpy_ok = not backend_failed
    return failures, ran, len(cases)
