"""Every solution passes its checks on torch CUDA tensors.

Needs only numpy, torch, pytest and array-api-compat (no notebook stack), so it runs on a GPU
machine with its own Python:  PYTHONPATH=. python -m pytest -p no:cacheprovider tests/test_cuda.py
Skipped where CUDA is absent.
"""
import pytest

torch = pytest.importorskip("torch")

from dlbook.units import UNITS  # noqa: E402
from grader import loader  # noqa: E402
from grader.core import load_unit, run_exercise  # noqa: E402

pytestmark = [pytest.mark.cuda,
              pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device here")]

GRADED = [u for u in UNITS if u.path("grader").exists() and u.path("solution").exists()]


def cases():
    for u in GRADED:
        for name, ex in load_unit(u.number).EXERCISES.items():
            if "torch" in ex.backends:
                yield pytest.param(u, ex, id=f"u{u.number}-{name}")


@pytest.fixture(autouse=True, scope="module")
def exact_float_math():
    """TF32 would round float32 matmuls on Ampere+ GPUs; the oracles assume IEEE float32/64."""
    old = torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32
    torch.backends.cuda.matmul.allow_tf32 = torch.backends.cudnn.allow_tf32 = False
    yield
    torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32 = old


@pytest.mark.parametrize("unit, exercise", list(cases()))
def test_solution_passes_on_cuda(unit, exercise):
    fn = loader.define(unit.path("solution"))[exercise.name]
    failures, ran, _ = run_exercise(fn, exercise, backends=["torch-cuda"])
    assert ran == ["torch-cuda"]
    assert not failures, str(failures[0])


@pytest.mark.parametrize("unit, exercise", list(cases()))
def test_stub_fails_on_cuda(unit, exercise):
    fn = loader.define(unit.path("exercise"))[exercise.name]
    failures, _, _ = run_exercise(fn, exercise, backends=["torch-cuda"])
    assert failures
