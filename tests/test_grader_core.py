"""The checking machinery itself, on unit 01's exercises: messages a student will read."""
import numpy as np
import pytest
import torch

from grader import check
from grader.core import forbid, load_unit, run_exercise

EX = load_unit("01").EXERCISES


def first_failure(fn, name):
    failures, _, _ = run_exercise(fn, EX[name])
    assert failures, f"{fn.__name__} was accepted"
    return failures[0]


def test_numpy_only_code_is_caught_on_tensors():
    def sigmoid(z):                                     # np.* on a tensor: the result is NumPy
        e = np.exp(-np.abs(z))
        return np.where(z >= 0, 1 / (1 + e), e / (1 + e))
    f = first_failure(sigmoid, "sigmoid")
    assert f.backend == "torch-cpu" and "array_namespace" in f.message


def test_dtype_must_follow_the_input():
    def sigmoid(z):
        e = np.exp(-np.abs(np.asarray(z, dtype=np.float64)))
        return np.where(z >= 0, 1 / (1 + e), e / (1 + e))
    f = first_failure(sigmoid, "sigmoid")
    assert "expected dtype float32" in f.message and "float32" in f.case.label


def test_mutating_an_input_is_reported_by_name():
    def gd_step(w, b, X, Y, alpha):
        m = X.shape[1]
        dZ = 1 / (1 + np.exp(-(w.T @ X + b))) - Y
        w -= alpha * (X @ dZ.T / m)                     # in place: the caller's w changes
        return w, b - alpha * float(np.sum(dZ) / m)
    f = first_failure(gd_step, "gd_step")
    assert "changed its input w in place" in f.message


def test_a_tensor_where_a_float_is_expected_says_so():
    def initialize_with_zeros(n_x):
        return np.zeros((n_x, 1)), np.zeros(())             # a 0-d array, not a float
    f = first_failure(initialize_with_zeros, "initialize_with_zeros")
    assert "b: expected a Python float" in f.message


def test_forbidden_helpers_raise_while_checking_and_are_restored_after():
    with forbid(["torch.sigmoid", "torch.Tensor.sigmoid"]):
        with pytest.raises(Exception, match="not allowed"):
            torch.sigmoid(torch.zeros(1))
        with pytest.raises(Exception, match="not allowed"):
            torch.zeros(1).sigmoid()
    assert torch.sigmoid(torch.zeros(1)).item() == 0.5 and torch.zeros(1).sigmoid().item() == 0.5
    assert "sigmoid" not in vars(torch.Tensor)          # the inherited method is not shadowed


def test_check_prints_one_line_or_raises_with_the_case(capsys):
    def sigmoid(z):
        return 1 / (1 + np.exp(-z))
    with pytest.raises(AssertionError, match="extreme values") as info:
        check(sigmoid, unit="01")
    assert "hint: 1 / (1 + exp(-z)) overflows" in str(info.value)
    with pytest.raises(KeyError, match="no exercise named 'softmax'"):
        def softmax(z):
            return z
        check(softmax, unit="01")


def test_right_values_in_the_wrong_library_get_no_borrowed_hint():
    def initialize_with_zeros(n_x):                     # torch float64 zeros: right values, wrong library
        return torch.zeros((n_x, 1), dtype=torch.float64), 0.0
    f = first_failure(initialize_with_zeros, "initialize_with_zeros")
    assert "torch" in f.message and not f.hint


def test_the_gd_step_oracle_matches_torch_optim_sgd():
    """The unit 01 oracle takes the SGD step by hand; torch.optim.SGD must agree with it."""
    ex = EX["gd_step"]
    for case in ex.cases(0):
        w, b, X, Y, alpha = case.args
        wt = torch.tensor(w, requires_grad=True)
        bt = torch.tensor(float(b), dtype=torch.float64, requires_grad=True)
        opt = torch.optim.SGD([wt, bt], lr=alpha)
        torch.nn.functional.binary_cross_entropy_with_logits(wt.T @ torch.from_numpy(X) + bt,
                                                             torch.from_numpy(Y)).backward()
        opt.step()
        w_new, b_new = ex.oracle(w, b, X, Y, alpha)
        assert np.allclose(w_new, wt.detach().numpy(), rtol=1e-12) and np.isclose(b_new, bt.item(), rtol=1e-12)
