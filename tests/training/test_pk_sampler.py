"""P x K sampling covers every identity and keeps each batch's structure."""

import numpy as np
import pytest

from lateral_keras.training.pk_sampler import batches_per_pass, pk_index_batches


def make_labels(sizes):
    return np.concatenate([np.full(n, c) for c, n in enumerate(sizes)])


@pytest.mark.parametrize("p, k", [(4, 3), (5, 4), (7, 2)])
def test_every_identity_each_epoch_with_k_images(p, k):
    labels = make_labels([5, 3, 6, 2, 4, 7, 5, 3, 4, 6, 2])
    batches = pk_index_batches(labels, p, k, np.random.default_rng(1))
    assert batches.shape == (-(-11 // p), p * k)
    seen = set()
    for batch in batches:
        groups = labels[batch].reshape(p, k)
        # Each group of K holds one identity, and P distinct identities per batch.
        assert (groups == groups[:, :1]).all()
        assert len(set(groups[:, 0])) == p
        seen |= set(groups[:, 0].tolist())
        for group in batch.reshape(p, k):
            ident = labels[group[0]]
            if (labels == ident).sum() >= k:
                assert len(set(group.tolist())) == k  # without replacement
    assert seen == set(range(11))


def test_repeatable_for_a_seed_and_different_across_seeds():
    labels = make_labels([4] * 9)
    a = pk_index_batches(labels, 3, 4, np.random.default_rng(5))
    b = pk_index_batches(labels, 3, 4, np.random.default_rng(5))
    c = pk_index_batches(labels, 3, 4, np.random.default_rng(6))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_invalid_p():
    with pytest.raises(ValueError, match=r"classes_per_batch must be in \[2, 3\]"):
        pk_index_batches(make_labels([2, 2, 2]), 4, 2, np.random.default_rng(0))


def test_batches_per_pass_is_the_ceiling_of_identities_over_p():
    for identities, p, expected in ((260, 16, 17), (256, 16, 16), (5, 2, 3), (2, 2, 1)):
        assert batches_per_pass(identities, p) == expected
        labels = np.repeat(np.arange(identities), 2)
        assert len(pk_index_batches(labels, p, 2, np.random.default_rng(0))) == expected
