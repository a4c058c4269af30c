"""Vote accuracy: one majority vote per fish."""

import pytest

from lateral_keras.metrics import vote_accuracy


def test_hand_case():
    # Fish 0: votes 1, 1, 2 -> 1 (right). Fish 1: votes 5, 5, 3 -> 5 (wrong, truth 3).
    # Fish 2: votes 4, 2 tie -> smallest 2 (right). 2 of 3 fish.
    pred = [1, 1, 2, 5, 5, 3, 4, 2]
    true = [1, 1, 1, 3, 3, 3, 2, 2]
    groups = [0, 0, 0, 1, 1, 1, 2, 2]
    assert vote_accuracy(pred, true, groups) == pytest.approx(2 / 3)


def test_tie_goes_to_smallest_label_even_when_wrong():
    assert vote_accuracy([1, 2], [2, 2], [0, 0]) == 0.0
    assert vote_accuracy([1, 2], [1, 1], [0, 0]) == 1.0


def test_inconsistent_truth_raises():
    with pytest.raises(ValueError, match="constant within a group"):
        vote_accuracy([1, 2], [1, 2], [0, 0])


def test_shape_mismatch_raises():
    with pytest.raises(ValueError, match="Received: shapes="):
        vote_accuracy([1, 2], [1], [0, 0])
