"""Gallery files: round trip, atomic writes, and clear errors for bad files."""

import json
import os

import numpy as np
import pytest

from lateral_keras.gallery import (
    CodeGallery,
    EmbeddingGallery,
    GalleryError,
    GallerySettings,
    load_gallery,
)

SETTINGS = GallerySettings("codes", model_hash="model-a", m=32, q=4, lut="none",
                           key_id="00ff00ff00ff00ff", crops=("centre", "top_left"),
                           run="/runs/x")


def saved_gallery(tmp_path):
    rng = np.random.default_rng(0)
    gallery = CodeGallery(SETTINGS)
    gallery.enrol(rng.integers(0, 4, (20, 32)), [f"f{i % 5}" for i in range(20)],
                  sessions=["S1"] * 20, sides=["left", "right"] * 10,
                  image_ids=[f"S1/f{i % 5}/{i}.jpg" for i in range(20)])
    path = str(tmp_path / "g.npz")
    gallery.save(path)
    return gallery, path


def stored_arrays(path):
    """Every array of a gallery file, the header decoded to a dict."""
    with np.load(path) as stored:
        arrays = {name: stored[name] for name in stored.files}
    return json.loads(str(arrays.pop("header"))), arrays


def rewrite(path, header, arrays):
    """Write a gallery file by hand, as another release (or a damaged copy) would."""
    np.savez(path, header=np.array(json.dumps(header)), **arrays)


def test_round_trip_keeps_templates_metadata_settings_and_results(tmp_path):
    gallery, path = saved_gallery(tmp_path)
    loaded = load_gallery(path, backend="faiss")
    assert loaded.settings == SETTINGS and loaded.path == path
    for name in ("features", "identities", "sessions", "sides", "image_ids"):
        np.testing.assert_array_equal(getattr(loaded, name), getattr(gallery, name))
    probes = gallery.features[:3].astype(int)
    before = gallery.search(probes, 4, settings=SETTINGS, sides=["left"] * 3)
    after = loaded.search(probes, 4, settings=SETTINGS, sides=["left"] * 3)
    np.testing.assert_array_equal(before.scores, after.scores)
    assert [name for name in os.listdir(tmp_path)] == ["g.npz"]  # no temporary file left


def test_embedding_round_trip(tmp_path):
    settings = GallerySettings("embeddings", model_hash="m", embedding_dim=3)
    gallery = EmbeddingGallery(settings)
    gallery.enrol(np.eye(3, dtype="float32"), ["a", "b", "c"])
    gallery.save(tmp_path / "e.npz")
    loaded = load_gallery(tmp_path / "e.npz")
    assert isinstance(loaded, EmbeddingGallery)
    np.testing.assert_array_equal(loaded.features, gallery.features)


def test_the_file_holds_the_key_id_and_no_embedding(tmp_path):
    _, path = saved_gallery(tmp_path)
    with np.load(path) as stored:
        assert sorted(stored.files) == ["features", "header", "identities", "image_ids",
                                        "sessions", "sides"]
        assert stored["features"].dtype == np.uint8
        assert json.loads(str(stored["header"]))["settings"]["key_id"] == SETTINGS.key_id


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty"])
def test_a_corrupt_file_gives_a_clear_error(tmp_path, damage):
    _, path = saved_gallery(tmp_path)
    data = open(path, "rb").read()
    with open(path, "wb") as stream:
        stream.write({"garbage": b"not a zip" * 10, "truncated": data[: len(data) // 2],
                      "empty": b""}[damage])
    with pytest.raises(GalleryError, match=r"g\.npz: unreadable gallery file.*lateral enroll"):
        load_gallery(path)


def test_a_version_mismatch_names_both_versions(tmp_path):
    _, path = saved_gallery(tmp_path)
    header, arrays = stored_arrays(path)
    rewrite(path, {**header, "format_version": 99}, arrays)
    with pytest.raises(GalleryError,
                       match=r"g\.npz: gallery format version 99.*reads versions 1 and 2"):
        load_gallery(path)


def test_a_file_that_is_not_a_gallery_or_is_missing(tmp_path):
    np.savez(tmp_path / "other.npz", x=np.zeros(3))
    with pytest.raises(GalleryError, match="not a lateral_keras gallery"):
        load_gallery(tmp_path / "other.npz")
    with pytest.raises(GalleryError, match="no such gallery file"):
        load_gallery(tmp_path / "missing.npz")


def test_inconsistent_contents_are_reported_as_corrupt(tmp_path):
    _, path = saved_gallery(tmp_path)
    header, arrays = stored_arrays(path)
    arrays["identities"] = arrays["identities"][:-1]
    rewrite(path, header, arrays)
    with pytest.raises(GalleryError, match="corrupt gallery contents"):
        load_gallery(path)


@pytest.mark.parametrize("change, field", [({"model_hash": "model-b"}, "model_hash"),
                                           ({"key_id": "1111222233334444"}, "key_id"),
                                           ({"key_id": None}, "key_id"),
                                           ({"crops": ["centre"]}, "crops")])
def test_a_loaded_gallery_refuses_another_model_or_key_naming_the_file(tmp_path, change, field):
    gallery, path = saved_gallery(tmp_path)
    loaded = load_gallery(path)
    other = GallerySettings(**{**SETTINGS.to_dict(), **change})
    with pytest.raises(GalleryError, match=rf"g\.npz: the probes .*{field}.*enrol"):
        loaded.search(gallery.features[:1].astype(int), 1, settings=other)


def test_files_are_written_at_format_version_2(tmp_path):
    _, path = saved_gallery(tmp_path)
    assert stored_arrays(path)[0]["format_version"] == 2


def test_a_version_1_file_without_crops_was_made_with_the_centre_crop(tmp_path):
    _, path = saved_gallery(tmp_path)
    header, arrays = stored_arrays(path)
    header["format_version"] = 1
    del header["settings"]["crops"]
    rewrite(path, header, arrays)
    assert load_gallery(path).settings.crops == ("centre",)


@pytest.mark.parametrize("crops", ["centre", [], ["middle"]])
def test_unknown_crops_are_refused(crops):
    with pytest.raises(GalleryError, match="crops"):
        GallerySettings("codes", model_hash="m", m=4, q=8, crops=crops)
