"""The book's autograder.

In a notebook::

    from grader import check, array_namespace
    check.unit = "01"          # written by `make exercises`; the unit whose cases to use
    check(propagate)           # one line on success, AssertionError with case and hint otherwise

From the shell: ``python -m grader --help``.
"""
import os

from array_api_compat import array_namespace

from .core import BACKENDS, Case, Exercise, available_backends, load_unit, run_exercise

__all__ = ["check", "array_namespace", "Case", "Exercise", "BACKENDS", "available_backends", "load_unit"]


class Checker:
    """`check(fn)`: run this unit's cases for fn on every backend here (NumPy, torch CPU, CUDA)."""

    def __init__(self):
        self.unit = os.environ.get("DLBOOK_UNIT")

    def __call__(self, fn, unit=None, seed=0):
        name = getattr(fn, "__name__", None)
        if not callable(fn) or not name:
            raise TypeError(f"check() takes the function you wrote, e.g. check(sigmoid); got {fn!r}")
        number = unit or self.unit
        if number is None:
            raise RuntimeError("check() does not know this notebook's unit: run the notebook's first cell "
                               "(it sets check.unit), or call check(fn, unit='01')")
        exercises = load_unit(number).EXERCISES
        if name not in exercises:
            raise KeyError(f"unit {number} has no exercise named {name!r}; it has: {', '.join(exercises)}")
        exercise = exercises[name]
        failures, ran, n_cases = run_exercise(fn, exercise, seed=seed)
        if failures:
            # Hide this frame's traceback noise: the message says everything.
            raise AssertionError("\n" + str(failures[0])) from None
        where = ", ".join(ran)
        print(f"✓ {name}: all {n_cases} cases pass on {where}")


check = Checker()
