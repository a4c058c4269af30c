"""A match sheet: each probe ROI beside its top-k gallery ROIs, for a person to confirm."""

import cv2
import numpy as np

from lateral_keras.gallery.thumbnails import THUMB_HW
from lateral_keras.preprocessing.contact_sheet import write_sheet

TILE_HW = (48, 192)


def _blank(text=""):
    tile = np.full((*THUMB_HW, 3), 200, np.uint8)
    if text:
        cv2.putText(tile, text[:24], (4, THUMB_HW[0] // 2 + 4), cv2.FONT_HERSHEY_SIMPLEX, 0.3,
                    (60, 60, 60), 1, cv2.LINE_AA)
    return tile


def write_match_sheet(path, rows, k, title):
    """Write the sheet: one row per probe, the probe first, then its `k` best fish.

    Args:
        path: output PNG.
        rows: list of `(probe_roi_rgb or None, probe_lines, matches)`, `matches` a list of
            `(thumbnail_rgb or None, lines)`, best first.
        k: matches per row (shorter lists are padded with blank tiles).
        title: text above the grid.

    Returns:
        `path`.
    """
    items = []
    for probe, lines, matches in rows:
        items.append((_blank("no ROI") if probe is None else probe, lines))
        for rank in range(k):
            if rank < len(matches):
                thumb, match_lines = matches[rank]
                items.append((_blank("no thumbnail") if thumb is None else thumb, match_lines))
            else:
                items.append((_blank(), []))
    write_sheet(path, items, TILE_HW, k + 1, title)
    return path
