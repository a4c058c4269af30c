"""The keras.ops histogram ROC core on hand-worked cases."""

import numpy as np
import pytest
from keras import ops

from lateral_keras.metrics import histogram_roc

pytestmark = pytest.mark.backend_agnostic


def _np(x):
    return ops.convert_to_numpy(x)


def test_score_bins_edges_and_clipping():
    # Range [-1, 1] in 4 bins of width .5: -1 -> 0, -.5 -> 1 (edge), 0 -> 2, .99 -> 3, 1 -> 3,
    # out of range values clip.
    bins = histogram_roc.score_bins(
        np.array([-1.0, -0.5, 0.0, 0.99, 1.0, -3.0, 3.0], "float32"), 4, -1.0, 1.0
    )
    assert _np(bins).tolist() == [0, 1, 2, 3, 3, 0, 3]


def test_collision_values_land_in_their_own_bin():
    # c / m for m = 19 in float32, times 95 bins, floors to 5 c - 1 for c = 3, 6, 12 without the
    # edge tolerance; each value must stay in bin 5 c (c = m clips into the last bin).
    m = 19
    scores = (np.arange(m + 1) / m).astype("float32")
    bins = _np(histogram_roc.score_bins(scores, 95, 0.0, 1.0))
    assert bins.tolist() == [5 * c for c in range(m)] + [94]


def test_pair_histograms_hand_case():
    # Labels 0, 0, 1: pair (0, 1) genuine with .9; pairs (0, 2) .1 and (1, 2) .2 impostors.
    # Two bins over [0, 1]: .9 -> bin 1; .1, .2 -> bin 0. Diagonal and lower triangle ignored.
    similarity = np.array([[1.0, 0.9, 0.1], [0.9, 1.0, 0.2], [0.1, 0.2, 1.0]], "float32")
    genuine, impostor = histogram_roc.pair_histograms([0, 0, 1], similarity, 2, 0.0, 1.0)
    assert _np(genuine).tolist() == [0.0, 1.0]
    assert _np(impostor).tolist() == [2.0, 0.0]


def test_pair_histograms_sample_weight_is_a_product():
    similarity = np.array([[1.0, 0.9, 0.1], [0.9, 1.0, 0.2], [0.1, 0.2, 1.0]], "float32")
    weights = np.array([2.0, 3.0, 0.5], "float32")
    genuine, impostor = histogram_roc.pair_histograms(
        [0, 0, 1], similarity, 2, 0.0, 1.0, sample_weight=weights
    )
    assert _np(genuine).tolist() == [0.0, 6.0]  # 2 * 3
    assert _np(impostor).tolist() == [2.5, 0.0]  # 2 * .5 + 3 * .5


def test_histogram_roc_and_figures():
    # Bins low -> high. Genuine [0, 1, 3], impostor [2, 1, 1].
    # From the top: accept nothing (0, 0); bin 2: far 1/4, tar 3/4; bins 1-2: far 1/2, tar 1;
    # all: (1, 1). d = far + tar - 1: -1, 0, .5, 1: crossing exactly at (1/4, 3/4): EER 1/4.
    # AUC = trapezoids: .25 * .375 + .25 * .875 + .5 * 1 = 0.8125.
    far, tar = histogram_roc.histogram_roc(
        np.array([0.0, 1.0, 3.0], "float32"), np.array([2.0, 1.0, 1.0], "float32")
    )
    np.testing.assert_allclose(_np(far), [0.0, 0.25, 0.5, 1.0])
    np.testing.assert_allclose(_np(tar), [0.0, 0.75, 1.0, 1.0])
    assert float(histogram_roc.roc_eer(far, tar)) == pytest.approx(0.25)
    assert float(histogram_roc.roc_auc(far, tar)) == pytest.approx(0.8125)
    assert float(histogram_roc.roc_tar_at_far(far, tar, 4.0, 0.5)) == pytest.approx(1.0)
    assert float(histogram_roc.roc_tar_at_far(far, tar, 4.0, 0.3)) == pytest.approx(0.75)
    assert np.isnan(float(histogram_roc.roc_tar_at_far(far, tar, 4.0, 0.2)))


def test_roc_eer_interpolates_and_skips_empty_bins():
    # Points (0,0), (1/3,0), (1/3,0) [empty bin], (1/3,1), (1,1): d = -1, -2/3, -2/3, 1/3, 1.
    # Crossing on the segment (1/3, 0) -> (1/3, 1), where FAR stays 1/3: EER = 1/3.
    far = np.array([0.0, 1 / 3, 1 / 3, 1 / 3, 1.0], "float32")
    tar = np.array([0.0, 0.0, 0.0, 1.0, 1.0], "float32")
    assert float(histogram_roc.roc_eer(far, tar)) == pytest.approx(1 / 3)


def test_empty_histograms_give_nan():
    far, tar = histogram_roc.histogram_roc(np.zeros(3, "float32"), np.ones(3, "float32"))
    assert np.isnan(float(histogram_roc.roc_eer(far, tar)))
