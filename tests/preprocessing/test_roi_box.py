"""`roi: box`: the manifest's box or the whole photo, letterboxed; side resolution and mirroring
in `prepare_dataset`."""

import csv
import os

import cv2
import numpy as np
import pytest

from lateral_keras.data import DatasetIndex, ImageRecord, read_manifest
from lateral_keras.preprocessing import load_roi_cache
from lateral_keras.preprocessing.box_roi import box_roi, letterbox
from lateral_keras.preprocessing.prepare import prepare_dataset
from lateral_keras.preprocessing.settings import ExtractorSettings

SIZE = (16, 32)


def _photo(height=40, width=60):
    """A photo whose pixel value encodes its position: R = x, G = y, B = 200."""
    ys, xs = np.mgrid[0:height, 0:width]
    return np.dstack([xs * 4, ys * 4, np.full_like(xs, 200)]).astype(np.uint8)


def _write(path, rgb):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    assert cv2.imwrite(str(path), cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))


def _content_rows_cols(roi):
    """Rows and columns that hold image content (blue channel 200, the padding is 0)."""
    content = roi[:, :, 2] > 100
    return np.flatnonzero(content.any(axis=1)), np.flatnonzero(content.any(axis=0))


def test_box_from_manifest_cuts_that_box():
    image = _photo()
    result = box_roi(image, (10, 5, 20, 10), roi_size=None)
    assert result.ok and result.source == "box"
    np.testing.assert_array_equal(result.roi, image[5:15, 10:30])
    assert result.corners.tolist() == [[10, 5], [30, 5], [30, 15], [10, 15]]


def test_no_box_is_the_whole_photo():
    image = _photo()
    result = box_roi(image, None, roi_size=None)
    assert result.source == "whole_image"
    np.testing.assert_array_equal(result.roi, image)


def test_box_past_the_border_is_clipped_and_outside_fails():
    image = _photo()
    clipped = box_roi(image, (50, 30, 40, 40), roi_size=None)
    np.testing.assert_array_equal(clipped.roi, image[30:40, 50:60])
    outside = box_roi(image, (100, 100, 5, 5), roi_size=SIZE)
    assert not outside.ok and outside.reason == "roi_too_small"
    assert "(100, 100, 5, 5)" in outside.message


@pytest.mark.parametrize("crop_hw", [(10, 40), (40, 10), (16, 32), (5, 5)])
def test_letterbox_keeps_the_aspect_ratio(crop_hw):
    h, w = crop_hw
    crop = np.full((h, w, 3), 200, np.uint8)
    out = letterbox(crop, SIZE)
    assert out.shape == (*SIZE, 3)
    rows, cols = _content_rows_cols(out)
    scale = min(SIZE[0] / h, SIZE[1] / w)
    assert rows.size == round(h * scale) and cols.size == round(w * scale)
    assert rows.size == SIZE[0] or cols.size == SIZE[1]
    # Centred: the padding differs by at most one pixel on either side.
    assert abs(rows[0] - (SIZE[0] - 1 - rows[-1])) <= 1
    assert abs(cols[0] - (SIZE[1] - 1 - cols[-1])) <= 1
    assert (out[:, :, 2] == 0).sum() == out[:, :, 2].size - rows.size * cols.size


@pytest.fixture
def box_manifest(tmp_path):
    """Three photos: a box, no box (whole photo), a right flank with a box."""
    _write(tmp_path / "a.png", _photo())
    _write(tmp_path / "b.png", _photo(30, 90))
    _write(tmp_path / "c.png", _photo())
    rows = [
        ("a.png", "fish1", "S1", "left", "10", "5", "20", "10"),
        ("b.png", "fish1", "S2", "", "", "", "", ""),
        ("c.png", "fish2", "S1", "right", "0", "0", "32", "16"),
    ]
    with open(tmp_path / "manifest.csv", "w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(["path", "identity", "session", "side", "x", "y", "w", "h"])
        writer.writerows(rows)
    return read_manifest(tmp_path / "manifest.csv")


def _rois(cache_dir):
    return {os.path.basename(r.path): r for r in load_roi_cache(cache_dir)}


def _read(roi_path):
    return cv2.cvtColor(cv2.imread(roi_path), cv2.COLOR_BGR2RGB)


def test_prepare_box_mode_uses_each_records_box(box_manifest, tmp_path):
    settings = ExtractorSettings(roi_size=SIZE)
    summary = prepare_dataset(box_manifest, tmp_path / "cache", settings, roi_mode="box",
                              workers=1)
    assert (summary.ok, summary.failed) == (3, 0)
    rois = _rois(tmp_path / "cache")
    a = _read(rois["a.png"].roi_path)
    np.testing.assert_array_equal(a, cv2.resize(_photo()[5:15, 10:30], (32, 16),
                                                interpolation=cv2.INTER_LINEAR))
    rows, cols = _content_rows_cols(_read(rois["b.png"].roi_path))
    assert (rows.size, cols.size) == (11, 32)  # 30 x 90 photo: aspect 1:3 kept in 16 x 32
    assert {name: r.side for name, r in rois.items()} == {
        "a.png": "left", "b.png": "unknown", "c.png": "right"}


def test_mirror_side_flips_and_relabels(box_manifest, tmp_path):
    settings = ExtractorSettings(roi_size=SIZE)
    prepare_dataset(box_manifest, tmp_path / "plain", settings, roi_mode="box", workers=1)
    prepare_dataset(box_manifest, tmp_path / "mirror", settings, roi_mode="box", workers=1,
                    mirror_side="right")
    plain, mirror = _rois(tmp_path / "plain"), _rois(tmp_path / "mirror")
    np.testing.assert_array_equal(_read(mirror["c.png"].roi_path),
                                  _read(plain["c.png"].roi_path)[:, ::-1])
    np.testing.assert_array_equal(_read(mirror["a.png"].roi_path),
                                  _read(plain["a.png"].roi_path))
    assert {name: r.side for name, r in mirror.items()} == {
        "a.png": "left", "b.png": "unknown", "c.png": "left"}
    with pytest.raises(ValueError, match="mirror_side"):
        prepare_dataset(box_manifest, tmp_path / "bad", settings, roi_mode="box",
                        mirror_side="top")


def test_extractor_side_fills_in_unknown_and_declared_side_wins(tmp_path):
    from lateral_keras.data.synthetic.render import render_image

    photo, _ = render_image(0, 0, 0, image_size=(360, 270), difficulty="easy")
    flipped = np.ascontiguousarray(photo[:, ::-1])
    _write(tmp_path / "S1" / "f" / "photo.png", photo)
    _write(tmp_path / "S1" / "f" / "mirrored.png", flipped)
    _write(tmp_path / "S1" / "f" / "declared.png", flipped)
    records = [ImageRecord(str(tmp_path / "S1" / "f" / name), "f", "S1", side)
               for name, side in (("photo.png", "unknown"), ("mirrored.png", "unknown"),
                                  ("declared.png", "left"))]
    index = DatasetIndex(records, ["S1"])
    settings = ExtractorSettings(roi_size=SIZE)
    prepare_dataset(index, tmp_path / "cache", settings, workers=1)
    sides = {name: r.side for name, r in _rois(tmp_path / "cache").items()}
    # A mirrored photo shows the other flank; the manifest's side is kept whatever the photo.
    assert {sides["photo.png"], sides["mirrored.png"]} == {"left", "right"}
    assert sides["declared.png"] == "left"
    prepare_dataset(index, tmp_path / "mirrored", settings, workers=1, mirror_side="right")
    sides = {name: r.side for name, r in _rois(tmp_path / "mirrored").items()}
    assert set(sides.values()) == {"left"}


def test_config_accepts_box_and_mirror_side():
    from lateral_keras.config import ConfigError, load_config

    config = load_config(overrides=["preprocessing.roi=box", "preprocessing.mirror_side=right",
                                    "evaluation.cross_side=true"])
    assert (config.preprocessing.roi, config.preprocessing.mirror_side) == ("box", "right")
    assert config.evaluation.cross_side is True
    with pytest.raises(ConfigError, match="mirror_side"):
        load_config(overrides=["preprocessing.mirror_side=top"])
