"""Unit 16: dlbook.minibatch (coverage and order of the mini-batches, batch GD as the case
b = m, agreement with torch.optim.SGD on nn.Linear fed the same batches) and the grader's
oracles against the syllabus's test vectors."""
import math

import numpy as np
import pytest

from dlbook import minibatch
from dlbook.data import blobs
from dlbook.logistic import train
from dlbook.losses import bce_with_logits
from grader.units import u16_mini_batch as u16


@pytest.mark.parametrize("m, b, count", [(1000, 100, 10), (5_000_000, 1000, 5000), (148, 64, 3), (64, 64, 1),
                                         (65, 64, 2), (7, 10, 1), (10, 1, 10)])
def test_iterations_per_epoch(m, b, count):
    assert minibatch.iterations_per_epoch(m, b) == count == u16._count_oracle(m, b)


@pytest.mark.parametrize("m, b", [(148, 64), (32, 8), (5, 8), (7, 1), (1, 1)])
def test_minibatch_indices_cover_every_column_once_in_the_permutation_order(m, b):
    rng, same = np.random.default_rng(3), np.random.default_rng(3)
    batches = minibatch.minibatch_indices(m, b, rng)
    perm = same.permutation(m)
    assert len(batches) == math.ceil(m / b)
    assert [len(idx) for idx in batches[:-1]] == [b] * (len(batches) - 1)
    assert len(batches[-1]) == m - b * (len(batches) - 1)
    np.testing.assert_array_equal(np.concatenate(batches), perm)          # order: the permutation, cut


def test_a_new_shuffle_every_epoch():
    rng = np.random.default_rng(0)
    first, second = (np.concatenate(minibatch.minibatch_indices(50, 16, rng)) for _ in range(2))
    assert not np.array_equal(first, second)


def test_syllabus_shapes_and_one_hot_labels():
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(12, 148)), np.eye(3)[:, rng.integers(0, 3, 148)]     # one-hot Y (3, 148)
    perm = rng.permutation(148)
    batches = u16._batch_oracle(X, Y, 64, perm)
    assert [(x.shape, y.shape) for x, y in batches] == [((12, 64), (3, 64)), ((12, 64), (3, 64)),
                                                      ((12, 20), (3, 20))]
    with pytest.raises(ValueError, match="cannot reshape array of size 444 into shape"):
        Y[:, perm].reshape((1, 148))                                          # the notes' listing


def test_grader_batches_oracle_matches_a_plain_loop():
    rng = np.random.default_rng(1)
    X, Y = rng.normal(size=(3, 23)), rng.normal(size=(2, 23))
    perm = rng.permutation(23)
    batches = u16._batch_oracle(X, Y, 5, perm)
    k = 0
    for x, y in batches:
        for j in range(x.shape[1]):
            np.testing.assert_array_equal(x[:, j], X[:, perm[k]])
            np.testing.assert_array_equal(y[:, j], Y[:, perm[k]])
            k += 1
    assert k == 23 and len(batches) == 5


def test_batch_size_m_is_batch_gradient_descent():
    X, Y = blobs(rng=0, m=200, centers=((-0.5, 1.0), (1.0, -0.5)), scale=1.0)
    w, b, costs = train(X, Y, alpha=0.5, iterations=15)
    w_mb, b_mb, batch_cost, path = minibatch.train_logistic_minibatch(X, Y, 200, 0.5, 15, np.random.default_rng(0))
    np.testing.assert_allclose(w_mb, w, rtol=1e-12, atol=1e-14)
    assert b_mb == pytest.approx(b, abs=1e-14)
    np.testing.assert_allclose(batch_cost, costs, rtol=1e-12)
    assert path.shape == (16, 3)


@pytest.mark.parametrize("b, alpha, epochs", [(16, 0.5, 3), (1, 0.1, 2), (37, 1.0, 2)])
def test_minibatch_training_matches_torch_sgd_on_the_same_batches(b, alpha, epochs):
    X, Y = blobs(rng=1, m=75, centers=((-0.5, 1.0), (1.0, -0.5)), scale=1.0)
    w, bias, batch_cost, path = minibatch.train_logistic_minibatch(X, Y, b, alpha, epochs, np.random.default_rng(5))
    w_t, b_t, costs_t = u16._gd_oracle(X, Y, b, alpha, epochs, np.random.default_rng(5))
    np.testing.assert_allclose(w, w_t, rtol=1e-10, atol=1e-12)
    assert bias == pytest.approx(b_t, rel=1e-10, abs=1e-12)
    np.testing.assert_allclose(batch_cost, costs_t, rtol=1e-10)
    np.testing.assert_allclose(path[-1], np.append(w_t.ravel(), b_t), rtol=1e-10, atol=1e-12)


def test_path_costs_are_the_training_cost_at_each_point():
    X, Y = blobs(rng=2, m=60)
    _, _, _, path = minibatch.train_logistic_minibatch(X, Y, 8, 0.3, 2, np.random.default_rng(0))
    want = [bce_with_logits(row[:-1][None, :] @ X + row[-1], Y) for row in path]
    np.testing.assert_allclose(minibatch.path_costs(path, X, Y), want, rtol=1e-12)


def test_oracle_starts_from_the_cost_of_w_zero():
    X, Y = blobs(rng=3, m=40)
    _, _, costs = u16._gd_oracle(X, Y, 40, 0.1, 1, np.random.default_rng(0))
    assert costs[0] == pytest.approx(math.log(2), rel=1e-12)
    assert len(u16._gd_oracle(X, Y, 16, 0.1, 3, np.random.default_rng(0))[2]) == 3 * 3
