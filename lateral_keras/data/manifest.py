"""Read a CSV manifest of images into a ``DatasetIndex``.

Columns (header row, case-insensitive, any order): ``path``, ``identity``, ``session``
(required); ``side`` (``left``/``right``/``unknown``, empty = ``unknown``) and a bounding box
``x, y, w, h`` in pixels (all four or none; numbers are rounded to integers) are optional.
"""

import csv
import logging
import math
import os

from lateral_keras.data.dataset_index import DatasetIndex
from lateral_keras.data.records import SIDES, ImageRecord, SkippedFile
from lateral_keras.data.sessions import order_sessions

logger = logging.getLogger(__name__)

REQUIRED_COLUMNS = ("path", "identity", "session")
BOX_COLUMNS = ("x", "y", "w", "h")


def read_manifest(csv_path, *, root=None, session_order=None):
    """Index the images a CSV manifest lists; bad rows are skipped, never fatal.

    A skipped row's reason names its row number (the file's line number; the header is
    row 1): ``row 7: missing_file``, ``row 9: invalid_side 'top' ...``,
    ``row 12: invalid_box ...``, ``row 15: empty 'identity'``.

    Args:
        csv_path: the manifest file (UTF-8, optionally with a byte-order mark).
        root: folder that relative paths start from; default: the CSV's own folder.
        session_order: optional list of session names, earliest first (see
            ``order_sessions``); default natural sort.

    Returns:
        A ``DatasetIndex`` whose ``source`` is the CSV's absolute path.

    Raises:
        FileNotFoundError: the CSV does not exist.
        ValueError: a required column (or part of the box) is missing, or no row is usable.

    Example:
        >>> index = read_manifest("data/manifest.csv")  # doctest: +SKIP
        >>> index.records[0].side  # doctest: +SKIP
        'left'
    """
    csv_path = os.path.abspath(os.fspath(csv_path))
    if not os.path.isfile(csv_path):
        raise FileNotFoundError(f"Manifest {csv_path} does not exist")
    base = os.path.abspath(os.fspath(root)) if root is not None else os.path.dirname(csv_path)
    records, skipped = [], []
    with open(csv_path, newline="", encoding="utf-8-sig") as stream:
        reader = csv.DictReader(stream)
        columns = [(name or "").strip().lower() for name in (reader.fieldnames or [])]
        _check_columns(csv_path, columns)
        reader.fieldnames = columns
        has_box = "x" in columns
        for row in reader:
            row_number = reader.line_num
            values = {key: (value or "").strip() for key, value in row.items() if key}
            try:
                records.append(_parse_row(values, base, has_box))
            except _RowError as error:
                where = values.get("path") or f"{csv_path}:{row_number}"
                skipped.append(SkippedFile(where, f"row {row_number}: {error}"))
    if not records:
        first = [reason for _, reason in skipped[:3]]
        raise ValueError(f"Manifest {csv_path} lists no usable image (first problems: {first})")
    logger.info("read_manifest: %d images, %d rows skipped", len(records), len(skipped))
    sessions = order_sessions([r.session for r in records], session_order, source=csv_path)
    return DatasetIndex(records, sessions, skipped, source=csv_path)


class _RowError(ValueError):
    """A manifest row that cannot become a record; the message is its reason."""


def _check_columns(csv_path, columns):
    duplicates = sorted({c for c in columns if c and columns.count(c) > 1})
    if duplicates:
        raise ValueError(f"Manifest {csv_path} repeats the columns {duplicates}")
    for column in REQUIRED_COLUMNS:
        if column not in columns:
            raise ValueError(
                f"Manifest {csv_path} has no column {column!r} "
                f"(required: {list(REQUIRED_COLUMNS)}; found: {columns})"
            )
    present = [c for c in BOX_COLUMNS if c in columns]
    if present and len(present) != len(BOX_COLUMNS):
        missing = [c for c in BOX_COLUMNS if c not in columns]
        raise ValueError(
            f"Manifest {csv_path} has box columns {present} but not {missing}; "
            f"give all of {list(BOX_COLUMNS)} or none"
        )


def _parse_row(values, base, has_box):
    for column in REQUIRED_COLUMNS:
        if not values.get(column):
            raise _RowError(f"empty {column!r}")
    side = values.get("side", "").lower() or "unknown"
    if side not in SIDES:
        raise _RowError(f"invalid_side {values['side']!r} (expected one of {list(SIDES)})")
    box = _parse_box(values) if has_box else None
    path = os.path.normpath(os.path.join(base, values["path"]))
    if not os.path.isfile(path):
        raise _RowError(f"missing_file {path}")
    return ImageRecord(path, values["identity"], values["session"], side, box)


def _parse_box(values):
    fields = [values.get(column, "") for column in BOX_COLUMNS]
    if not any(fields):
        return None
    try:
        numbers = [float(field) for field in fields]
    except ValueError:
        numbers = None
    if numbers is None or not all(math.isfinite(n) for n in numbers):
        raise _RowError(f"invalid_box {fields} (expected four numbers x, y, w, h)")
    x, y, w, h = (int(round(n)) for n in numbers)
    if x < 0 or y < 0 or w <= 0 or h <= 0:
        raise _RowError(f"invalid_box {fields} (expected x, y >= 0 and w, h > 0)")
    return (x, y, w, h)
