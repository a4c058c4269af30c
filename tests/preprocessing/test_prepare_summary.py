"""The preparation summary's one line, and its warning when many photos give no ROI."""

import cv2
import numpy as np
import pytest

from lateral_keras.config import ConfigError, load_config
from lateral_keras.data.synthetic.render import render_image
from lateral_keras.preprocessing.prepare import prepare_dataset
from lateral_keras.preprocessing.summary import PrepareSummary
from lateral_keras.training.data_setup import prepare_data
from lateral_keras.training.run_folder import RunFolder


def _summary(ok, failed, reasons, error=0):
    files = {"summary_md": "c/summary.md", "failures_png": "c/failures.png"}
    return PrepareSummary("c", "extract", ok + failed + error + reasons.get("skip_me", 0), ok,
                          failed, reasons.get("skip_me", 0), error, ok + failed, 0, reasons, {},
                          files)


def test_describe_lists_the_reasons_commonest_first():
    summary = _summary(7, 3, {"fish_cut_by_frame": 1, "no_fish": 2})
    assert summary.describe() == (
        "10 files: 7 ROIs, 3 failed, 0 skipped, 0 errors (10 processed, 0 reused); "
        "no_fish 2, fish_cut_by_frame 1; report: c/summary.md"
    )


def test_warning_only_above_the_share_and_about_a_failure_reason():
    assert _summary(9, 1, {"no_fish": 1}).warning() is None  # 10 %: passes silently
    warning = _summary(8, 2, {"no_background": 2, "skip_me": 5}).warning()
    assert warning.startswith("2 of 10 photos (20%) gave no ROI; the commonest reason, "
                              "no_background (2): ")
    assert "`preprocessing.roi: box`" in warning and warning.endswith("c/failures.png.")
    unhinted = _summary(0, 1, {"undecodable": 1}).warning()
    assert "undecodable (1): see c/summary.md" in unhinted
    assert _summary(0, 0, {}).warning() is None


def _blue_photo(seed):
    """A dark fish-like ellipse on a blue (not green) background."""
    photo = np.zeros((270, 360, 3), np.uint8)
    photo[:] = (40, 60, 200)
    cv2.ellipse(photo, (180, 135), (90 + 4 * seed, 30), 0, 0, 360, (90, 80, 60), -1)
    return photo


@pytest.fixture
def blue_tree(tmp_path):
    """Six fish, two sessions: every photo on blue, except one ordinary green one."""
    root = tmp_path / "blue"
    for session in (1, 2):
        for fish in range(6):
            path = root / f"S{session}" / f"fish_{fish}" / "a.png"
            path.parent.mkdir(parents=True)
            photo = _blue_photo(fish)
            if (session, fish) == (1, 0):
                photo = render_image(0, 0, 0, image_size=(360, 270), difficulty="easy")[0]
            assert cv2.imwrite(str(path), cv2.cvtColor(photo, cv2.COLOR_RGB2BGR))
    return root


def test_prepare_warns_that_photos_without_green_need_another_roi_mode(blue_tree, tmp_path):
    summary = prepare_dataset(blue_tree, tmp_path / "cache", workers=1)
    assert (summary.ok, summary.failed, summary.reasons) == (1, 11, {"no_background": 11})
    assert "11 of 12 photos (92%) gave no ROI" in summary.warning()
    assert "roi: box" in summary.warning()


def test_recipe_data_stops_with_the_hint_when_no_photo_gives_a_roi(blue_tree, tmp_path):
    config = load_config(overrides=[
        f"data.root={blue_tree}", f"runs_dir={tmp_path / 'runs'}", "preprocessing.workers=1",
        "data.split_fractions=[0.34, 0.33, 0.33]", "classes_per_batch=2",
    ])
    with pytest.raises(ConfigError, match="no usable image") as caught:
        prepare_data(config, RunFolder(config).open())
    assert "gave no ROI; the commonest reason, no_background" in str(caught.value)
