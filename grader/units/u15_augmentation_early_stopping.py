"""Unit 15 · Data augmentation and early stopping.

Exercises: random_flip, random_crop, add_noise, early_stopping.
Oracles: torch.flip on each image in a loop; the documented draws from an independent copy of
the generator and torch.Tensor.narrow for the crop; torch.clamp; for early stopping, the
improvement flags of the whole curve first, then the first window of `patience` epochs
without one (a formulation with no counter).
Layout: a batch of images is (m, H, W, C), batch-first; one image is (H, W, C); pixels are
floats in [0, 1]. Randomness comes in as draws (u, z) or as a NumPy generator.
"""
import math

import numpy as np
import torch

from grader.core import Case, Exercise


def _gen(rng):
    return np.random.default_rng(int(rng.integers(1 << 31)))


# ----------------------------------------------------------------------------- random_flip

def _flip_cases(rng):
    tiny = np.arange(18.0).reshape(3, 2, 3, 1) / 18         # every pixel different
    return [
        Case((tiny, np.array([0.1, 0.7, 0.3]), 0.5),
             "three 2x3 one-channel images, u = [0.1, 0.7, 0.3], p = 0.5: images 0 and 2 flip"),
        Case((rng.random((6, 5, 4, 3)), rng.random(6), 0.5), "six RGB images 5x4, p = 0.5"),
        Case((rng.random((4, 3, 3, 2)), np.array([0.25, 0.5, 0.75, 0.5]), 0.5),
             "two draws equal p = 0.5 exactly: those images are not flipped (u < p)"),
        Case((rng.random((3, 4, 4, 3)), np.array([0.0, 0.2, 0.9]), 0.0), "p = 0: no image is flipped"),
        Case((rng.random((3, 4, 4, 3)), np.array([0.0, 0.2, 0.9]), 1.0), "p = 1: every image is flipped"),
        Case((rng.random((1, 4, 7, 3)), np.array([0.2]), 0.3), "one image, 4x7 (not square)"),
        Case((rng.random((4, 6, 6, 3)).astype(np.float32), rng.random(4).astype(np.float32), 0.5),
             "float32 images stay float32", dtype=np.float32),
    ]


def _flip_oracle(images, u, p):
    out = torch.from_numpy(images).clone()
    for i in range(out.shape[0]):
        if u[i] < p:
            out[i] = torch.flip(out[i], dims=[1])             # (H, W, C): dim 1 is the width
    return out.numpy()


def _flip_where(images, u, p, axis, flip):
    mask = flip(u, p).reshape(-1, 1, 1, 1)
    return np.where(mask, np.flip(images, axis=axis), images)


def _flip_vertical(images, u, p):
    return _flip_where(images, u, p, 1, lambda u, p: u < p)


def _flip_channels(images, u, p):
    return _flip_where(images, u, p, 3, lambda u, p: u < p)


def _flip_batch(images, u, p):
    return _flip_where(images, u, p, 0, lambda u, p: u < p)


def _flip_ge(images, u, p):
    return _flip_where(images, u, p, 2, lambda u, p: u >= p)


def _flip_le(images, u, p):
    return _flip_where(images, u, p, 2, lambda u, p: u <= p)


def _flip_all(images, u, p):
    return np.flip(images, axis=2).copy()


RANDOM_FLIP = Exercise(
    name="random_flip",
    draw=_flip_cases,
    oracle=_flip_oracle,
    wrong=[
        (_flip_vertical, "a horizontal flip mirrors left and right: reverse the width axis, axis 2 of "
                         "(m, H, W, C); reversing axis 1 (the height) turns the images upside down"),
        (_flip_channels, "reverse the width axis (axis 2), not the channel axis: reversing axis 3 swaps "
                         "red and blue"),
        (_flip_batch, "axis 0 numbers the images: reversing it reorders the batch. Reverse the width "
                      "axis, axis 2 of (m, H, W, C)"),
        (_flip_ge, "flip image i when u[i] < p, so that each image is flipped with probability p "
                   "(u[i] >= p flips with probability 1 − p)"),
        (_flip_le, "the comparison is strict: flip iff u[i] < p, so a draw equal to p does not flip "
                   "(and p = 0 never flips)"),
        (_flip_all, "flip only the images whose draw u[i] is below p, not every image"),
    ],
    arg_names=("images", "u", "p"),
)


# ----------------------------------------------------------------------------- random_crop

def _crop_cases(rng):
    return [
        Case((rng.random((6, 8, 3)), (4, 4), _gen(rng)), "a 6x8 RGB image, crop 4x4"),
        Case((np.arange(16.0).reshape(4, 4, 1), (2, 2), _gen(rng)),
             "a 4x4 image, crop 2x2: tops 0, 1 and 2 are all possible"),
        Case((rng.random((5, 7, 3)), (5, 7), _gen(rng)),
             "a crop as large as the image: the only position is (0, 0)"),
        Case((rng.random((7, 9, 3)), (3, 5), _gen(rng)), "a 3x5 crop (height 3, width 5) of a 7x9 image"),
        Case((rng.random((9, 6, 2)), (6, 2), _gen(rng)), "a 6x2 crop of a 9x6 image"),
        Case((rng.random((3, 3, 2)), (1, 1), _gen(rng)), "a 1x1 crop"),
        Case((rng.random((8, 8, 3)).astype(np.float32), (6, 6), _gen(rng)),
             "a float32 image stays float32", dtype=np.float32),
    ]


def _crop_oracle(image, crop_hw, rng):
    (H, W, _), (h, w) = image.shape, crop_hw
    top = int(rng.integers(0, H - h + 1))                    # the documented draws, in order
    left = int(rng.integers(0, W - w + 1))
    crop = torch.from_numpy(image).narrow(0, top, h).narrow(1, left, w)
    return crop.numpy().copy(), top, left


def _crop_with(image, crop_hw, rng, *, high_extra=1, left_first=False, swap=False, py_int=True):
    (H, W, _), (h, w) = image.shape, crop_hw
    if left_first:
        left = rng.integers(0, W - w + high_extra)
        top = rng.integers(0, H - h + high_extra)
    else:
        top = rng.integers(0, H - h + high_extra)
        left = rng.integers(0, W - w + high_extra)
    if swap:
        h, w = w, h
    crop = image[top:top + h, left:left + w, :].copy()
    return (crop, int(top), int(left)) if py_int else (crop, top, left)


def _crop_exclusive(image, crop_hw, rng):
    return _crop_with(image, crop_hw, rng, high_extra=0)


def _crop_left_first(image, crop_hw, rng):
    return _crop_with(image, crop_hw, rng, left_first=True)


def _crop_swapped(image, crop_hw, rng):
    return _crop_with(image, crop_hw, rng, swap=True)


def _crop_numpy_ints(image, crop_hw, rng):
    return _crop_with(image, crop_hw, rng, py_int=False)


RANDOM_CROP = Exercise(
    name="random_crop",
    draw=_crop_cases,
    oracle=_crop_oracle,
    wrong=[
        (_crop_exclusive, "the last position is allowed: top runs from 0 to H − h *inclusive*, so draw "
                          "rng.integers(0, H - h + 1) (the notes' rng.integers(0, H - h) never picks the "
                          "last row and fails when the crop is as large as the image)"),
        (_crop_left_first, "draw top first, then left: top = rng.integers(0, H - h + 1), then "
                           "left = rng.integers(0, W - w + 1)"),
        (_crop_swapped, "crop_hw is (height, width): take rows top:top + h and columns left:left + w"),
        (_crop_numpy_ints, "return top and left as Python ints: int(rng.integers(...))"),
    ],
    arg_names=("image", "crop_hw", "rng"),
    returns=("crop", "top", "left"),
)


# ----------------------------------------------------------------------------- add_noise

def _noise_cases(rng):
    edges = np.array([0.0, 0.02, 0.5, 0.97, 1.0, 0.3]).reshape(1, 2, 3, 1)
    return [
        Case((rng.random((2, 3, 3, 1)), rng.standard_normal((2, 3, 3, 1)), 0.1),
             "two 3x3 grey images, sigma = 0.1"),
        Case((edges, np.array([-1.0, -2.0, 0.5, 1.5, 0.4, -0.2]).reshape(1, 2, 3, 1), 0.2),
             "pixels at 0 and 1 pushed outside [0, 1] on both sides"),
        Case((rng.random((4, 5, 5, 3)), rng.standard_normal((4, 5, 5, 3)), 0.5),
             "sigma = 0.5: much of the image is clipped"),
        Case((rng.random((3, 4, 4, 3)), rng.standard_normal((3, 4, 4, 3)), 0.0),
             "sigma = 0: the images come back unchanged"),
        Case((rng.random((1, 6, 4, 3)), rng.standard_normal((1, 6, 4, 3)), 0.05), "one image, sigma = 0.05"),
        Case((rng.random((2, 4, 4, 3)).astype(np.float32), rng.standard_normal((2, 4, 4, 3)).astype(np.float32),
              0.3), "float32 images stay float32", dtype=np.float32),
    ]


def _noise_oracle(images, z, sigma):
    return torch.clamp(torch.from_numpy(images) + sigma * torch.from_numpy(z), 0.0, 1.0).numpy()


def _noise_no_clip(images, z, sigma):
    return images + sigma * z


def _noise_clip_255(images, z, sigma):
    return np.clip(images + sigma * z, 0, 255)


def _noise_variance(images, z, sigma):
    return np.clip(images + sigma ** 2 * z, 0, 1)


def _noise_multiplicative(images, z, sigma):
    return np.clip(images * (1 + sigma * z), 0, 1)


def _noise_unscaled(images, z, sigma):
    return np.clip(images + z, 0, 1)


ADD_NOISE = Exercise(
    name="add_noise",
    draw=_noise_cases,
    oracle=_noise_oracle,
    wrong=[
        (_noise_variance, "sigma is the standard deviation of the noise: add sigma * z (z ~ N(0, 1)); "
                          "sigma**2 * z has standard deviation sigma²"),
        (_noise_unscaled, "scale the draws by sigma: images + sigma * z"),
        (_noise_multiplicative, "the noise is added, not multiplied: images + sigma * z"),
        (_noise_clip_255, "these pixels are floats in [0, 1], not bytes in [0, 255]: clip to [0, 1]"),
        (_noise_no_clip, "clip the result to [0, 1] (xp.clip(..., 0.0, 1.0)): noise pushes pixels "
                         "outside the range an image can have"),
    ],
    arg_names=("images", "z", "sigma"),
)


# ----------------------------------------------------------------------------- early_stopping

SYLLABUS_CURVE = [1.0, 0.8, 0.7, 0.65, 0.66, 0.64, 0.67, 0.68, 0.69, 0.70, 0.71]


def _es_cases(rng):
    t = np.arange(60)
    noisy = 0.35 + 0.3 * np.exp(-t / 6) + 0.003 * np.maximum(t - 20, 0) + 0.02 * rng.standard_normal(60)
    return [
        Case(([0.9, 0.7, 0.75, 0.6, 0.65, 0.7, 0.5, 0.55], 2, 0.0),
             "improvements after setbacks: the counter restarts at every improvement"),
        Case((list(SYLLABUS_CURVE), 3, 0.0), "the chapter's curve, patience 3: best epoch 5, stop at 8"),
        Case((list(SYLLABUS_CURVE), 1, 0.0), "the chapter's curve, patience 1"),
        Case((list(SYLLABUS_CURVE), 6, 0.0), "patience 6: patience never runs out, training ends at epoch 10"),
        Case(([1.0, 0.75, 0.5, 0.375, 0.25, 0.25], 2, 0.25),
             "min_delta = 0.25: a gain of exactly 0.25 is not an improvement"),
        Case(([1.0, 0.5, 0.5, 0.5, 0.4], 2, 0.0), "ties: a loss equal to the best is not an improvement"),
        Case((noisy.tolist(), 5, 1e-3), "a noisy 60-epoch curve, patience 5, min_delta 1e-3"),
        Case((noisy.tolist(), 2, 0.0), "the same curve, patience 2"),
        Case(([0.5, 0.6, 0.7, 0.8, 0.9], 2, 0.0), "the loss only rises: epoch 0 stays the best"),
        Case(([0.3], 1, 0.0), "a single epoch"),
    ]


def _es_oracle(dev_losses, patience, min_delta):
    # Which epochs improve on the best loss so far? (Stopping does not change the earlier flags.)
    improved, best = [], math.inf
    for loss in dev_losses:
        improved.append(loss < best - min_delta)
        if improved[-1]:
            best = loss
    # Training stops at the end of the first run of `patience` epochs without an improvement.
    T = len(dev_losses)
    stop = next((t for t in range(patience - 1, T)
                 if not any(improved[t - patience + 1:t + 1])), T - 1)
    best_epoch = max(i for i in range(stop + 1) if improved[i])
    return best_epoch, stop


def _es_loop(dev_losses, patience, min_delta, *, better=None, stop_at=None, reset=True):
    better = better or (lambda loss, best: loss < best - min_delta)
    stop_at = stop_at or (lambda counter: counter >= patience)
    best, best_epoch, counter, epoch = math.inf, 0, 0, -1
    for epoch, loss in enumerate(dev_losses):
        if better(loss, best):
            best, best_epoch = loss, epoch
            counter = 0 if reset else counter
        else:
            counter += 1
        if stop_at(counter):
            break
    return best_epoch, epoch


def _es_late(dev_losses, patience, min_delta):
    return _es_loop(dev_losses, patience, min_delta, stop_at=lambda c: c > patience)


def _es_early(dev_losses, patience, min_delta):
    return _es_loop(dev_losses, patience, min_delta, stop_at=lambda c: c >= patience - 1)


def _es_non_strict(dev_losses, patience, min_delta):
    return _es_loop(dev_losses, patience, min_delta, better=lambda loss, best: loss <= best - min_delta)


def _es_delta_wrong_side(dev_losses, patience, min_delta):
    return _es_loop(dev_losses, patience, min_delta, better=lambda loss, best: loss < best + min_delta)


def _es_return_stop(dev_losses, patience, min_delta):
    _, stop = _es_oracle(dev_losses, patience, min_delta)
    return stop, stop


def _es_global_best(dev_losses, patience, min_delta):
    _, stop = _es_oracle(dev_losses, patience, min_delta)
    return int(np.argmin(dev_losses)), stop


def _es_no_reset(dev_losses, patience, min_delta):
    return _es_loop(dev_losses, patience, min_delta, reset=False)


def _es_versus_previous(dev_losses, patience, min_delta):
    previous, best_epoch, counter, epoch = math.inf, 0, 0, -1
    for epoch, loss in enumerate(dev_losses):
        if loss < previous - min_delta:
            best_epoch, counter = epoch, 0
        else:
            counter += 1
        previous = loss
        if counter >= patience:
            break
    return best_epoch, epoch


def _es_one_based(dev_losses, patience, min_delta):
    best, stop = _es_oracle(dev_losses, patience, min_delta)
    return best + 1, stop + 1


EARLY_STOPPING = Exercise(
    name="early_stopping",
    draw=_es_cases,
    oracle=_es_oracle,
    backends=("python",),
    wrong=[
        (_es_one_based, "epochs count from 0: the first loss in dev_losses is epoch 0"),
        (_es_return_stop, "return the best epoch (the one whose parameters you restore) as well as the "
                          "stop epoch; they differ by at least patience epochs when training stops"),
        (_es_global_best, "the best epoch is the best among the epochs actually trained (up to the stop "
                          "epoch): a loss after the stop was never computed"),
        (_es_late, "stop as soon as the counter reaches patience (counter >= patience): with patience 3, "
                   "the 3rd epoch in a row without an improvement is the last one (one epoch too late)"),
        (_es_early, "patience counts the epochs without improvement: stop when the counter reaches "
                    "patience, not patience − 1 (one epoch too early)"),
        (_es_no_reset, "reset the counter to 0 at every improvement: patience counts the epochs *in a row* "
                       "without one"),
        (_es_versus_previous, "compare each loss with the best loss so far, not with the previous epoch's "
                              "loss"),
        (_es_non_strict, "an improvement is strict: loss < best_loss − min_delta; a tie, or a gain of "
                         "exactly min_delta, does not count"),
        (_es_delta_wrong_side, "an improvement must beat the best by more than min_delta: "
                               "loss < best_loss − min_delta, not + min_delta"),
    ],
    arg_names=("dev_losses", "patience", "min_delta"),
    returns=("best_epoch", "stop_epoch"),
)

EXERCISES = {e.name: e for e in (RANDOM_FLIP, RANDOM_CROP, ADD_NOISE, EARLY_STOPPING)}
