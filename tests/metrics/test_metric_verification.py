"""Verification metrics against brute-force definitions and hand-worked cases."""

import numpy as np
import pytest

from lateral_keras.metrics import auc, eer, roc_curve, tar_at_far, verification_figures


def _random_pairs(seed, n=300, decimals=None):
    rng = np.random.default_rng(seed)
    labels = rng.random(n) < 0.3
    scores = rng.normal(size=n) + 1.2 * labels
    if decimals is not None:
        scores = np.round(scores, decimals)  # many ties
    return scores, labels.astype(int)


def _brute_roc(scores, labels):
    """One point per distinct threshold, counted with explicit loops."""
    genuine = [s for s, y in zip(scores, labels) if y == 1]
    impostor = [s for s, y in zip(scores, labels) if y == 0]
    points = [(0.0, 0.0, np.inf)]
    for t in sorted(set(scores), reverse=True):
        far = sum(s >= t for s in impostor) / len(impostor)
        tar = sum(s >= t for s in genuine) / len(genuine)
        points.append((far, tar, t))
    return np.array(points).T


def _brute_eer(scores, labels, samples=4001):
    """Walks the ROC polyline densely and returns the FAR where |FAR - FRR| is smallest."""
    far, tar, _ = _brute_roc(scores, labels)
    best_gap, best_far = np.inf, None
    for k in range(len(far) - 1):
        t = np.linspace(0.0, 1.0, samples)
        seg_far = far[k] + t * (far[k + 1] - far[k])
        seg_frr = 1.0 - (tar[k] + t * (tar[k + 1] - tar[k]))
        gaps = np.abs(seg_far - seg_frr)
        j = int(np.argmin(gaps))
        if gaps[j] < best_gap:
            best_gap, best_far = gaps[j], (seg_far[j] + seg_frr[j]) / 2
    return best_far


def _mann_whitney(scores, labels):
    genuine = [s for s, y in zip(scores, labels) if y == 1]
    impostor = [s for s, y in zip(scores, labels) if y == 0]
    wins = sum(1.0 if g > i else 0.5 if g == i else 0.0 for g in genuine for i in impostor)
    return wins / (len(genuine) * len(impostor))


@pytest.mark.parametrize("decimals", [None, 1])
def test_roc_curve_matches_brute_force(decimals):
    scores, labels = _random_pairs(0, n=120, decimals=decimals)
    far, tar, thresholds = roc_curve(scores, labels)
    expected_far, expected_tar, expected_thresholds = _brute_roc(scores, labels)
    np.testing.assert_allclose(far, expected_far, atol=1e-12)
    np.testing.assert_allclose(tar, expected_tar, atol=1e-12)
    np.testing.assert_array_equal(thresholds, expected_thresholds)
    assert (far[0], tar[0], far[-1], tar[-1]) == (0.0, 0.0, 1.0, 1.0)


def test_roc_curve_ties_form_one_point():
    # Thresholds inf, .9, .5, .1; the two 0.5 scores (one genuine, one impostor) are one point.
    far, tar, thresholds = roc_curve([0.9, 0.5, 0.5, 0.1], [1, 1, 0, 0])
    np.testing.assert_allclose(far, [0.0, 0.0, 0.5, 1.0])
    np.testing.assert_allclose(tar, [0.0, 0.5, 1.0, 1.0])
    np.testing.assert_allclose(thresholds, [np.inf, 0.9, 0.5, 0.1])


@pytest.mark.parametrize("seed,decimals", [(1, None), (2, None), (3, 1), (4, 2)])
def test_eer_matches_dense_polyline_scan(seed, decimals):
    scores, labels = _random_pairs(seed, decimals=decimals)
    value, _ = eer(scores, labels)
    assert abs(value - _brute_eer(scores, labels)) < 1e-3


@pytest.mark.parametrize("seed,decimals", [(5, None), (6, 1), (7, 0)])
def test_auc_matches_mann_whitney_with_half_ties(seed, decimals):
    scores, labels = _random_pairs(seed, decimals=decimals)
    assert auc(scores, labels) == pytest.approx(_mann_whitney(scores, labels), abs=1e-6)


def test_perfect_separation():
    scores = [0.9, 0.8, 0.7, 0.2, 0.1]
    labels = [1, 1, 1, 0, 0]
    value, threshold = eer(scores, labels)
    assert value == 0.0
    assert 0.2 < threshold <= 0.7
    assert auc(scores, labels) == 1.0


def test_reversed_separation_is_worst():
    value, _ = eer([0.1, 0.2, 0.8, 0.9], [1, 1, 0, 0])
    assert value == 1.0
    assert auc([0.1, 0.2, 0.8, 0.9], [1, 1, 0, 0]) == 0.0


def test_identical_scores_give_half():
    # ROC (0, 0) -> (1, 1) in one segment; its start has threshold inf, so the threshold reported
    # is the highest (only) score.
    value, threshold = eer(np.full(6, 0.3), [1, 0, 1, 0, 1, 0])
    assert value == pytest.approx(0.5)
    assert threshold == 0.3
    assert auc(np.full(6, 0.3), [1, 0, 1, 0, 1, 0]) == pytest.approx(0.5)


def test_identical_distributions_give_about_half():
    rng = np.random.default_rng(8)
    scores = rng.normal(size=4000)
    labels = rng.random(4000) < 0.5
    value, _ = eer(scores, labels)
    assert abs(value - 0.5) < 0.04
    assert abs(auc(scores, labels) - 0.5) < 0.04


def test_eer_hand_worked_interpolation():
    # Scores: impostor .9, genuine .8, impostors .5 and .2 (1 genuine, 3 impostors).
    # ROC points (far, tar, threshold): (0, 0, inf), (1/3, 0, .9), (1/3, 1, .8), (2/3, 1, .5),
    # (1, 1, .2). d = far + tar - 1: -1, -2/3, 1/3, 2/3, 1: crossing on the segment .9 -> .8,
    # alpha = (2/3) / (1/3 + 2/3) = 2/3. There FAR = 1/3 and FRR = 1 - 2/3 = 1/3, so EER = 1/3;
    # threshold = .9 + 2/3 (.8 - .9) = 0.8333.
    value, threshold = eer([0.9, 0.8, 0.5, 0.2], [0, 1, 0, 0])
    assert value == pytest.approx(1 / 3)
    assert threshold == pytest.approx(0.9 - 0.2 / 3)


def test_eer_crossing_at_a_roc_point():
    # .9 G, .8 I, .4 G, .3 I: at threshold .8, FAR = 1/2 (.8) and FRR = 1/2 (.4 rejected).
    assert eer([0.9, 0.8, 0.4, 0.3], [1, 0, 1, 0]) == pytest.approx((0.5, 0.8))


def test_tar_at_far_hand_case():
    # Genuine .95 .9 .6 .3, impostors .8 .4 .2 .1 (4 impostors, FAR steps of 1/4).
    # FAR <= .25 allows thresholds down to .6 (only .8 accepted among impostors): TAR = 3/4.
    # FAR <= .5 allows down to .3 (.8, .4 accepted): TAR = 1. FAR .1 < 1/4: not resolvable.
    scores = [0.95, 0.9, 0.6, 0.3, 0.8, 0.4, 0.2, 0.1]
    labels = [1, 1, 1, 1, 0, 0, 0, 0]
    result = tar_at_far(scores, labels, far_targets=(0.5, 0.25, 0.1))
    np.testing.assert_allclose(result[:2], [1.0, 0.75])
    assert np.isnan(result[2])


@pytest.mark.parametrize("decimals", [None, 1])
def test_tar_at_far_matches_threshold_scan(decimals):
    scores, labels = _random_pairs(9, n=400, decimals=decimals)
    targets = (0.3, 0.1, 0.01)
    genuine, impostor = scores[labels == 1], scores[labels == 0]
    expected = []
    for target in targets:
        best = 0.0
        for t in np.r_[np.inf, scores]:
            if np.mean(impostor >= t) <= target:
                best = max(best, np.mean(genuine >= t))
        expected.append(best)
    np.testing.assert_allclose(tar_at_far(scores, labels, targets), expected)


@pytest.mark.parametrize("decimals", [None, 1])
def test_verification_figures_match_the_brute_force_oracles(decimals):
    scores, labels = _random_pairs(11, n=300, decimals=decimals)
    figures = verification_figures(scores, labels, (0.2, 0.05))
    assert figures["eer"] == pytest.approx(_brute_eer(scores, labels), abs=1e-3)
    assert figures["auc"] == pytest.approx(_mann_whitney(scores, labels), abs=1e-12)
    genuine, impostor = scores[labels == 1], scores[labels == 0]
    for target, tar in zip((0.2, 0.05), figures["tar_at_far"]):
        best = max(np.mean(genuine >= t) for t in np.r_[np.inf, scores]
                   if np.mean(impostor >= t) <= target)
        assert tar == pytest.approx(best)
    assert (figures["eer"], figures["eer_threshold"]) == eer(scores, labels)


def test_tar_at_far_too_few_impostors_is_nan():
    scores, labels = _random_pairs(10, n=100)
    num_impostor = int(np.sum(labels == 0))
    result = tar_at_far(scores, labels, far_targets=(1.0 / num_impostor, 0.99 / num_impostor))
    assert np.isfinite(result[0])
    assert np.isnan(result[1])


@pytest.mark.parametrize(
    "scores,labels,message",
    [
        ([0.1, 0.2], [1], "same length"),
        ([0.1, np.nan], [1, 0], "finite"),
        ([0.1, 0.2], [1, 2], "0 \\(impostor\\) or 1"),
        ([0.1, 0.2], [1, 1], "at least one genuine"),
    ],
)
def test_invalid_inputs_raise(scores, labels, message):
    with pytest.raises(ValueError, match=message):
        eer(scores, labels)


@pytest.mark.parametrize("far_targets", [(), (0.0,), (1.5,), ((0.1, 0.2),)])
def test_invalid_far_targets_raise(far_targets):
    with pytest.raises(ValueError, match="Received: far_targets="):
        tar_at_far([0.1, 0.2], [1, 0], far_targets=far_targets)
