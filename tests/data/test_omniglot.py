"""The Omniglot reader on tiny zips built here: de-duplication, the alphabet split, decoding."""

import zipfile

import cv2
import numpy as np
import pytest

from lateral_keras.data.omniglot import alphabet_split, load_images, read_omniglot


def _png(value):
    ok, data = cv2.imencode(".png", np.full((105, 105), value, np.uint8))
    assert ok
    return data.tobytes()


def _zip(path, top, alphabets, drawers=(1, 2, 3)):
    """`alphabets`: {name: n_characters}; pixel value = 10 * character + drawer."""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(f"{top}/", b"")
        for alphabet, n_characters in alphabets.items():
            for c in range(1, n_characters + 1):
                for d in drawers:
                    stem = f"{c:02d}{len(alphabet):02d}_{d:02d}"
                    name = f"{top}/{alphabet}/character{c:02d}/{stem}.png"
                    archive.writestr(name, _png(10 * c + d))
        archive.writestr(f"{top}/README.txt", b"not a drawing")


@pytest.fixture
def omniglot(tmp_path):
    _zip(tmp_path / "small1.zip", "small1", {"Greek": 2, "Latin": 3, "Korean": 1})
    _zip(tmp_path / "small2.zip", "small2", {"Greek": 2, "Latin": 3, "Tagalog": 2, "Runic": 1})
    return tmp_path


def test_read_omniglot_deduplicates_shared_alphabets(omniglot):
    entries = read_omniglot(omniglot)
    # Greek and Latin are in both zips: counted once (2 + 3 + 1 + 2 + 1 characters x 3 drawers).
    assert len(entries) == 9 * 3
    keys = [(e.alphabet, e.character, e.filename) for e in entries]
    assert len(set(keys)) == len(keys)
    assert all(e.zip_path.endswith("small1.zip") for e in entries if e.alphabet == "Greek")
    first = entries[0]
    assert (first.identity, first.session, first.drawer) == ("Greek/character01", "drawer01", 1)
    assert entries == sorted(entries, key=lambda e: (e.alphabet, e.character, e.drawer))


def test_read_omniglot_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="zip"):
        read_omniglot(tmp_path)
    with zipfile.ZipFile(tmp_path / "junk.zip", "w") as archive:
        archive.writestr("a/readme.txt", b"x")
    with pytest.raises(ValueError, match="junk.zip"):
        read_omniglot(tmp_path)


def test_alphabet_split_is_disjoint_seeded_and_deterministic(omniglot):
    entries = read_omniglot(omniglot)
    split = alphabet_split(entries, n_val=1, n_eval=2, seed=4)
    assert split == alphabet_split(list(reversed(entries)), n_val=1, n_eval=2, seed=4)
    parts = [set(split[p]) for p in ("train", "val", "eval")]
    assert sum(map(len, parts)) == 5 and set.union(*parts) == {
        "Greek", "Korean", "Latin", "Runic", "Tagalog"}
    assert (len(split["val"]), len(split["eval"]), len(split["train"])) == (1, 2, 2)
    seen = {tuple(alphabet_split(entries, seed=s)["eval"]) for s in range(10)}
    assert len(seen) > 1
    with pytest.raises(ValueError, match="alphabets"):
        alphabet_split(entries, n_val=2, n_eval=3)


def test_load_images_decodes_and_resizes(omniglot):
    entries = read_omniglot(omniglot)[:4]
    images = load_images(entries)
    assert images.shape == (4, 105, 105) and images.dtype == np.uint8
    expected = [10 * int(e.character[-2:]) + e.drawer for e in entries]
    assert images[:, 50, 50].tolist() == expected
    assert load_images(entries, size=28).shape == (4, 28, 28)
