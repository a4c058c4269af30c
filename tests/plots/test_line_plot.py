"""OpenCV line plots: file written at the asked size, each curve drawn in its colour."""

import cv2
import numpy as np

from lateral_keras.plots.line_plot import PALETTE, line_plot


def colour_pixels(image, rgb):
    return int(np.all(image == np.array(rgb[::-1], np.uint8), axis=-1).sum())


def test_curves_drawn_in_their_colours(tmp_path):
    path = str(tmp_path / "p.png")
    line_plot({"a": ([1, 2, 3], [0, 1, 0]), "b": ([1, 3], [np.nan, 2])}, path, title="t",
              size=(400, 300))
    image = cv2.imread(path)
    assert image.shape == (300, 400, 3)
    assert colour_pixels(image, PALETTE[0]) > 100  # the polyline of "a"
    # "b" has one finite point: a dot plus its legend swatch, far fewer pixels than "a".
    assert 0 < colour_pixels(image, PALETTE[1]) < colour_pixels(image, PALETTE[0])


def test_log_axis_drops_non_positive_x(tmp_path):
    path = str(tmp_path / "roc.png")
    line_plot({"roc": ([0, 1e-3, 1e-2, 1], [0, 0.5, 0.8, 1])}, path, log_x=True,
              y_range=(0, 1), legend="lower right")
    assert cv2.imread(path) is not None
