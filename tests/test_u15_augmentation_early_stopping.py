"""Unit 15: dlbook.augment against torch (flip, crop, clamp), the crop positions of the notes'
off-by-one and of the fix, dlbook.data.synthetic_shapes, dlbook.early_stopping against the
grader's counter-free oracle and the syllabus's test vectors, and the deep copy."""
import math

import numpy as np
import pytest
import torch

from dlbook import augment
from dlbook.data import SHAPES, synthetic_shapes
from dlbook.early_stopping import EarlyStopping, replay
from grader.units import u15_augmentation_early_stopping as u15

CURVE = [1.0, 0.8, 0.7, 0.65, 0.66, 0.64, 0.67, 0.68, 0.69, 0.70, 0.71]


# ----------------------------------------------------------------------------- synthetic shapes

def test_synthetic_shapes_are_seeded_images_in_range():
    X, y = synthetic_shapes(rng=0, m=64, size=16)
    assert X.shape == (64, 16, 16, 3) and X.dtype == np.float64 and y.shape == (64,)
    assert X.min() >= 0.0 and X.max() <= 1.0
    assert set(y.tolist()) == set(range(len(SHAPES)))
    X2, y2 = synthetic_shapes(rng=np.random.default_rng(0), m=64, size=16)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    assert not np.array_equal(X, synthetic_shapes(rng=1, m=64, size=16)[0])


def test_triangles_point_the_way_their_label_says():
    """Class 2 points right: its ink thins out towards the right, so its ink-weighted column is
    left of the middle of its extent; a flip moves it to the other side (class 3's pattern)."""
    X, y = synthetic_shapes(rng=0, m=200, size=32)

    def lean(image):
        ink = np.abs(image - image[0, 0]).sum(axis=2).sum(axis=0)     # (W,) ink per column
        cols = np.nonzero(ink > 0.05 * ink.max())[0]
        centre = (cols[0] + cols[-1]) / 2
        return np.average(np.arange(ink.size), weights=ink) - centre

    right = [lean(x) for x in X[y == 2]]
    left = [lean(x) for x in X[y == 3]]
    assert all(v < 0 for v in right) and all(v > 0 for v in left)
    assert all(lean(augment.hflip(x)) > 0 for x in X[y == 2])


# ----------------------------------------------------------------------------- augmentations

@pytest.mark.parametrize("lib", ["numpy", "torch"])
def test_random_flips_match_torch_flip(lib):
    rng = np.random.default_rng(1)
    X, u = rng.random((6, 5, 4, 3)), rng.random(6)
    want = torch.from_numpy(X).clone()
    for i in range(6):
        if u[i] < 0.5:
            want[i] = torch.flip(want[i], dims=[1])
    args = (X, u) if lib == "numpy" else (torch.from_numpy(X), torch.from_numpy(u))
    got = augment.random_flips(*args, 0.5)
    np.testing.assert_array_equal(np.asarray(got), want.numpy())
    np.testing.assert_array_equal(np.asarray(augment.hflip(augment.hflip(args[0]))), X)


def test_crop_offsets_reach_every_position_and_the_notes_do_not():
    rng = np.random.default_rng(0)
    tops = {augment.crop_offsets(rng, (4, 4), (2, 2))[0] for _ in range(2000)}
    notes = {int(rng.integers(0, 4 - 2)) for _ in range(2000)}
    assert tops == {0, 1, 2} and notes == {0, 1}
    assert augment.crop_offsets(rng, (5, 7), (5, 7)) == (0, 0)
    with pytest.raises(ValueError):
        rng.integers(0, 5 - 5)                                    # the notes' bound at crop = image
    with pytest.raises(ValueError, match="does not fit"):
        augment.crop_offsets(rng, (4, 4), (5, 2))
    top, left = augment.crop_offsets(rng, (9, 9), (3, 3))
    assert type(top) is int and type(left) is int


@pytest.mark.parametrize("lib", ["numpy", "torch"])
def test_random_crops_follow_the_documented_draws(lib):
    rng = np.random.default_rng(2)
    X = rng.random((4, 8, 9, 3))
    got = augment.random_crops(X if lib == "numpy" else torch.from_numpy(X), np.random.default_rng(7), (5, 6))
    draws = np.random.default_rng(7)
    for i in range(4):
        top, left = int(draws.integers(0, 4)), int(draws.integers(0, 4))
        want = torch.from_numpy(X[i]).narrow(0, top, 5).narrow(1, left, 6)
        np.testing.assert_array_equal(np.asarray(got[i]), want.numpy())


def test_noise_and_brightness_match_torch_clamp():
    rng = np.random.default_rng(3)
    X, z, f = rng.random((3, 4, 4, 3)), rng.standard_normal((3, 4, 4, 3)), np.array([0.5, 1.0, 1.7])
    np.testing.assert_allclose(augment.add_noise(X, z, 0.3),
                               torch.clamp(torch.from_numpy(X) + 0.3 * torch.from_numpy(z), 0, 1).numpy())
    np.testing.assert_allclose(augment.adjust_brightness(X, f),
                               torch.clamp(torch.from_numpy(X) * torch.from_numpy(f)[:, None, None, None], 0, 1))
    assert augment.add_noise(X.astype(np.float32), z.astype(np.float32), 0.1).dtype == np.float32


@pytest.mark.parametrize("lib", ["numpy", "torch"])
def test_augment_batch_is_reproducible_and_the_identity_when_off(lib):
    X = synthetic_shapes(rng=4, m=5, size=12)[0]
    X = X if lib == "numpy" else torch.from_numpy(X)
    same = augment.augment_batch(X, np.random.default_rng(0), p_flip=0.0, crop_hw=None, sigma=0.0)
    np.testing.assert_array_equal(np.asarray(same), np.asarray(X))
    a = augment.augment_batch(X, np.random.default_rng(1), p_flip=0.5, crop_hw=(9, 10), sigma=0.05)
    b = augment.augment_batch(X, np.random.default_rng(1), p_flip=0.5, crop_hw=(9, 10), sigma=0.05)
    assert tuple(a.shape) == (5, 9, 10, 3)
    np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    assert 0.0 <= float(a.min()) and float(a.max()) <= 1.0


# ----------------------------------------------------------------------------- early stopping

def test_syllabus_vector():
    assert replay(CURVE, 3) == (5, 8) and u15._es_oracle(CURVE, 3, 0.0) == (5, 8)
    assert replay(CURVE, 1) == (3, 4)
    assert replay(CURVE, 6) == (5, 10)


def test_dlbook_early_stopping_agrees_with_the_grader_oracle():
    """Two implementations written differently (a counter; improvement flags and a window)."""
    rng = np.random.default_rng(0)
    for _ in range(300):
        T = int(rng.integers(1, 60))
        t = np.arange(T)
        curve = (0.4 + 0.3 * np.exp(-t / rng.uniform(2, 10)) + rng.uniform(0, 0.005) * t
                 + rng.uniform(0, 0.05) * rng.standard_normal(T)).round(int(rng.integers(2, 4)))   # ties too
        patience, delta = int(rng.integers(1, 8)), float(rng.choice([0.0, 0.001, 0.01]))
        assert replay(curve.tolist(), patience, delta) == u15._es_oracle(curve.tolist(), patience, delta)


def test_min_delta_boundary_and_ties_are_not_improvements():
    assert replay([1.0, 0.75, 0.5, 0.375, 0.25, 0.25], 2, 0.25) == (2, 4)
    assert replay([1.0, 0.5, 0.5, 0.5, 0.4], 2) == (1, 3)


def test_best_params_are_a_deep_copy():
    params = {"W1": np.ones((2, 2)), "b1": np.zeros((2, 1))}
    stopper = EarlyStopping(patience=2)
    assert not stopper.step(0.5, params)
    params["W1"] -= 1.0                          # training updates in place
    assert not stopper.step(0.6, params)
    assert stopper.step(0.7, params)
    np.testing.assert_array_equal(stopper.best_params["W1"], np.ones((2, 2)))
    assert (stopper.best_epoch, stopper.best_loss, stopper.epoch) == (0, 0.5, 2)


def test_nan_is_no_improvement_and_patience_must_be_positive():
    assert replay([0.5, math.nan, math.nan], 2) == (0, 2)
    with pytest.raises(ValueError):
        EarlyStopping(patience=0)
