"""One module per unit, named after the unit's stem: u01_logistic_regression.py, u17_..., u21b_...

Each defines EXERCISES = {function name: grader.core.Exercise}.
"""
