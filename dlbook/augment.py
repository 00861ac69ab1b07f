"""Data augmentation from scratch (unit 15): flips, crops, noise and brightness, on the fly.

Layout: a batch of images is (m, H, W, C), batch-first like the CNN units' (m, n_H, n_W, n_C);
pixel values are floats in [0, 1]. Randomness never comes from global state: every function
takes the random numbers it needs (uniform draws u, normal draws z, offsets) or a
`numpy.random.Generator` whose draw order its docstring fixes. Arrays may be NumPy arrays or
PyTorch tensors; the generator is NumPy's in both cases.

    X_aug = augment_batch(X, rng, p_flip=0.5, crop_hw=(12, 12), sigma=0.05)   # per mini-batch
"""
from array_api_compat import array_namespace, device


def hflip(images):
    """Mirror left and right: reverse the width axis of (..., H, W, C). Same shape, a new array."""
    xp = array_namespace(images)
    return xp.flip(images, axis=-2)


def random_flips(images, u, p=0.5):
    """Flip image i of the batch (m, H, W, C) iff u[i] < p; u: (m,) uniform draws in [0, 1).

    So each image is flipped with probability p, and the same u gives the same flips.
    """
    xp = array_namespace(images, u)
    flip = xp.reshape(u < p, (-1, 1, 1, 1))                   # (m, 1, 1, 1), broadcasts over H, W, C
    return xp.where(flip, hflip(images), images)


def crop_offsets(rng, image_hw, crop_hw):
    """Draw a crop position: top = rng.integers(0, H - h + 1), then left = rng.integers(0, W - w + 1).

    Both bounds are inclusive of the last position, so all (H - h + 1)(W - w + 1) crops are
    possible and a crop as large as the image is allowed (top = left = 0). Returns Python ints.
    """
    (H, W), (h, w) = image_hw, crop_hw
    if not (0 < h <= H and 0 < w <= W):
        raise ValueError(f"a crop of {crop_hw} does not fit in an image of {image_hw}")
    top = int(rng.integers(0, H - h + 1))
    left = int(rng.integers(0, W - w + 1))
    return top, left


def random_crops(images, rng, crop_hw):
    """Crop every image of the batch (m, H, W, C) at its own random position; returns (m, h, w, C).

    Draw order: crop_offsets for image 0 (top, then left), then for image 1, and so on.
    """
    xp = array_namespace(images)
    h, w = crop_hw
    crops = []
    for image in images:                                      # (H, W, C) each
        top, left = crop_offsets(rng, image.shape[:2], crop_hw)
        crops.append(image[top:top + h, left:left + w, :])
    return xp.stack(crops)                                    # (m, h, w, C)


def add_noise(images, z, sigma):
    """Gaussian pixel noise: clip(images + sigma * z, 0, 1); z has the images' shape, z ~ N(0, 1)."""
    xp = array_namespace(images, z)
    return xp.clip(images + sigma * z, 0.0, 1.0)


def adjust_brightness(images, factors):
    """Scale each image of (m, H, W, C) by its own factor, factors: (m,), and clip to [0, 1]."""
    xp = array_namespace(images, factors)
    return xp.clip(images * xp.reshape(factors, (-1, 1, 1, 1)), 0.0, 1.0)


def augment_batch(X, rng, p_flip=0.5, crop_hw=None, sigma=0.0):
    """Augment one mini-batch on the fly: flip, then crop, then add noise. X: (m, H, W, C).

    Draw order: u = rng.random(m) for the flips; then the crop offsets image by image (as in
    random_crops), when crop_hw is given; then z = rng.standard_normal(shape of the crops),
    when sigma > 0. With p_flip = 0, no crop and sigma = 0 it returns X unchanged (a copy).
    Returns (m, h, w, C), (m, H, W, C) without a crop. Call it on every mini-batch of every
    epoch, so the network never sees the same augmented image twice; nothing is stored.
    """
    xp = array_namespace(X)
    m = X.shape[0]
    out = random_flips(X, xp.asarray(rng.random(m), device=device(X)), p_flip)
    if crop_hw is not None:
        out = random_crops(out, rng, crop_hw)
    if sigma > 0:
        z = xp.asarray(rng.standard_normal(tuple(out.shape)), dtype=X.dtype, device=device(X))
        out = add_noise(out, z, sigma)
    return out
