"""The ground-truth table ``ground_truth.csv`` of a synthetic dataset: columns, rows, reading.

One row per photo, ordered by fish, session, image. Columns:

- ``path``: the photo relative to the root, forward slashes (``SESSION1/fish_0000/img_00.jpg``);
  ``identity`` (``fish_0000``), ``session`` (``SESSION1``), ``side`` (``left`` / ``right`` flank).
- ``ep_x, ep_y, up_x, up_y, bp_x, bp_y``: EP, UP, BP of SPEC section 2 in the saved photo's pixel
  coordinates (x right, y down, pixel centres at integers as in OpenCV).
- ``roi_x0, roi_y0 ... roi_x3, roi_y3``: the ROI's corners in the photo, in the order top-left,
  top-right, bottom-right, bottom-left of the normalised frame (head left, dorsal side up), i.e.
  corner 0 is at (EP.x, back + depth/20), corner 1 at (UP.x, back + depth/20) before the pose.
- ``angle_deg``: the in-plane rotation in [0, 360), counter-clockwise on screen; the pose is
  ``photo = R(angle) @ F @ normalised + t`` with ``F`` the horizontal mirror for a right flank.
- ``head_left``: 1 when the body axis pointing from tail to snout has a negative x component in
  the photo, else 0 (for a left flank: cos(angle) > 0; for a right flank: cos(angle) < 0).
- ``mask_area``: pixels where the fish (body and fins, tail included) covers at least half.
"""

import csv
import io
import os

import cv2
import numpy as np

COLUMNS = (
    "path", "identity", "session", "side",
    "ep_x", "ep_y", "up_x", "up_y", "bp_x", "bp_y",
    "roi_x0", "roi_y0", "roi_x1", "roi_y1", "roi_x2", "roi_y2", "roi_x3", "roi_y3",
    "angle_deg", "head_left", "mask_area",
)
FILENAME = "ground_truth.csv"
_TEXT = ("path", "identity", "session", "side")
_INT = ("head_left", "mask_area")


def truth_to_row(truth):
    """Flatten a ``render_image`` truth dict into a CSV row dict (coordinates to 4 decimals).

    Args:
        truth: dict from ``render.render_image``.

    Returns:
        Dict ``column -> str`` over ``COLUMNS``.

    Example:
        >>> from lateral_keras.data.synthetic.render import render_image
        >>> row = truth_to_row(render_image(0, 0, 0, image_size=(160, 120))[1])
        >>> tuple(row) == COLUMNS
        True
    """
    row = {k: str(truth[k]) for k in _TEXT}
    for name in ("ep", "up", "bp"):
        row[f"{name}_x"], row[f"{name}_y"] = (f"{c:.4f}" for c in truth[name])
    for i, (x, y) in enumerate(truth["roi"]):
        row[f"roi_x{i}"], row[f"roi_y{i}"] = f"{x:.4f}", f"{y:.4f}"
    row["angle_deg"] = f"{truth['angle_deg']:.4f}"
    row["head_left"] = str(int(truth["head_left"]))
    row["mask_area"] = str(int(truth["mask_area"]))
    return {k: row[k] for k in COLUMNS}


def rows_to_csv(rows):
    """CSV text (header ``COLUMNS``, ``\\n`` line ends) of row dicts, in the given order."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


def read_rows(path):
    """Row dicts (all values ``str``) of a ground-truth CSV file."""
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        if tuple(reader.fieldnames or ()) != COLUMNS:
            raise ValueError(
                f"{path} is not a synthetic ground-truth table. Expected columns {COLUMNS}. "
                f"Received: columns={reader.fieldnames}"
            )
        return list(reader)


def read_ground_truth(root):
    """Read ``<root>/ground_truth.csv`` with numbers parsed.

    Args:
        root: dataset folder.

    Returns:
        List of dicts: the text columns as ``str``, ``head_left`` and ``mask_area`` as ``int``,
        other columns as ``float``; plus ``'roi'`` (array (4, 2)), ``'ep'``, ``'up'``, ``'bp'``
        (arrays (2,)).

    Example:
        >>> rows = read_ground_truth("synthetic_root")  # doctest: +SKIP
        >>> rows[0]["roi"].shape  # doctest: +SKIP
        (4, 2)
    """
    path = os.path.join(os.fspath(root), FILENAME)
    if not os.path.isfile(path):
        raise ValueError(f"`root` must hold {FILENAME}. Received: root={root!r}")
    out = []
    for raw in read_rows(path):
        row = {}
        for k, value in raw.items():
            row[k] = value if k in _TEXT else (int(value) if k in _INT else float(value))
        for name in ("ep", "up", "bp"):
            row[name] = np.array([row[f"{name}_x"], row[f"{name}_y"]])
        row["roi"] = np.array([[row[f"roi_x{i}"], row[f"roi_y{i}"]] for i in range(4)])
        out.append(row)
    return out


def roi_directions(corners, truth_roi):
    """Whether a found ROI runs head to tail and back to belly as the true one does.

    Corners 0 -> 1 run from the head to the tail along the back, 0 -> 3 from the back to the
    belly (see ``roi_x0 ...`` above); each direction is right when it points within 90 degrees
    of the truth's.

    Args:
        corners: ``(4, 2)`` corners of the found ROI, in the photo's pixels.
        truth_roi: ``(4, 2)`` true corners (``read_ground_truth(...)[i]["roi"]``).

    Returns:
        ``(head_right, dorsal_right)`` bools.

    Example:
        >>> quad = np.array([[0, 0], [4, 0], [4, 1], [0, 1]], float)
        >>> roi_directions(quad[[1, 0, 3, 2]], quad)
        (False, True)
    """
    found, truth = np.asarray(corners, float), np.asarray(truth_roi, float)
    head = np.dot(found[1] - found[0], truth[1] - truth[0]) > 0
    dorsal = np.dot(found[3] - found[0], truth[3] - truth[0]) > 0
    return bool(head), bool(dorsal)


def roi_iou(corners, truth_roi):
    """Intersection over union of a found ROI and the true one (convex quadrilaterals).

    Args:
        corners: ``(4, 2)`` corners of the found ROI, in the photo's pixels, in any order.
        truth_roi: ``(4, 2)`` true corners.

    Returns:
        A float in [0, 1].

    Example:
        >>> square = np.array([[0, 0], [2, 0], [2, 2], [0, 2]], float)
        >>> round(roi_iou(square, square + [1, 0]), 3)
        0.333
    """
    a, b = (cv2.convexHull(np.float32(quad)) for quad in (corners, truth_roi))
    intersection, _ = cv2.intersectConvexConvex(a, b)
    union = cv2.contourArea(a) + cv2.contourArea(b) - intersection
    return float(intersection / union) if union > 0 else 0.0
