"""A page of example pairs with their ROIs: the errors a decision threshold makes.

Each example is a row: the two ROI images side by side, then the score and the two photos'
names (identity / session / file). Sections are titled, e.g. "false matches" (impostor pairs
accepted) and "false non-matches" (genuine pairs rejected).

Example:

```python
example_pairs_page({"false matches": [PairExample(roi_a, roi_b, 0.91, "fish_1 S1 a.jpg",
                                                  "fish_7 S3 b.jpg")]}, "examples.png")
```
"""

import dataclasses

import cv2
import numpy as np

from lateral_keras.plots.line_plot import FONT
from lateral_keras.utils.atomic import atomic_path

ROI_BOX = (72, 300)  # (height, width) each ROI is fitted into
_PAD = 10
_TEXT_W = 340


@dataclasses.dataclass(frozen=True)
class PairExample:
    """One pair to show.

    Attributes:
        roi_a, roi_b: paths of the two ROI images.
        score: the pair's similarity.
        name_a, name_b: captions of the two photos.
    """

    roi_a: str
    roi_b: str
    score: float
    name_a: str
    name_b: str


def _fit(path, box=ROI_BOX):
    """The ROI image scaled to fit `box`, centred on grey; a labelled grey box if unreadable."""
    height, width = box
    tile = np.full((height, width, 3), 235, np.uint8)
    image = cv2.imread(path, cv2.IMREAD_COLOR)
    if image is None:
        cv2.putText(tile, "ROI not readable", (8, height // 2), FONT, 0.45, (0, 0, 200), 1,
                    cv2.LINE_AA)
        return tile
    scale = min(height / image.shape[0], width / image.shape[1])
    size = (max(1, round(image.shape[1] * scale)), max(1, round(image.shape[0] * scale)))
    image = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
    y0, x0 = (height - size[1]) // 2, (width - size[0]) // 2
    tile[y0 : y0 + size[1], x0 : x0 + size[0]] = image
    return tile


def _text(canvas, text, x, y, scale=0.45, colour=(0, 0, 0)):
    cv2.putText(canvas, text, (x, y), FONT, scale, colour, 1, cv2.LINE_AA)


def example_pairs_page(sections, path, title=""):
    """Draw titled sections of example pairs and save the PNG atomically.

    Args:
        sections: dict section title -> list of `PairExample` (an empty list prints "none").
        path: output PNG path.
        title: page title.

    Returns:
        `path`.
    """
    row_h = ROI_BOX[0] + _PAD
    width = 2 * ROI_BOX[1] + 3 * _PAD + _TEXT_W
    height = 40 + sum(34 + max(1, len(rows)) * row_h for rows in sections.values()) + _PAD
    canvas = np.full((height, width, 3), 255, np.uint8)
    _text(canvas, title, _PAD, 26, 0.6)
    y = 40
    for name, rows in sections.items():
        _text(canvas, f"{name} ({len(rows)} shown)", _PAD, y + 22, 0.55, (120, 40, 0))
        y += 34
        if not rows:
            _text(canvas, "none at this threshold", _PAD, y + 24)
            y += row_h
        for example in rows:
            canvas[y : y + ROI_BOX[0], _PAD : _PAD + ROI_BOX[1]] = _fit(example.roi_a)
            x_b = 2 * _PAD + ROI_BOX[1]
            canvas[y : y + ROI_BOX[0], x_b : x_b + ROI_BOX[1]] = _fit(example.roi_b)
            x_text = x_b + ROI_BOX[1] + _PAD
            _text(canvas, f"score {example.score:.4f}", x_text, y + 18, 0.5)
            _text(canvas, f"A: {example.name_a}", x_text, y + 40)
            _text(canvas, f"B: {example.name_b}", x_text, y + 60)
            y += row_h
    with atomic_path(path) as tmp:
        if not cv2.imwrite(tmp, canvas):
            raise OSError(f"Could not write the example page: {path}")
    return path
