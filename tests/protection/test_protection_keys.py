"""Key files (owner-only, never overwritten), keying, its inverse and re-keying."""

import json
import os
import stat

import numpy as np
import pytest

from lateral_keras.gallery import CodeGallery, GalleryError, GallerySettings
from lateral_keras.layers import KeyedCodes
from lateral_keras.protection import (
    KeyFileError,
    apply_key,
    key_id,
    read_key_file,
    rekey_codes,
    rekey_gallery,
    remove_key,
    write_key_file,
)


def test_key_file_round_trip_owner_only_and_never_overwritten(tmp_path):
    path = tmp_path / "keys" / "fish.key"
    key = write_key_file(path)
    assert len(key) == 32 and read_key_file(path) == key
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    with pytest.raises(KeyFileError, match="already there"):
        write_key_file(path)
    assert read_key_file(path) == key
    assert write_key_file(path, b"new", overwrite=True) == b"new"
    assert os.listdir(tmp_path / "keys") == ["fish.key"]


def test_bad_key_files_are_refused_with_the_file_named(tmp_path):
    path = tmp_path / "k.key"
    write_key_file(path)
    os.chmod(path, 0o644)
    with pytest.raises(KeyFileError, match=r"k\.key: other users.*chmod 600"):
        read_key_file(path)
    path.write_text("not json")
    os.chmod(path, 0o600)
    with pytest.raises(KeyFileError, match=r"k\.key: unreadable"):
        read_key_file(path)
    path.write_text(json.dumps({"format": "lateral_keras key", "version": 1, "key": "zz"}))
    with pytest.raises(KeyFileError, match="not hexadecimal"):
        read_key_file(path)
    with pytest.raises(KeyFileError, match="no such key file"):
        read_key_file(tmp_path / "missing.key")


def test_key_id_is_stable_distinct_and_reveals_no_key_bytes():
    key = bytes(range(32))
    assert key_id(key) == key_id(bytes(range(32))) != key_id(bytes(range(1, 33)))
    assert len(key_id(key)) == 16 and key.hex()[:16] not in key_id(key)


@pytest.mark.parametrize("permute_positions", [False, True])
def test_keying_is_the_layer_invertible_and_keeps_collisions(permute_positions):
    rng = np.random.default_rng(0)
    codes = rng.integers(0, 8, (50, 400))
    keyed = apply_key(codes, b"k1", 8, permute_positions)
    layer = KeyedCodes(400, 8, permute_positions=permute_positions)
    layer.set_key(b"k1")
    np.testing.assert_array_equal(keyed, np.asarray(layer(codes)))
    np.testing.assert_array_equal(remove_key(keyed, b"k1", 8, permute_positions), codes)
    same = (codes[:, None] == codes[None]).sum(-1)
    np.testing.assert_array_equal((keyed[:, None] == keyed[None]).sum(-1), same)
    other = apply_key(codes, b"k2", 8, permute_positions)
    np.testing.assert_array_equal(rekey_codes(keyed, b"k1", b"k2", 8, permute_positions), other)
    # Same images under two keys agree by chance only: 1/q per position (sd about 0.006 here).
    assert abs(np.mean(keyed == other) - 1 / 8) < 0.03


def test_rekey_gallery_moves_codes_to_the_new_key_and_checks_the_old_one():
    codes = np.random.default_rng(1).integers(0, 8, (6, 16))
    settings = GallerySettings("codes", model_hash="m", m=16, q=8, key_id=key_id(b"old"))
    gallery = CodeGallery(settings)
    gallery.enrol(apply_key(codes, b"old", 8), list("aabbcc"))
    new = rekey_gallery(gallery, b"old", b"new")
    assert new.settings.key_id == key_id(b"new")
    np.testing.assert_array_equal(new.features, apply_key(codes, b"new", 8))
    with pytest.raises(GalleryError, match="not this gallery's key"):
        rekey_gallery(gallery, b"wrong", b"new")
    plain = CodeGallery(GallerySettings("codes", model_hash="m", m=16, q=8))
    with pytest.raises(GalleryError, match="only a keyed"):
        rekey_gallery(plain, b"old", b"new")
