"""Every exercise's check accepts its solution and rejects the unsolved stub and each of its
(wrong implementation, hint) pairs, quoting that pair's hint. Runs on every backend here."""
import numpy as np
import pytest

from dlbook.units import UNITS
from grader import loader
from grader.core import load_unit, run_exercise

UNITS_WITH_GRADER = [u for u in UNITS if u.path("grader").exists() and u.path("solution").exists()]


def exercises():
    for u in UNITS_WITH_GRADER:
        for name, ex in load_unit(u.number).EXERCISES.items():
            yield pytest.param(u, ex, id=f"u{u.number}-{name}")


def wrong_pairs():
    for u in UNITS_WITH_GRADER:
        for name, ex in load_unit(u.number).EXERCISES.items():
            for k, (fn, hint) in enumerate(ex.wrong):
                yield pytest.param(u, ex, fn, hint, id=f"u{u.number}-{name}-wrong{k}-{fn.__name__}")


_namespaces = {}


def namespace(path):
    if path not in _namespaces:
        _namespaces[path] = loader.define(path)
    return _namespaces[path]


def test_some_units_are_graded():
    assert UNITS_WITH_GRADER, "no unit has both a grader module and a solution notebook"


@pytest.mark.parametrize("unit, exercise", list(exercises()))
def test_solution_passes(unit, exercise):
    fn = namespace(unit.path("solution"))[exercise.name]
    failures, ran, n = run_exercise(fn, exercise)
    assert not failures, str(failures[0])
    assert n >= 3 or exercise.backends == ("python",), f"{exercise.name}: only {n} cases"


@pytest.mark.parametrize("unit, exercise", list(exercises()))
def test_stub_fails(unit, exercise):
    fn = namespace(unit.path("exercise"))[exercise.name]
    failures, _, _ = run_exercise(fn, exercise)
    assert failures and "not implemented yet" in failures[0].message


@pytest.mark.parametrize("unit, exercise", list(exercises()))
def test_at_least_three_wrong_answers(unit, exercise):
    assert len(exercise.wrong) >= 3, f"{exercise.name} has {len(exercise.wrong)} (wrong, hint) pairs"


@pytest.mark.parametrize("unit, exercise, wrong, hint", list(wrong_pairs()))
def test_wrong_answer_is_rejected_with_its_hint(unit, exercise, wrong, hint):
    failures, _, _ = run_exercise(wrong, exercise)
    assert failures, f"the check accepted the wrong implementation {wrong.__name__}"
    got = failures[0].hint or failures[0].message
    assert hint in got, f"expected the hint {hint!r}, the message was:\n{failures[0]}"


@pytest.mark.parametrize("unit, exercise", list(exercises()))
def test_oracle_is_deterministic(unit, exercise):
    """Same seed, same cases; another seed, other inputs (what --seed relies on)."""
    from grader.core import expected
    a, b = exercise.cases(0), exercise.cases(0)
    for ca, cb in zip(a, b):
        ea, eb = expected(exercise, ca), expected(exercise, cb)
        assert repr(ea) == repr(eb), f"{exercise.name}: the oracle gives different answers for the same case"
