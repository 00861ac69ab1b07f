"""Activation functions, written once with `xp` so they run on NumPy and PyTorch alike.

Introduced in unit 01 (sigmoid) and unit 07 (the others). Each works elementwise on an array
of any shape and returns the input's namespace, dtype and device.
"""
from array_api_compat import array_namespace


def sigmoid(z):
    """σ(z) = 1 / (1 + e^(−z)), computed without overflow for any z.

    e = e^(−|z|) is never above 1, so neither branch can overflow:
    σ(z) = 1 / (1 + e) for z ≥ 0, and e / (1 + e) for z < 0 (multiply top and bottom by e^z).
    """
    xp = array_namespace(z)
    e = xp.exp(-xp.abs(z))
    return xp.where(z >= 0, 1 / (1 + e), e / (1 + e))
