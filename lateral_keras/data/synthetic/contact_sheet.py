"""A PNG grid of sample photos with their ground-truth ROI and landmarks drawn (cv2 only)."""

import os

import cv2
import numpy as np

from lateral_keras.data.synthetic import ground_truth
from lateral_keras.utils.atomic import atomic_path

_ROI_BGR = (0, 255, 255)
_MARKS = {"ep": (0, 0, 255), "up": (255, 0, 0), "bp": (255, 0, 255)}


def _annotate(image, row, scale):
    """Draw the ROI quadrilateral (top-left corner marked) and EP, UP, BP on a resized photo."""
    pts = np.round(row["roi"] * scale * 16).astype(np.int32)
    cv2.polylines(image, [pts], True, _ROI_BGR, 1, cv2.LINE_AA, shift=4)
    cv2.circle(image, tuple(int(c) for c in pts[0]), 3 * 16, _ROI_BGR, -1, cv2.LINE_AA, shift=4)
    for name, colour in _MARKS.items():
        centre = tuple(int(c) for c in np.round(row[name] * scale * 16))
        cv2.circle(image, centre, 4 * 16, colour, 2, cv2.LINE_AA, shift=4)
    label = f"{row['identity']} {row['session']} {row['side']} {row['angle_deg']:.0f}deg"
    cv2.putText(image, label, (4, 14), cv2.FONT_HERSHEY_SIMPLEX, 0.4, (255, 255, 255), 1,
                cv2.LINE_AA)


def make_contact_sheet(root, out_png, *, n_images=16, columns=4, thumb_width=320, seed=0):
    """Save a grid of sample photos of a synthetic dataset with their ground truth drawn.

    Yellow: the ROI quadrilateral (filled dot on its top-left corner in the normalised frame);
    red: EP; blue: UP; magenta: BP.

    Args:
        root: dataset root (holding ``ground_truth.csv``).
        out_png: output PNG path (written atomically).
        n_images: number of photos (a seeded sample of the table; all if fewer).
        columns: photos per row.
        thumb_width: width of each thumbnail in pixels.
        seed: seed of the sample.

    Returns:
        The PNG path (``str``).

    Example:
        >>> make_contact_sheet("/tmp/fish", "/tmp/fish.png")  # doctest: +SKIP
    """
    for name, value in (("n_images", n_images), ("columns", columns),
                        ("thumb_width", thumb_width)):
        if not isinstance(value, int) or value < 1:
            raise ValueError(f"`{name}` must be a positive int. Received: {name}={value!r}")
    rows = ground_truth.read_ground_truth(root)
    if not rows:
        raise ValueError(f"`root` has an empty ground-truth table. Received: root={root!r}")
    pick = np.random.default_rng(seed).permutation(len(rows))[:n_images]
    thumbs = []
    for index in sorted(pick):
        row = rows[index]
        photo = cv2.imread(os.path.join(os.fspath(root), row["path"]), cv2.IMREAD_COLOR)
        if photo is None:
            raise ValueError(f"Cannot read {row['path']} under root={root!r}")
        scale = thumb_width / photo.shape[1]
        thumb = cv2.resize(photo, (thumb_width, round(photo.shape[0] * scale)),
                           interpolation=cv2.INTER_AREA)
        _annotate(thumb, row, scale)
        thumbs.append(thumb)
    height = max(t.shape[0] for t in thumbs)
    thumbs += [np.zeros_like(thumbs[0])] * (-len(thumbs) % columns)
    grid = [np.concatenate([cv2.copyMakeBorder(t, 0, height - t.shape[0], 0, 0,
                                               cv2.BORDER_CONSTANT) for t in thumbs[i:i + columns]],
                           1) for i in range(0, len(thumbs), columns)]
    sheet = np.concatenate(grid, 0)
    with atomic_path(out_png) as tmp:
        if not cv2.imwrite(tmp, sheet):
            raise ValueError(f"Cannot write a PNG. Received: out_png={out_png!r}")
    return os.fspath(out_png)
