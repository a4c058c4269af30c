"""Open-set DIR at FAR: a hand-worked case and a threshold scan."""

import numpy as np
import pytest

from lateral_keras.metrics import dir_at_far


def test_hand_case():
    # Gallery a, b. Probes: a (.9 top, rank-1), a (.6, rank-1), b (.8 on a: wrong identity),
    # non-mated x (top .65) and y (top .5).
    # FAR .5 with 2 non-mated probes: 1 false alarm allowed, threshold = 2nd highest = .5:
    #   detected = rank-1 and top > .5: probes 1 and 2 -> DIR = 2/3.
    # FAR 1.0: 2 false alarms allowed, no threshold: still 2/3 (probe 3 is not rank-1).
    # FAR .4 < 1/2: not resolvable -> NaN.
    similarity = [[0.9, 0.1], [0.6, 0.2], [0.8, 0.4], [0.65, 0.3], [0.5, 0.2]]
    result = dir_at_far(similarity, ["a", "a", "b", "x", "y"], ["a", "b"], (0.5, 1.0, 0.4))
    np.testing.assert_allclose(result[:2], [2 / 3, 2 / 3])
    assert np.isnan(result[2])


def test_mated_score_equal_to_threshold_is_not_detected():
    # Non-mated tops .7 and .6; FAR .5 -> threshold .6; mated probe with top .6 is not above it.
    similarity = [[0.6, 0.1], [0.61, 0.1], [0.7, 0.2], [0.6, 0.3]]
    result = dir_at_far(similarity, ["a", "a", "x", "y"], ["a", "b"], (0.5,))
    np.testing.assert_allclose(result, [0.5])


def test_matches_threshold_scan():
    rng = np.random.default_rng(0)
    gallery_labels = np.arange(8)
    probe_labels = rng.integers(0, 14, size=60)  # labels 8..13 are not enrolled
    similarity = rng.normal(size=(60, 8)) + 2.0 * (probe_labels[:, None] == gallery_labels)
    targets = (1.0, 0.3, 0.1, 0.05)
    non_mated = [row.max() for row, y in zip(similarity, probe_labels) if y >= 8]
    expected = []
    for target in targets:
        # Lowest threshold (strict acceptance) whose false alarm share stays within the target.
        candidates = [-np.inf] + sorted(non_mated)
        threshold = next(t for t in candidates if np.mean([s > t for s in non_mated]) <= target)
        detected = [
            row[y] == row.max() and row.max() > threshold
            for row, y in zip(similarity, probe_labels)
            if y < 8
        ]
        expected.append(np.mean(detected))
    result = dir_at_far(similarity, probe_labels, gallery_labels, targets)
    np.testing.assert_allclose(result, expected)
    assert len(set(expected)) > 1  # the targets really select different thresholds


def test_needs_both_kinds_of_probe():
    with pytest.raises(ValueError, match="mated and one non-mated"):
        dir_at_far([[0.1, 0.2]], ["a"], ["a", "b"])
