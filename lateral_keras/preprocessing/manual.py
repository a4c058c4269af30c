"""Manual fallback: landmarks or ROI corners typed in by hand, for photos the extractor fails on.

A CSV holds one row per photo, with a ``path`` column and either

- landmarks ``ep_x, ep_y, up_x, up_y, bp_x, bp_y`` (original-image pixels), or
- ROI corners ``x0, y0, x1, y1, x2, y2, x3, y3`` (original-image pixels, in the order
  top-left, top-right, bottom-right, bottom-left of the normalised frame: head on the left,
  dorsal side up).

A file may have both column sets; each row must fill one of them completely (corners win
when a row fills both) and leave the other empty.

With landmarks, the normalised frame is the one where EP -> UP points along +x (head on
the left) and BP lies below that line (dorsal side up): EP is the origin, UP is ``(d, 0)``
and BP is ``(b_x, b_y)`` with ``b_y > 0``. The dorsal outline's lowest point over
``[EP.x, UP.x]`` is then UP itself (the eye lies below the outline, UP on it), so
``back = 0`` and ``depth = b_y``; the ROI is SPEC's box ``x in [0, d]``,
``y in [f1 * depth, f2 * depth]``. A frame that needs a mirror is a right flank.
"""

import csv
import dataclasses
import os

import cv2
import numpy as np

from lateral_keras.preprocessing import geometry
from lateral_keras.preprocessing.cutting import build_result
from lateral_keras.preprocessing.landmarks import roi_box
from lateral_keras.preprocessing.quality import exposure, sharpness
from lateral_keras.preprocessing.result import ExtractionFailure, RoiResult

LANDMARK_COLUMNS = ("ep_x", "ep_y", "up_x", "up_y", "bp_x", "bp_y")
CORNER_COLUMNS = ("x0", "y0", "x1", "y1", "x2", "y2", "x3", "y3")


@dataclasses.dataclass(frozen=True)
class ManualEntry:
    """One manual override.

    Args:
        path: the photo's path as written in the CSV (forward slashes).
        landmarks: ``{"EP": (x, y), "UP": (x, y), "BP": (x, y)}`` or None.
        corners: four ``(x, y)`` tuples TL, TR, BR, BL, or None.

    Example:
        >>> entry = ManualEntry("a.jpg", landmarks={"EP": (10, 50), "UP": (90, 40),
        ...                                         "BP": (60, 90)})
        >>> entry.kind
        'landmarks'
    """

    path: str
    landmarks: dict | None = None
    corners: tuple | None = None

    def __post_init__(self):
        if (self.landmarks is None) == (self.corners is None):
            raise ValueError(
                f"A ManualEntry needs exactly one of `landmarks` and `corners`. "
                f"Received: path={self.path!r}, landmarks={self.landmarks!r}, "
                f"corners={self.corners!r}"
            )

    @property
    def kind(self):
        """``'landmarks'`` or ``'corners'``."""
        return "landmarks" if self.landmarks is not None else "corners"


def load_manual_overrides(csv_path):
    """Read a manual-override CSV.

    Args:
        csv_path: the CSV file (see the module docstring for its columns).

    Returns:
        ``{path: ManualEntry}``, paths with forward slashes as written.

    Raises:
        ValueError: naming the file, the row (1 = first data row) and the column of the
            first bad value, a missing column set, or a repeated path.

    Example:
        >>> overrides = load_manual_overrides("manual.csv")  # doctest: +SKIP
        >>> overrides["SESSION1/fish_0001/img_00.jpg"].kind  # doctest: +SKIP
        'corners'
    """
    with open(csv_path, newline="", encoding="utf-8") as stream:
        reader = csv.DictReader(stream)
        columns = set(reader.fieldnames or ())
        has_landmarks = set(LANDMARK_COLUMNS) <= columns
        has_corners = set(CORNER_COLUMNS) <= columns
        if "path" not in columns or not (has_landmarks or has_corners):
            raise ValueError(
                f"{csv_path}: expected a `path` column and either {', '.join(LANDMARK_COLUMNS)} "
                f"or {', '.join(CORNER_COLUMNS)}. Received columns: {sorted(columns)}"
            )
        entries = {}
        for row_number, row in enumerate(reader, start=1):
            entry = _parse_row(csv_path, row_number, row, has_landmarks, has_corners)
            if entry.path in entries:
                raise ValueError(
                    f"{csv_path}: row {row_number}, column 'path': {entry.path!r} already "
                    "appears in an earlier row"
                )
            entries[entry.path] = entry
    return entries


def apply_manual(image, entry, settings):
    """Cut the ROI that a manual entry defines.

    Args:
        image: uint8 RGB ``(H, W, 3)`` original image (the coordinates' image).
        entry: a ``ManualEntry``.
        settings: an ``ExtractorSettings`` (ROI fractions and size, minimum side).

    Returns:
        A ``RoiResult`` with ``source='manual'``.

    Raises:
        ExtractionFailure: ``bad_manual_entry`` for degenerate points, ``roi_too_small``.
    """
    if entry.kind == "landmarks":
        return _from_landmarks(image, entry, settings)
    return _from_corners(image, entry, settings)


def _from_landmarks(image, entry, settings):
    ep, up, bp = (np.asarray(entry.landmarks[name], dtype=float) for name in ("EP", "UP", "BP"))
    along = up - ep
    distance = float(np.hypot(*along))
    if distance < 1.0:
        raise ExtractionFailure(
            "bad_manual_entry", f"{entry.path}: EP and UP coincide ({ep.tolist()}, {up.tolist()})"
        )
    x_axis = along / distance
    y_axis = np.array([-x_axis[1], x_axis[0]])
    if np.dot(y_axis, bp - ep) < 0:
        y_axis = -y_axis
    belly = float(np.dot(y_axis, bp - ep))
    if belly < 1.0:
        raise ExtractionFailure(
            "bad_manual_entry",
            f"{entry.path}: BP {bp.tolist()} lies on the EP-UP line; it must be below it",
        )
    to_frame = np.eye(3)
    to_frame[0, :2], to_frame[1, :2] = x_axis, y_axis
    to_frame[:2, 2] = -to_frame[:2, :2] @ ep
    box = roi_box(0.0, distance, 0.0, belly, settings.top_fraction, settings.bottom_fraction)
    frame_points = {name: geometry.apply(to_frame, [p])[0] for name, p in
                    (("EP", ep), ("UP", up), ("BP", bp))}
    return build_result(image, to_frame, box, frame_points, settings, source="manual")


def _from_corners(image, entry, settings):
    corners = np.asarray(entry.corners, dtype=float)
    top = float(np.hypot(*(corners[1] - corners[0])))
    left = float(np.hypot(*(corners[3] - corners[0])))
    x, y = corners[:, 0], corners[:, 1]
    signed_area = 0.5 * float(np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y))
    if abs(signed_area) < 1.0:
        raise ExtractionFailure(
            "bad_manual_entry", f"{entry.path}: the four corners enclose no area"
        )
    if min(top, left) < settings.min_roi_side:
        raise ExtractionFailure(
            "roi_too_small",
            f"{entry.path}: the manual ROI is {top:.1f} x {left:.1f} px; at least "
            f"{settings.min_roi_side} px a side was expected",
        )
    height, width = settings.roi_size or (int(round(left)), int(round(top)))
    target = np.array(
        [[-0.5, -0.5], [width - 0.5, -0.5], [width - 0.5, height - 0.5], [-0.5, height - 0.5]]
    )
    matrix = cv2.getPerspectiveTransform(corners.astype(np.float32), target.astype(np.float32))
    roi = cv2.warpPerspective(
        image, matrix, (width, height), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )
    direction = corners[1] - corners[0]
    angle = float(np.degrees(np.arctan2(-direction[1], direction[0])))
    mirrored = signed_area < 0
    return RoiResult(
        ok=True,
        roi=roi,
        corners=corners,
        rotation_deg=180.0 if angle == -180.0 else angle,
        mirrored=mirrored,
        side="right" if mirrored else "left",
        quality={"sharpness": round(sharpness(roi), 3), "exposure": exposure(roi)},
        source="manual",
    )


def _parse_row(csv_path, row_number, row, has_landmarks, has_corners):
    path = (row.get("path") or "").strip().replace(os.sep, "/").replace("\\", "/")
    if not path:
        raise ValueError(f"{csv_path}: row {row_number}, column 'path': empty")
    if has_corners and _filled(row, CORNER_COLUMNS):
        values = _numbers(csv_path, row_number, row, CORNER_COLUMNS)
        return ManualEntry(path, corners=tuple(zip(values[::2], values[1::2])))
    if has_landmarks and _filled(row, LANDMARK_COLUMNS):
        values = _numbers(csv_path, row_number, row, LANDMARK_COLUMNS)
        points = zip(values[::2], values[1::2])
        return ManualEntry(path, landmarks=dict(zip(("EP", "UP", "BP"), points)))
    wanted = CORNER_COLUMNS if has_corners else LANDMARK_COLUMNS
    missing = next(c for c in wanted if not (row.get(c) or "").strip())
    raise ValueError(
        f"{csv_path}: row {row_number}, column '{missing}': empty; every landmark or every "
        "corner column of a row must be filled"
    )


def _filled(row, columns):
    return any((row.get(column) or "").strip() for column in columns)


def _numbers(csv_path, row_number, row, columns):
    values = []
    for column in columns:
        text = (row.get(column) or "").strip()
        if not text:
            raise ValueError(
                f"{csv_path}: row {row_number}, column '{column}': empty; every landmark or "
                "every corner column of a row must be filled"
            )
        try:
            value = float(text)
        except ValueError:
            raise ValueError(
                f"{csv_path}: row {row_number}, column '{column}': expected a number, "
                f"got {text!r}"
            ) from None
        if not np.isfinite(value):
            raise ValueError(
                f"{csv_path}: row {row_number}, column '{column}': expected a finite number, "
                f"got {text!r}"
            )
        values.append(value)
    return values
