"""TFRecord shards of a ROI cache: bytes and metadata round trip, sharding, the image stream."""

import os

import cv2
import numpy as np
import pytest

from lateral_keras.data.tfrecords import (
    read_tfrecord_examples,
    shard_files,
    tfrecord_image_dataset,
    write_tfrecord_shards,
)
from lateral_keras.preprocessing import load_roi_cache, prepare_dataset


@pytest.fixture(scope="module")
def roi_cache(tmp_path_factory):
    """A real ROI cache of 3 fish x 2 sessions x 2 strips (roi_mode none: no extractor)."""
    root = tmp_path_factory.mktemp("tfr")
    rng = np.random.default_rng(0)
    for session in ("S1", "S2"):
        for fish in ("fish_a", "fish_b", "fish_c"):
            for i in range(2):
                path = root / "strips" / session / fish / f"roi_{i}.png"
                path.parent.mkdir(parents=True, exist_ok=True)
                cv2.imwrite(str(path), rng.integers(0, 256, (20, 60, 3), dtype=np.uint8))
    prepare_dataset(root / "strips", root / "cache", {"roi_size": [16, 48]}, roi_mode="none",
                    workers=1)
    return root / "cache"


def _read_all(folder, shard=(0, 1)):
    return [{k: v.numpy() for k, v in ex.items()}
            for ex in read_tfrecord_examples(folder, shard=shard)]


def test_round_trip_keeps_bytes_and_metadata(roi_cache, tmp_path):
    records = load_roi_cache(roi_cache)
    manifest = write_tfrecord_shards(roi_cache, tmp_path / "shards", num_shards=3)
    assert manifest["total"] == len(records) == 12 and sum(manifest["counts"]) == 12
    assert len(shard_files(tmp_path / "shards")) == 3
    examples = {ex["path"].decode(): ex for ex in _read_all(tmp_path / "shards")}
    assert sorted(examples) == sorted(r.path for r in records)
    for record in records:
        ex = examples[record.path]
        with open(record.roi_path, "rb") as f:
            assert ex["roi"] == f.read()
        assert ex["identity"].decode() == record.identity
        assert ex["session"].decode() == record.session
        assert ex["side"].decode() == record.side
        assert ex["key"].decode() == os.path.splitext(os.path.basename(record.roi_path))[0]


def test_worker_shards_are_disjoint_and_complete(roi_cache, tmp_path):
    write_tfrecord_shards(roi_cache, tmp_path / "few", num_shards=1)
    write_tfrecord_shards(roi_cache, tmp_path / "many", num_shards=4)
    for folder in ("few", "many"):  # element-level and file-level sharding
        parts = [[ex["path"] for ex in _read_all(tmp_path / folder, (i, 2))] for i in range(2)]
        assert not set(parts[0]) & set(parts[1])
        assert len(parts[0]) + len(parts[1]) == 12


def test_rerun_reuses_shards_and_a_changed_cache_rewrites(roi_cache, tmp_path):
    out = tmp_path / "shards"
    write_tfrecord_shards(roi_cache, out, num_shards=2)
    first = out / "rois-00000-of-00002.tfrecord"
    stamp = first.stat().st_mtime_ns
    write_tfrecord_shards(roi_cache, out, num_shards=2)
    assert first.stat().st_mtime_ns == stamp
    write_tfrecord_shards(load_roi_cache(roi_cache)[:5], out, num_shards=2)
    assert len(_read_all(out)) == 5


def test_image_stream_matches_the_cache_pipeline(roi_cache, tmp_path):
    from lateral_keras.preprocessing import roi_tf_dataset

    records = load_roi_cache(roi_cache)
    write_tfrecord_shards(records, tmp_path / "shards", num_shards=2)
    label_map = {"fish_a": 0, "fish_c": 1}
    settings = {"input_size": [12, 40], "crop_margin": 0.1, "seed": 0}
    images, labels = [], []
    for batch_images, batch_labels in tfrecord_image_dataset(
            tmp_path / "shards", label_map, settings, training=False, batch_size=5, seed=0):
        images.append(batch_images.numpy())
        labels.append(batch_labels.numpy())
    images, labels = np.concatenate(images), np.concatenate(labels)
    assert images.shape == (8, 12, 40, 3) and sorted(labels.tolist()) == [0] * 4 + [1] * 4
    chosen = [r for r in records if r.identity in label_map]
    expected = np.concatenate([b.numpy() for b in roi_tf_dataset(
        chosen, None, (12, 40), False, 8, 0, augmentation=settings)])
    order = sorted(range(8), key=lambda i: images[i].sum())
    expected_order = sorted(range(8), key=lambda i: expected[i].sum())
    np.testing.assert_array_equal(images[order], expected[expected_order])


def test_bad_input_is_named(roi_cache, tmp_path):
    with pytest.raises(ValueError, match="num_shards"):
        write_tfrecord_shards(roi_cache, tmp_path, num_shards=0)
    with pytest.raises(FileNotFoundError, match="shards.json"):
        shard_files(tmp_path / "nothing")
    write_tfrecord_shards(roi_cache, tmp_path / "s", num_shards=1)
    with pytest.raises(ValueError, match="label_map"):
        tfrecord_image_dataset(tmp_path / "s", {}, {}, training=False, batch_size=2, seed=0)
