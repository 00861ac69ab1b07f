"""Vectorization (unit 04): the loop versions, a timer, and a check for Python loops.

The loop versions are the "before" picture of unit 04: each does one multiplication per Python
step, so it is obviously correct and slow. Tests use them as independent references for the
vectorized code. They take NumPy arrays.

`python_loops(fn)` reads fn's bytecode (no source file needed, so it works on notebook cells)
and lists the Python-level loops in it: `for` and `while` loops, comprehensions, built-ins such
as `sum` that iterate element by element, and `np.vectorize`-style helpers. It follows the
functions of fn's own module that fn calls, so hiding a loop in a helper does not pass.
"""
import builtins
import dis
import math
import sys
import timeit
import types

import numpy as np


# ----------------------------------------------------------------------------- loop versions

def dot_loop(a, b):
    """Σ a_i b_i for two 1-D arrays of length n: n Python multiplications."""
    total = 0.0
    for i in range(a.shape[0]):
        total += a[i] * b[i]
    return float(total)


def l1_loop(yhat, y):
    """L1 loss Σ |ŷ_i − y_i| over every element of two arrays of the same shape."""
    total = 0.0
    for i in np.ndindex(y.shape):
        total += abs(yhat[i] - y[i])
    return float(total)


def l2_loop(yhat, y):
    """L2 loss Σ (ŷ_i − y_i)² over every element of two arrays of the same shape."""
    total = 0.0
    for i in np.ndindex(y.shape):
        total += (yhat[i] - y[i]) ** 2
    return float(total)


def outer_loop(u, v):
    """M[i, j] = u_i v_j for 1-D arrays u (n,) and v (k,); M has shape (n, k)."""
    M = np.zeros((u.shape[0], v.shape[0]))
    for i in range(u.shape[0]):
        for j in range(v.shape[0]):
            M[i, j] = u[i] * v[j]
    return M


def logistic_forward_loop(w, b, X):
    """A = σ(wᵀX + b), shape (1, m), one example and one feature at a time.

    w: (n_x, 1), b: float, X: (n_x, m). The sigmoid is the stable one of unit 01, on floats.
    """
    n_x, m = X.shape
    A = np.zeros((1, m))
    for i in range(m):                        # examples
        z = b
        for j in range(n_x):                  # features
            z += w[j, 0] * X[j, i]
        e = math.exp(-abs(z))
        A[0, i] = 1 / (1 + e) if z >= 0 else e / (1 + e)
    return A


def logistic_gradients_loop(X, A, Y):
    """dw (n_x, 1) and db (float) of the mean cross-entropy, accumulated example by example."""
    n_x, m = X.shape
    dw, db = np.zeros((n_x, 1)), 0.0
    for i in range(m):
        dz = A[0, i] - Y[0, i]
        for j in range(n_x):
            dw[j, 0] += X[j, i] * dz
        db += dz
    return dw / m, float(db) / m


# ----------------------------------------------------------------------------- timing

def best_time(fn, repeat=5, number=1):
    """Seconds per call of fn(): the best of `repeat` runs of `number` calls, after one warm-up call.

    The minimum is the run least disturbed by the rest of the machine; the mean is not.
    """
    fn()
    return min(timeit.repeat(fn, repeat=repeat, number=number)) / number


def count_bytecodes(fn, *args):
    """How many Python bytecode instructions fn(*args) executes (in Python-level frames only).

    A deterministic measure of interpreter work: C code such as np.dot counts as one call.
    """
    count = 0

    def tracer(frame, event, arg):
        nonlocal count
        frame.f_trace_opcodes = True
        if event == "opcode":
            count += 1
        return tracer

    old = sys.gettrace()
    sys.settrace(tracer)
    try:
        fn(*args)
    finally:
        sys.settrace(old)
    return count


# ----------------------------------------------------------------------------- loop detection

ITERATING_BUILTINS = {"sum", "map", "filter", "min", "max", "any", "all", "sorted"}
LOOP_HELPERS = {"vectorize", "frompyfunc", "apply_along_axis", "apply_over_axes", "fromiter"}
_COMPREHENSIONS = {"<listcomp>": "a list comprehension", "<genexpr>": "a generator expression",
                   "<setcomp>": "a set comprehension", "<dictcomp>": "a dict comprehension"}


def _codes(code):
    yield code
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from _codes(const)


def python_loops(fn, _seen=None):
    """The Python-level loops in fn and in the same-module functions it calls.

    Returns a list of strings such as "a for loop (L1, line 4)"; empty when there is none.
    Line numbers count from the `def` line, as in the notebook cell.
    """
    seen = set() if _seen is None else _seen
    fn = getattr(fn, "__wrapped__", fn)
    if not isinstance(fn, types.FunctionType) or fn.__code__ in seen:
        return []
    seen.add(fn.__code__)
    first, found = fn.__code__.co_firstlineno, []

    def where(code, ins):
        line = ins.positions.lineno if ins.positions and ins.positions.lineno else code.co_firstlineno
        return f"({fn.__name__}, line {line - first + 1})"

    for code in _codes(fn.__code__):
        instructions = list(dis.get_instructions(code))
        loop_heads = {ins.offset for ins in instructions if ins.opname == "FOR_ITER"}
        for ins in instructions:
            if ins.opname == "FOR_ITER":
                found.append(f"{_COMPREHENSIONS.get(code.co_name, 'a for loop')} {where(code, ins)}")
            elif "BACKWARD" in ins.opname and ins.argval not in loop_heads:
                found.append(f"a while loop {where(code, ins)}")
            elif ins.opname == "LOAD_GLOBAL":
                name = ins.argval
                target = fn.__globals__.get(name, getattr(builtins, name, None))
                if name in ITERATING_BUILTINS and target is getattr(builtins, name, None):
                    found.append(f"the built-in {name}(), which iterates in Python {where(code, ins)}")
                elif isinstance(target, types.FunctionType) and target.__module__ == fn.__module__:
                    found += python_loops(target, seen)
            elif ins.opname in ("LOAD_ATTR", "LOAD_METHOD") and ins.argval in LOOP_HELPERS:
                found.append(f"{ins.argval}, a Python loop in disguise {where(code, ins)}")
    return found


def assert_vectorized(fn):
    """Raise AssertionError when fn loops in Python (see python_loops); print one line otherwise."""
    loops = python_loops(fn)
    if loops:
        raise AssertionError(
            f"\n{fn.__name__} still loops in Python: " + "; ".join(loops)
            + ".\n  Replace the loop by whole-array operations (xp.sum, xp.abs, @, xp.reshape, ...).")
    print(f"✓ {fn.__name__}: no Python loop")
