"""Unit 20 · Hyperparameter tuning.

Exercises: sample_log_uniform, sample_beta, sample_hyperparameters.
Oracles: closed forms of the inverse CDFs, written differently from the course's recipe:
  log-uniform on [low, high]:       x = low * (high / low)**u          (F(x) = ln(x/low) / ln(high/low))
  beta with 1 - beta log-uniform:   beta = 1 - (1 - b_min) * ((1 - b_max) / (1 - b_min))**u
  integers low .. high:             low + the number of thresholds j / k (j = 1 .. k-1) that u reaches
  linear:                           np.interp(u, [0, 1], [low, high])
Randomness comes in as the uniform draws u, so student, oracle and wrong answers agree bit for bit.
"""
import math

import numpy as np

from grader.core import Case, Exercise


# ----------------------------------------------------------------------------- sample_log_uniform

def _log_uniform_cases(rng):
    return [
        Case((rng.random(12), 1e-4, 1.0), "twelve learning rates in [1e-4, 1]"),
        Case((np.array([0.0, 0.25, 0.5, 0.75]), 1e-4, 1.0),
             "u = 0, 1/4, 1/2, 3/4 on [1e-4, 1]: one value per decade, 1e-4, 1e-3, 1e-2, 1e-1"),
        Case((rng.random(8), 1e-6, 1e-2), "eight values of lambda in [1e-6, 1e-2]"),
        Case((rng.random(5), 0.5, 2.0), "bounds that are not powers of ten: [0.5, 2]"),
        Case((rng.random((3, 4)), 1e-3, 10.0), "u of shape (3, 4): the result keeps u's shape"),
        Case((np.array([0.3]), 3e-5, 3e-5 * 1000), "a single draw"),
        Case((rng.random(10).astype(np.float32), 1e-4, 1e-1), "float32 draws give float32 values",
             dtype=np.float32),
    ]


def _log_uniform_oracle(u, low, high):
    return low * (high / low) ** u                    # the inverse CDF of the log-uniform law


def _log_uniform_linear(u, low, high):
    return low + u * (high - low)


def _log_uniform_swapped(u, low, high):
    a, b = np.log10(low), np.log10(high)
    return 10.0 ** (b + u * (a - b))


def _log_uniform_ln_exponent(u, low, high):
    a, b = np.log(low), np.log(high)
    return 10.0 ** (a + u * (b - a))


def _log_uniform_exp_of_log10(u, low, high):
    a, b = np.log10(low), np.log10(high)
    return np.exp(a + u * (b - a))


def _log_uniform_exponent_only(u, low, high):
    a, b = np.log10(low), np.log10(high)
    return a + u * (b - a)


def _log_uniform_no_width(u, low, high):
    return 10.0 ** (np.log10(low) + u)


LOG_UNIFORM = Exercise(
    name="sample_log_uniform",
    draw=_log_uniform_cases,
    oracle=_log_uniform_oracle,
    rtol=1e-10,
    wrong=[
        (_log_uniform_linear, "that is uniform on [low, high], a linear scale: most samples land in the top "
                              "decade (90% in [0.1, 1] for [1e-4, 1]). Draw the exponent uniformly, "
                              "r = log10(low) + u·(log10(high) − log10(low)), and return 10**r"),
        (_log_uniform_swapped, "u = 0 must give low and u → 1 must give high: r = a + u·(b − a) with "
                               "a = log10(low), b = log10(high) (the bounds are swapped)"),
        (_log_uniform_ln_exponent, "the exponent and the base disagree: with 10**r, r must be between "
                                   "log10(low) and log10(high) (math.log is the natural log; use math.log10)"),
        (_log_uniform_exp_of_log10, "the exponent and the base disagree: r is between log10(low) and "
                                    "log10(high), so return 10**r, not exp(r)"),
        (_log_uniform_exponent_only, "r is the exponent, not the value: return 10**r"),
        (_log_uniform_no_width, "scale the draw by the width of the range in decades: "
                                "r = a + u·(b − a), not a + u"),
    ],
    arg_names=("u", "low", "high"),
)


# ----------------------------------------------------------------------------- sample_beta

def _beta_cases(rng):
    return [
        Case((rng.random(12), 0.9, 0.999), "twelve momentum values in [0.9, 0.999]"),
        Case((np.array([0.0, 0.5]), 0.9, 0.999), "u = 0 gives beta_min = 0.9, u = 1/2 gives 0.99"),
        Case((rng.random(8), 0.9, 0.9999), "beta2 in [0.9, 0.9999]: three decades of 1 - beta"),
        Case((rng.random(6), 0.5, 0.99), "[0.5, 0.99]: 1 - beta in [0.01, 0.5]"),
        Case((rng.random((2, 3)), 0.8, 0.995), "u of shape (2, 3): the result keeps u's shape"),
        Case((np.array([0.42]), 0.9, 0.999), "a single draw"),
        Case((rng.random(10).astype(np.float32), 0.9, 0.999), "float32 draws give float32 values",
             dtype=np.float32),
    ]


def _beta_oracle(u, beta_min, beta_max):
    lo, hi = 1.0 - beta_min, 1.0 - beta_max                  # 1 - beta runs from lo down to hi
    return 1.0 - lo * (hi / lo) ** u


def _beta_linear(u, beta_min, beta_max):
    return beta_min + u * (beta_max - beta_min)


def _beta_log_of_beta(u, beta_min, beta_max):
    a, b = np.log10(beta_min), np.log10(beta_max)
    return 10.0 ** (a + u * (b - a))


def _beta_one_minus_beta(u, beta_min, beta_max):
    a, b = np.log10(1 - beta_min), np.log10(1 - beta_max)
    return 10.0 ** (a + u * (b - a))


def _beta_swapped(u, beta_min, beta_max):
    a, b = np.log10(1 - beta_min), np.log10(1 - beta_max)
    return 1.0 - 10.0 ** (b + u * (a - b))


def _beta_ln_exponent(u, beta_min, beta_max):
    a, b = np.log(1 - beta_min), np.log(1 - beta_max)
    return 1.0 - 10.0 ** (a + u * (b - a))


def _beta_bounds_not_complemented(u, beta_min, beta_max):
    # log10 of the betas themselves as exponents of 1 - beta
    a, b = np.log10(beta_min), np.log10(beta_max)
    return 1.0 - 10.0 ** (a + u * (b - a))


BETA = Exercise(
    name="sample_beta",
    draw=_beta_cases,
    oracle=_beta_oracle,
    rtol=1e-10,
    wrong=[
        (_beta_linear, "that samples β uniformly: only 9% of the values land in [0.99, 0.999], where 1/(1 − β) "
                       "changes fastest. Sample 1 − β on a log scale instead: 1 − β = 10**r, r between "
                       "log10(1 − beta_min) and log10(1 − beta_max), then β = 1 − 10**r"),
        (_beta_log_of_beta, "that puts β itself on a log scale; [0.9, 0.999] is less than a twentieth of a "
                            "decade, so that is almost linear. The log scale is for 1 − β: "
                            "β = 1 − 10**r with r between log10(1 − beta_min) and log10(1 − beta_max)"),
        (_beta_one_minus_beta, "that is 1 − β: return β = 1 − 10**r"),
        (_beta_swapped, "u = 0 must give beta_min: r runs from log10(1 − beta_min) (u = 0) to "
                        "log10(1 − beta_max) (u → 1); the bounds are swapped"),
        (_beta_ln_exponent, "the exponent and the base disagree: with 10**r, r must be between "
                            "log10(1 − beta_min) and log10(1 − beta_max) (math.log is the natural log)"),
        (_beta_bounds_not_complemented, "the bounds of 1 − β are 1 − beta_min and 1 − beta_max: take "
                                        "log10(1 − beta_min), not log10(beta_min)"),
    ],
    arg_names=("u", "beta_min", "beta_max"),
)


# ----------------------------------------------------------------------------- sample_hyperparameters

SPACE = {"alpha": ("log", 1e-4, 1.0), "beta": ("beta", 0.9, 0.999), "n_h": ("int", 50, 100),
         "layers": ("int", 2, 4), "keep_prob": ("linear", 0.5, 1.0)}


def _space_cases(rng):
    return [
        Case((rng.random((5, 12)), dict(SPACE)), "twelve configurations of the chapter's space"),
        Case((rng.random((2, 6)), {"alpha": ("log", 1e-5, 1e-1), "lambd": ("log", 1e-4, 10.0)}),
             "two log-scale hyperparameters: alpha and lambda"),
        Case((rng.random((3, 1)), {"n_h": ("int", 1, 3), "beta2": ("beta", 0.99, 0.9999),
                                   "dropout": ("linear", 0.0, 0.5)}), "a single configuration"),
        Case((np.array([[0.0, 0.2, 0.4, 0.6, 0.8, 0.99]]), {"layers": ("int", 2, 4)}),
             "integers 2 .. 4, each as likely: u in [0, 1/3) gives 2, [1/3, 2/3) gives 3, [2/3, 1) gives 4"),
        Case((rng.random((3, 8)).astype(np.float32),
              {"alpha": ("log", 1e-4, 1.0), "beta": ("beta", 0.9, 0.999), "keep_prob": ("linear", 0.5, 1.0)}),
             "float32 draws give float32 values", dtype=np.float32),
    ]


def _int_oracle(u, low, high):
    k = high - low + 1                                       # k equally likely integers
    thresholds = np.arange(1, k)[:, None] / k                # (k-1, 1): j / k
    return low + (u[None, :] >= thresholds).sum(axis=0).astype(u.dtype)


def _space_oracle(u, space):
    out = {}
    for j, (name, (scale, low, high)) in enumerate(space.items()):
        if scale == "log":
            out[name] = _log_uniform_oracle(u[j], low, high)
        elif scale == "beta":
            out[name] = _beta_oracle(u[j], low, high)
        elif scale == "int":
            out[name] = _int_oracle(u[j], low, high)
        else:
            out[name] = np.interp(u[j], [0.0, 1.0], [low, high])
    return out


def _sample_with(u, space, *, row=lambda j: j, int_rule=None, all_linear=False):
    out = {}
    for j, (name, (scale, low, high)) in enumerate(space.items()):
        r = u[row(j)]
        if all_linear:
            scale = "linear"
        if scale == "log":
            out[name] = 10.0 ** (np.log10(low) + r * (np.log10(high) - np.log10(low)))
        elif scale == "beta":
            a, b = np.log10(1 - low), np.log10(1 - high)
            out[name] = 1.0 - 10.0 ** (a + r * (b - a))
        elif scale == "int":
            out[name] = (int_rule or (lambda r_: np.floor(low + r_ * (high - low + 1))))(r)
        else:
            out[name] = low + r * (high - low)
    return out


def _space_one_row(u, space):
    return _sample_with(u, space, row=lambda j: 0)


def _space_int_no_plus_one(u, space):
    lows = {n: lo for n, (_, lo, _) in space.items()}
    highs = {n: hi for n, (_, _, hi) in space.items()}
    out = _sample_with(u, space)
    for j, (name, (scale, low, high)) in enumerate(space.items()):
        if scale == "int":
            out[name] = np.floor(lows[name] + u[j] * (highs[name] - lows[name]))
    return out


def _space_int_round(u, space):
    out = _sample_with(u, space)
    for j, (name, (scale, low, high)) in enumerate(space.items()):
        if scale == "int":
            out[name] = np.round(low + u[j] * (high - low))
    return out


def _space_int_not_floored(u, space):
    out = _sample_with(u, space)
    for j, (name, (scale, low, high)) in enumerate(space.items()):
        if scale == "int":
            out[name] = low + u[j] * (high - low + 1)
    return out


def _space_all_linear(u, space):
    return _sample_with(u, space, all_linear=True)


HYPERPARAMETERS = Exercise(
    name="sample_hyperparameters",
    draw=_space_cases,
    oracle=_space_oracle,
    rtol=1e-10,
    wrong=[
        (_space_one_row, "use row j of u for the j-th hyperparameter: with one row for all of them the "
                         "hyperparameters move together, and the configurations lie on one curve through "
                         "the space instead of filling it"),
        (_space_int_no_plus_one, "with floor(low + u·(high − low)) the value high is never drawn: there are "
                                 "high − low + 1 integers, so use floor(low + u·(high − low + 1))"),
        (_space_int_round, "rounding gives the two end values half the chance of the others; use "
                           "floor(low + u·(high − low + 1)), which gives each integer a share of 1/(high − low + 1)"),
        (_space_int_not_floored, "an \"int\" hyperparameter takes whole values: floor(low + u·(high − low + 1))"),
        (_space_all_linear, "each hyperparameter has its own scale: \"log\" → sample_log_uniform, "
                            "\"beta\" → sample_beta, \"int\" → whole numbers, \"linear\" → low + u·(high − low)"),
    ],
    arg_names=("u", "space"),
)

EXERCISES = {e.name: e for e in (LOG_UNIFORM, BETA, HYPERPARAMETERS)}
