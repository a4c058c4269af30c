"""Decision thresholds: validation file first, then the gallery's impostors, then chance."""

import json

import numpy as np
import pytest

from lateral_keras.gallery import CodeGallery, GallerySettings
from lateral_keras.gallery.faiss_index import import_faiss
from lateral_keras.gallery.threshold import (
    chance_threshold,
    decision_threshold,
    impostor_threshold,
)

SETTINGS = GallerySettings("codes", model_hash="m", m=64, q=8)


@pytest.mark.parametrize("far", [0.0, 0.01, 0.1, 0.25, 0.5, 1.0])
def test_impostor_threshold_is_the_lowest_score_within_the_far(far):
    scores = np.random.default_rng(0).integers(0, 20, 200) / 20.0  # many ties
    threshold = impostor_threshold(scores, far)
    assert np.mean(scores >= threshold) <= far + 1e-12
    lower = scores[scores < threshold]
    if len(lower):  # the next lower candidate would accept too many
        assert np.mean(scores >= lower.max()) > far


def test_validation_file_wins_then_gallery_then_chance(tmp_path):
    gallery = CodeGallery(SETTINGS)
    gallery.enrol(np.random.default_rng(1).integers(0, 8, (6, 64)), ["a", "a", "b", "b", "c",
                                                                     "c"])
    scores = []
    for i in range(6):
        for j in range(i + 1, 6):
            if gallery.identities[i] != gallery.identities[j]:
                scores.append(np.mean(gallery.features[i] == gallery.features[j]))
    choice = decision_threshold(str(tmp_path), gallery, 0.0)
    assert choice["source"] == "gallery" and choice["threshold"] > max(scores)
    (tmp_path / "thresholds.json").write_text(json.dumps({"codes": {"threshold": 0.4,
                                                                    "far": 0.01}}))
    assert decision_threshold(str(tmp_path), gallery, 0.0) == {
        "threshold": 0.4, "far": 0.01, "source": "validation"}
    single = CodeGallery(SETTINGS)
    single.enrol(np.zeros((2, 64), int), ["a", "a"])
    choice = decision_threshold(None, single, 0.01)
    assert choice == chance_threshold(SETTINGS)
    assert choice["threshold"] == pytest.approx(1 / 8 + 4 * np.sqrt(1 / 8 * 7 / 8 / 64))


def test_a_validation_threshold_chosen_over_other_crops_is_not_used(tmp_path):
    """`lateral evaluate --set evaluation.test_time_crops=...` rewrites the thresholds without
    changing the crops the run's galleries are enrolled with."""
    crops = ["centre", "top_left", "bottom_right"]
    (tmp_path / "thresholds.json").write_text(json.dumps(
        {"codes": {"threshold": 0.4, "far": 0.01, "test_time_crops": crops}}))
    for settings, source in ((SETTINGS, "gallery"),
                             (GallerySettings("codes", "m", m=64, q=8, crops=crops),
                              "validation")):
        gallery = CodeGallery(settings)
        gallery.enrol(np.random.default_rng(1).integers(0, 8, (4, 64)), ["a", "a", "b", "b"])
        assert decision_threshold(str(tmp_path), gallery, 0.0)["source"] == source


def test_missing_faiss_says_how_to_install_it(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "faiss", None)
    with pytest.raises(ImportError, match=r"pip install faiss-cpu.*backend='numpy'"):
        import_faiss()
