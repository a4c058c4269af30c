"""The ROI cache on disk: content-addressed entries, an index, and how to read it back.

Layout of a cache folder::

    <cache>/rois/<key>.png        the ROI (RGB PNG) of each image that succeeded
    <cache>/results/<key>.json    the result row of each image; its presence means "done"
    <cache>/failures/<key>.png    an annotated thumbnail of each image that failed
    <cache>/index.csv             path -> key, status, roi file (rewritten at the end of a run)

The key of an image is the SHA-1 of its file bytes, of the settings that shape its ROI
(`settings_digest`) and of its manual override if any. Renaming or moving a photo therefore
reuses its entry, editing the photo, the settings or its manual override makes a new one, and an
interrupted run resumes where it stopped. Every file is written atomically.
"""

import csv
import dataclasses
import hashlib
import json
import os

CACHE_VERSION = 1
"""Bumped when the meaning of cache entries changes; part of every key."""

ROI_MODES = ("extract", "none", "box")
"""`extract`: run the extractor on photos; `none`: the files already are ROI strips; `box`: the
manifest's bounding box (or the whole photo), letterboxed (`box_roi`)."""

INDEX_FIELDS = ("path", "identity", "session", "side", "key", "status", "reason", "roi_file")
"""Columns of `index.csv`; `roi_file` is relative to the cache folder ("" when failed)."""


@dataclasses.dataclass(frozen=True)
class CachedRoi:
    """One successfully cached ROI, as `load_roi_cache` returns it.

    Args:
        path: the source image (as indexed).
        identity: the fish's name.
        session: the session's name.
        side: the record's side (`left`, `right` or `unknown`).
        roi_path: absolute path of the cached ROI PNG.
    """

    path: str
    identity: str
    session: str
    side: str
    roi_path: str


def check_roi_mode(roi_mode):
    """Raises `ValueError` unless `roi_mode` is one of `ROI_MODES`; returns it."""
    if roi_mode not in ROI_MODES:
        raise ValueError(f"`roi_mode` must be one of {ROI_MODES}. Received: roi_mode={roi_mode!r}")
    return roi_mode


def _sha1(*parts):
    digest = hashlib.sha1()
    for part in parts:
        digest.update(part if isinstance(part, bytes) else str(part).encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()


def settings_digest(settings, roi_mode):
    """A digest of what shapes a ROI: all extractor settings, or only `roi_size` for `none`
    (and `min_roi_side` for `box`).

    Args:
        settings: an `ExtractorSettings`.
        roi_mode: one of `ROI_MODES`.

    Returns:
        A hex SHA-1 string.

    Example:
        >>> from lateral_keras.preprocessing.settings import ExtractorSettings
        >>> settings_digest(ExtractorSettings(), "none") == settings_digest(
        ...     ExtractorSettings(min_value=0.3), "none")
        True
    """
    check_roi_mode(roi_mode)
    fields = dataclasses.asdict(settings)
    if roi_mode == "none":
        fields = {"roi_size": fields["roi_size"]}
    elif roi_mode == "box":
        fields = {"roi_size": fields["roi_size"], "min_roi_side": fields["min_roi_side"]}
    text = json.dumps(fields, sort_keys=True, default=list)
    return _sha1(CACHE_VERSION, roi_mode, text)


def file_digest(path):
    """SHA-1 of a file's bytes, or of its path when it cannot be read (the failure is cached).

    Args:
        path: the file.

    Returns:
        A hex SHA-1 string.
    """
    try:
        with open(path, "rb") as stream:
            return _sha1(b"bytes", stream.read())
    except OSError:
        return _sha1(b"unreadable", os.path.abspath(path))


def entry_key(content_digest, settings_hex, manual_entry=None, variant=""):
    """The cache key of one image: its content, the settings and its manual override.

    Args:
        content_digest: `file_digest` of the image.
        settings_hex: `settings_digest` of the run.
        manual_entry: the image's manual override (a dataclass or anything with a stable
            `repr`), or None.
        variant: what else shapes this image's ROI (`roi: box`: its box; a mirrored flank;
            the flank the extractor is told); "" keeps the keys of earlier versions.

    Returns:
        A hex SHA-1 string.
    """
    manual = ""
    if manual_entry is not None:
        manual = (
            json.dumps(dataclasses.asdict(manual_entry), sort_keys=True, default=repr)
            if dataclasses.is_dataclass(manual_entry)
            else repr(manual_entry)
        )
    if variant:
        return _sha1(content_digest, settings_hex, manual, variant)
    return _sha1(content_digest, settings_hex, manual)


def roi_file(key):
    """Path of a key's ROI PNG, relative to the cache folder."""
    return os.path.join("rois", f"{key}.png")


def result_file(key):
    """Path of a key's result row (the "done" marker), relative to the cache folder."""
    return os.path.join("results", f"{key}.json")


def failure_file(key):
    """Path of a key's annotated failure thumbnail, relative to the cache folder."""
    return os.path.join("failures", f"{key}.png")


def read_result(cache_dir, key):
    """Returns the cached result row of `key`, or None when the image is not done yet."""
    path = os.path.join(cache_dir, result_file(key))
    try:
        with open(path, encoding="utf-8") as stream:
            return json.load(stream)
    except FileNotFoundError:
        return None


def load_roi_cache(cache_dir):
    """Reads `index.csv` of a prepared cache and returns its successful ROIs.

    Args:
        cache_dir: a folder written by `prepare_dataset`.

    Returns:
        A list of `CachedRoi`, in the index's order (session order, identity, file name); failed
        and skipped images are left out (see `quality.csv` for them).

    Raises:
        FileNotFoundError: no `index.csv` in `cache_dir`, or a listed ROI file is missing.

    Example:
        >>> rois = load_roi_cache("cache/fish")  # doctest: +SKIP
        >>> rois[0].roi_path  # doctest: +SKIP
        '/abs/cache/fish/rois/3f2a....png'
    """
    cache_dir = os.path.abspath(cache_dir)
    index_path = os.path.join(cache_dir, "index.csv")
    if not os.path.isfile(index_path):
        raise FileNotFoundError(
            f"{index_path}: no ROI cache index; run `lateral prepare` (prepare_dataset) first."
        )
    records = []
    with open(index_path, newline="", encoding="utf-8") as stream:
        for row in csv.DictReader(stream):
            if row["status"] != "ok":
                continue
            roi_path = os.path.join(cache_dir, row["roi_file"])
            if not os.path.isfile(roi_path):
                raise FileNotFoundError(
                    f"{index_path}: the ROI of {row['path']} ({roi_path}) is missing; "
                    "rerun `lateral prepare` to restore it."
                )
            records.append(
                CachedRoi(row["path"], row["identity"], row["session"], row["side"], roi_path)
            )
    return records

