"""Scan a folder tree of fish photos into a ``DatasetIndex``.

Two layouts:

- ``sessions``: ``<root>/<session>/<identity>/<image>`` (the original's, e.g. ``SESSION1_ST``,
  ``SESSION1_LT``, ``SESSION2`` ...); an identity keeps its folder name across sessions.
- ``flat``: ``<root>/<identity>/<image>``, one session named ``flat_session``.

``auto`` counts image files at both depths: ``sessions`` when more of them lie at
``<root>/a/b/<image>`` than at ``<root>/a/<image>``, ``flat`` otherwise.
"""

import logging
import os

from lateral_keras.data.dataset_index import DatasetIndex
from lateral_keras.data.image_errors import ImageReadError
from lateral_keras.data.image_io import (
    DEFAULT_MIN_SIDE,
    IMAGE_EXTENSIONS,
    check_image,
    has_image_extension,
)
from lateral_keras.data.records import ImageRecord, SkippedFile
from lateral_keras.data.sessions import order_sessions

logger = logging.getLogger(__name__)

LAYOUTS = ("auto", "sessions", "flat")
_DEPTH = {"sessions": 3, "flat": 2}


def scan_dataset(
    root,
    *,
    layout="auto",
    session_order=None,
    extensions=IMAGE_EXTENSIONS,
    check_images=False,
    flat_session="all",
    min_side=DEFAULT_MIN_SIDE,
):
    """Index every image of a dataset folder; never stops on a bad file.

    Hidden files and folders (names starting with ``.``) are ignored silently. Other files
    left out are listed in ``skipped`` with a reason: ``not_an_image_extension``,
    ``unexpected_location`` (an image at a depth the layout does not use),
    ``unreadable_folder``, ``repeated_folder`` (a linked folder reached twice; folder links
    are followed), or, with ``check_images``, a code of ``IMAGE_READ_REASONS``.

    Args:
        root: the dataset folder.
        layout: ``"auto"``, ``"sessions"`` or ``"flat"`` (see the module docstring).
        session_order: optional list of session names, earliest first; every session
            on disk must be in it. Default: natural sort (``SESSION2`` < ``SESSION10``).
        extensions: image file extensions, compared case-insensitively.
        check_images: validate every image's header and completeness (reads each file,
            decodes none; see ``check_image``) and skip the bad ones.
        flat_session: the session name given to every image of a flat layout.
        min_side: with ``check_images``, the smallest accepted image side in pixels.

    Returns:
        A ``DatasetIndex`` whose ``source`` is the absolute root.

    Raises:
        FileNotFoundError: ``root`` is not an existing folder.
        ValueError: a bad argument, a session missing from ``session_order``, or no
            image where the layout expects images.

    Example:
        >>> order = ["SESSION1_ST", "SESSION1_LT", "SESSION2"]
        >>> index = scan_dataset("data/fish", session_order=order)  # doctest: +SKIP
        >>> print(index.summary_text())  # doctest: +SKIP
    """
    if layout not in LAYOUTS:
        raise ValueError(f"`layout` must be one of {LAYOUTS}. Received: layout={layout!r}")
    if not isinstance(flat_session, str) or not flat_session:
        raise ValueError(
            f"`flat_session` must be a non-empty string. Received: flat_session={flat_session!r}"
        )
    if isinstance(extensions, str) or not extensions:
        raise ValueError(
            f"`extensions` must be a non-empty list such as ['.jpg', '.png']. "
            f"Received: extensions={extensions!r}"
        )
    root = os.path.abspath(os.fspath(root))
    if not os.path.isdir(root):
        raise FileNotFoundError(f"Dataset root {root} does not exist or is not a folder")
    images, skipped = _list_files(root, extensions)
    if not images:
        raise ValueError(
            f"Dataset root {root} holds no image files (extensions {list(extensions)})"
        )
    if layout == "auto":
        deeper = sum(len(parts) == 3 for parts in images)
        layout = "sessions" if deeper > sum(len(parts) == 2 for parts in images) else "flat"
        logger.info("scan_dataset: %s looks like the %s layout", root, layout)
    records = []
    for parts in images:
        path = os.path.join(root, *parts)
        if len(parts) != _DEPTH[layout]:
            skipped.append(SkippedFile(path, "unexpected_location"))
            continue
        session = parts[0] if layout == "sessions" else flat_session
        records.append(ImageRecord(path, parts[-2], session))
    if not records:
        raise ValueError(f"Dataset root {root} holds no images where the {layout} layout expects")
    order_sessions([r.session for r in records], session_order, source=root)
    if check_images:
        records = _drop_bad_images(records, skipped, min_side, root)
    sessions = order_sessions([r.session for r in records], session_order, source=root)
    return DatasetIndex(records, sessions, sorted(skipped), source=root)


def _list_files(root, extensions):
    """Return (relative part tuples of image files, skipped list) under ``root``."""
    images, skipped = [], []

    def on_error(error):
        skipped.append(SkippedFile(error.filename or root, "unreadable_folder"))

    visited = set()
    for folder, subfolders, files in os.walk(root, onerror=on_error, followlinks=True):
        real = os.path.realpath(folder)
        if real in visited:  # a link back to a folder already scanned
            skipped.append(SkippedFile(folder, "repeated_folder"))
            subfolders[:] = []
            continue
        visited.add(real)
        subfolders[:] = [name for name in subfolders if not name.startswith(".")]
        relative = os.path.relpath(folder, root)
        prefix = () if relative == os.curdir else tuple(relative.split(os.sep))
        for name in files:
            if name.startswith("."):
                continue
            if has_image_extension(name, extensions):
                images.append(prefix + (name,))
            else:
                skipped.append(SkippedFile(os.path.join(folder, name), "not_an_image_extension"))
    return images, skipped


def _drop_bad_images(records, skipped, min_side, root):
    kept = []
    for record in records:
        try:
            check_image(record.path, min_side=min_side)
        except ImageReadError as error:
            skipped.append(SkippedFile(record.path, error.reason))
            continue
        kept.append(record)
    if not kept:
        reasons = sorted({reason for _, reason in skipped})
        raise ValueError(f"Dataset root {root}: every image failed check_images ({reasons})")
    return kept
