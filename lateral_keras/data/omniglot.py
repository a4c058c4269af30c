"""Omniglot read in place from its zips: de-duplicated entries and a seeded split by alphabet.

Each character is an identity (``<alphabet>/<character>``) and each drawer a capture; file
names are ``<image-id>_<drawer>.png``. Alphabets that appear in several zips (the background
"small" sets share Greek and Latin) are de-duplicated by ``(alphabet, character, file)``; the
first zip in sorted name order wins.

Example:
    >>> entries = read_omniglot("/work/shared/datasets/omniglot_small")  # doctest: +SKIP
    >>> split = alphabet_split(entries, n_val=1, n_eval=2, seed=0)  # doctest: +SKIP
    >>> images = load_images(entries[:3], size=48)  # doctest: +SKIP
"""

import dataclasses
import glob
import os
import re
import zipfile

import cv2
import numpy as np

_MEMBER = re.compile(r"(?:^|/)([^/]+)/([^/]+)/([^/]+_(\d{2})\.png)$")


@dataclasses.dataclass(frozen=True)
class OmniglotEntry:
    """One drawing of one character, as stored in a zip.

    Args:
        zip_path: the zip holding the drawing.
        member: its name inside the zip.
        alphabet: alphabet folder name.
        character: character folder name (``character01`` ...).
        filename: ``<image-id>_<drawer>.png``.
        drawer: 1-20, the person who drew this copy.
    """

    zip_path: str
    member: str
    alphabet: str
    character: str
    filename: str
    drawer: int

    @property
    def identity(self):
        """``<alphabet>/<character>``: the character as an identity name."""
        return f"{self.alphabet}/{self.character}"

    @property
    def session(self):
        """``drawer01`` ... ``drawer20``: the drawer as a capture (session) name."""
        return f"drawer{self.drawer:02d}"


def read_omniglot(folder):
    """Lists the drawings of every ``*.zip`` in ``folder``, de-duplicated, in a stable order.

    Args:
        folder: the folder of the Omniglot zips.

    Returns:
        A list of ``OmniglotEntry`` sorted by (alphabet, character, drawer, file name).

    Raises:
        FileNotFoundError: no zip in ``folder``.
        ValueError: a zip holds no drawing named ``<alphabet>/<character>/<id>_<drawer>.png``.
    """
    zips = sorted(glob.glob(os.path.join(os.fspath(folder), "*.zip")))
    if not zips:
        raise FileNotFoundError(f"No Omniglot zip (*.zip) in {folder}")
    entries = {}
    for zip_path in zips:
        with zipfile.ZipFile(zip_path) as archive:
            names = archive.namelist()
        found = 0
        for member in names:
            match = _MEMBER.search(member)
            if match is None:
                continue
            alphabet, character, filename, drawer = match.groups()
            found += 1
            entries.setdefault(
                (alphabet, character, filename),
                OmniglotEntry(zip_path, member, alphabet, character, filename, int(drawer)),
            )
        if not found:
            raise ValueError(
                f"{zip_path} holds no drawing named <alphabet>/<character>/<id>_<drawer>.png"
            )
    return sorted(entries.values(), key=lambda e: (e.alphabet, e.character, e.drawer, e.filename))


def alphabet_split(entries, *, n_val=1, n_eval=2, seed=0):
    """Splits the alphabets, seeded and disjoint, into training, validation and evaluation.

    The sorted alphabet names are permuted with ``np.random.default_rng(seed)``; the first
    ``n_val`` go to validation, the next ``n_eval`` to evaluation, the rest to training.

    Args:
        entries: ``OmniglotEntry`` list.
        n_val: validation alphabets (>= 1).
        n_eval: evaluation alphabets (>= 1).
        seed: split seed.

    Returns:
        ``{"train" | "val" | "eval": sorted tuple of alphabet names}``.

    Raises:
        ValueError: fewer than ``n_val + n_eval + 1`` alphabets.
    """
    alphabets = sorted({entry.alphabet for entry in entries})
    if n_val < 1 or n_eval < 1 or len(alphabets) < n_val + n_eval + 1:
        raise ValueError(
            f"alphabet_split needs n_val >= 1, n_eval >= 1 and at least n_val + n_eval + 1 "
            f"alphabets. Received: n_val={n_val}, n_eval={n_eval}, {len(alphabets)} alphabets"
        )
    order = np.random.default_rng(seed).permutation(len(alphabets))
    shuffled = [alphabets[i] for i in order]
    return {
        "val": tuple(sorted(shuffled[:n_val])),
        "eval": tuple(sorted(shuffled[n_val : n_val + n_eval])),
        "train": tuple(sorted(shuffled[n_val + n_eval :])),
    }


def load_images(entries, size=None):
    """Decodes drawings into a uint8 grey array (strokes dark on white, as stored).

    Args:
        entries: ``OmniglotEntry`` list.
        size: optional side of the (square) output; area interpolation.

    Returns:
        uint8 array ``(n, h, w)``.
    """
    images, archives = [], {}
    try:
        for entry in entries:
            if entry.zip_path not in archives:
                archives[entry.zip_path] = zipfile.ZipFile(entry.zip_path)
            data = np.frombuffer(archives[entry.zip_path].read(entry.member), np.uint8)
            image = cv2.imdecode(data, cv2.IMREAD_GRAYSCALE)
            if image is None:
                raise ValueError(f"{entry.zip_path}:{entry.member} is not a decodable PNG")
            if size is not None:
                image = cv2.resize(image, (size, size), interpolation=cv2.INTER_AREA)
            images.append(image)
    finally:
        for archive in archives.values():
            archive.close()
    return np.stack(images)
