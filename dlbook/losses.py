"""Binary cross-entropy, written once and safe at the extremes (unit 02).

Layout as in unit 01: A (probabilities), Z (scores wᵀX + b) and Y (labels in {0, 1}) all have
shape (1, m). Both functions return the mean over the m examples as a Python float, and both
run on NumPy arrays and PyTorch tensors alike.

    binary_cross_entropy(A, Y)   from probabilities, clipped so that A = 0 or 1 stays finite
    bce_with_logits(Z, Y)        from scores, exact for any Z: prefer it when you have Z
"""
from array_api_compat import array_namespace


def binary_cross_entropy(A, Y, eps=1e-12):
    """J = −mean(Y log A + (1 − Y) log(1 − A)), with A clipped to [eps, 1 − eps] first.

    The clip changes nothing for A inside the range and caps the loss of a saturated, wrong
    prediction at −log(eps) (27.6 for eps = 1e-12) instead of inf. Adding eps inside the logs,
    log(A + eps), is not the same: it biases every term and makes a perfect prediction's loss
    negative.
    """
    xp = array_namespace(A, Y)
    A = xp.clip(A, eps, 1 - eps)
    return float(-xp.mean(Y * xp.log(A) + (1 - Y) * xp.log(1 - A)))


def bce_with_logits(Z, Y):
    """The same cost from the scores Z, with no exp that can overflow and no log of 0.

    With a = σ(z): −log a = log(1 + e^(−z)) and −log(1 − a) = log(1 + e^z), so the loss is
    L = log(1 + e^z) − y·z. Write log(1 + e^z) = max(z, 0) + log(1 + e^(−|z|)): the exponent is
    never positive, and log1p keeps the digits of a tiny e^(−|z|). For z = −1000, y = 1 it
    gives 1000 exactly, where σ-then-log gives inf.
    """
    xp = array_namespace(Z, Y)
    softplus = xp.maximum(Z, 0.0) + xp.log1p(xp.exp(-xp.abs(Z)))     # log(1 + e^Z), (1, m)
    return float(xp.mean(softplus - Y * Z))
