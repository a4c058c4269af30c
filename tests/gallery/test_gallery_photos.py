"""Gallery photos are cut as training cut its ROIs: same ROI mode, mirrored and known flank."""

import pytest

from lateral_keras.config import load_config
from lateral_keras.data.dataset_index import DatasetIndex
from lateral_keras.gallery.photos import prepare_photos


def test_prepare_photos_passes_the_config_flank_options(tmp_path, stub_prepare):
    seen = stub_prepare("lateral_keras.preprocessing.prepare_dataset")
    config = load_config(overrides=["preprocessing.roi=box", "preprocessing.mirror_side=right",
                                    "preprocessing.flank=declared", "preprocessing.workers=1"])
    with pytest.raises(OSError, match="stop here"):
        prepare_photos(config, DatasetIndex([], []), tmp_path / "cache")
    assert seen == {"roi_mode": "box", "mirror_side": "right", "flank": "declared",
                    "workers": 1, "progress": None}


def test_enroll_reads_sides_from_names_as_training_does(tmp_path):
    import cv2
    import numpy as np

    from lateral_keras.cli.enroll import _index

    for name in ("fish_01_L", "fish_01_R"):
        (tmp_path / "S1" / name).mkdir(parents=True)
        cv2.imwrite(str(tmp_path / "S1" / name / "a.png"), np.zeros((40, 40, 3), np.uint8))
    index, root = _index(str(tmp_path), "auto")
    assert sorted((r.identity, r.side) for r in index.records) == [
        ("fish_01", "left"), ("fish_01", "right")
    ]
