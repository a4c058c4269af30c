"""Gallery files: one `.npz` (no pickles) with a JSON header, written atomically.

Contents: `header` (JSON: `format`, `format_version`, `settings` (`GallerySettings`: the model
hash, the code settings m, q, LUT, the key's id, never the key), `count`), `features` (codes as
uint8/uint16, or float32 embeddings for an embedding gallery), and per template `identities`,
`sessions`, `sides`, `image_ids`. A keyed gallery holds keyed codes only.
"""

import json
import os
import zipfile

import numpy as np

from lateral_keras.gallery.code_gallery import CodeGallery
from lateral_keras.gallery.embedding_gallery import EmbeddingGallery
from lateral_keras.gallery.errors import GalleryError
from lateral_keras.gallery.settings import GallerySettings
from lateral_keras.utils.atomic import atomic_path

FORMAT = "lateral_keras gallery"
FORMAT_VERSION = 2
"""Bumped when the file layout changes; files of an unknown version are refused with a message.

Version 2 records the test-time crops of the templates (`GallerySettings.crops`); a release
that reads version 1 only thus refuses such a file instead of ignoring its crops.
"""
READABLE_VERSIONS = (1, 2)
"""Versions `load_gallery` reads; version 1 files were enrolled on the centre crop."""

_ARRAYS = ("features", "identities", "sessions", "sides", "image_ids")
_CLASSES = {"codes": CodeGallery, "embeddings": EmbeddingGallery}


def save_gallery(gallery, path):
    """Write `gallery` to `path` atomically (a reader never sees a half-written file).

    Args:
        gallery: a `CodeGallery` or `EmbeddingGallery`.
        path: the file (`.npz` by convention).

    Returns:
        `path`.

    Example:
        >>> save_gallery(gallery, "fish_gallery.npz")  # doctest: +SKIP
    """
    header = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "settings": gallery.settings.to_dict(),
        "count": len(gallery),
    }
    arrays = {name: getattr(gallery, name) for name in _ARRAYS}
    with atomic_path(path) as tmp, open(tmp, "wb") as stream:
        np.savez(stream, header=np.array(json.dumps(header)), **arrays)
    gallery.path = os.fspath(path)
    return path


def _read(path):
    """The header and arrays of a gallery file; GalleryError for anything unreadable."""
    redo = ("Restore it from a backup, or enrol the fish again with "
            f"`lateral enroll --run RUN --images FOLDER --gallery {path}`.")
    if not os.path.isfile(path):
        raise GalleryError(f"{path}: no such gallery file. Create it with `lateral enroll "
                           f"--run RUN --images FOLDER --gallery {path}`.")
    try:
        with np.load(path, allow_pickle=False) as stored:
            if "header" not in stored.files:
                raise GalleryError(f"{path}: not a lateral_keras gallery (no header). {redo}")
            header = json.loads(str(stored["header"]))
            arrays = {name: stored[name] for name in _ARRAYS if name in stored.files}
    except GalleryError:
        raise
    except (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile) as error:
        raise GalleryError(f"{path}: unreadable gallery file, corrupt or truncated "
                           f"({type(error).__name__}: {error}). {redo}") from None
    return header, arrays


def load_gallery(path, backend="numpy"):
    """Read a gallery file written by `save_gallery`.

    Args:
        path: the file.
        backend: search backend, `numpy`, `faiss` or `faiss-hnsw`.

    Returns:
        A `CodeGallery` or `EmbeddingGallery`.

    Raises:
        GalleryError: missing, corrupt or truncated file, another format or version, or
            inconsistent contents; the message names the file and what to do.

    Example:
        >>> gallery = load_gallery("fish_gallery.npz", backend="faiss")  # doctest: +SKIP
    """
    path = os.fspath(path)
    header, arrays = _read(path)
    redo = f"Enrol the fish again with `lateral enroll ... --gallery {path}`."
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise GalleryError(f"{path}: not a lateral_keras gallery. {redo}")
    version = header.get("format_version")
    if version not in READABLE_VERSIONS:
        readable = " and ".join(str(v) for v in READABLE_VERSIONS)
        raise GalleryError(
            f"{path}: gallery format version {version}, but this lateral_keras reads versions "
            f"{readable}. Use the lateral_keras release that wrote it, or {redo[0].lower()}"
            f"{redo[1:]}"
        )
    missing = [name for name in _ARRAYS if name not in arrays]
    if missing:
        raise GalleryError(f"{path}: corrupt gallery, missing {missing}. {redo}")
    try:
        settings = GallerySettings.from_dict(header.get("settings") or {})
        gallery = _CLASSES[settings.kind](settings, backend=backend, path=path)
        gallery.enrol(arrays["features"], arrays["identities"], arrays["sessions"],
                      arrays["sides"], arrays["image_ids"])
    except (GalleryError, TypeError, KeyError) as error:
        raise GalleryError(f"{path}: corrupt gallery contents ({error}). {redo}") from None
    if len(gallery) != header.get("count"):
        raise GalleryError(f"{path}: corrupt gallery, {len(gallery)} templates for a header "
                           f"count of {header.get('count')}. {redo}")
    return gallery
