"""Evaluation plots: probit and log axes, clipping to the frame, histograms, example pages."""

from statistics import NormalDist

import cv2
import numpy as np
import pytest

from lateral_keras.plots import (
    PairExample,
    cmc_plot,
    det_plot,
    example_pairs_page,
    line_plot,
    roc_plot,
    score_histogram,
)
from lateral_keras.plots.line_plot import PALETTE, _scale_ticks, _transform


def colour_mask(image, rgb):
    return np.all(image == np.array(rgb[::-1], np.uint8), axis=-1)


def test_probit_and_log_transforms():
    np.testing.assert_allclose(_transform([0.5, 0.975], "probit"),
                               [0.0, NormalDist().inv_cdf(0.975)])
    assert np.isnan(_transform([0.0, 1.0], "probit")).all()
    np.testing.assert_allclose(_transform([1e-3, 1.0], "log"), [-3.0, 0.0])
    assert np.isnan(_transform([0.0], "log")).all()
    labels = [label for _, label in _scale_ticks(-3.1, 2.4, "probit")]
    assert labels == ["0.1%", "1%", "5%", "20%", "50%", "80%", "95%", "99%"]
    assert [label for _, label in _scale_ticks(-4, 0, "log")][-1] == "1"


def test_unknown_scale_is_an_error(tmp_path):
    with pytest.raises(ValueError, match="x_scale"):
        line_plot({"a": ([1], [1])}, str(tmp_path / "p.png"), x_scale="probits")


def test_diagonal_on_probit_axes_is_a_straight_line_clipped_to_the_frame(tmp_path):
    path = str(tmp_path / "det.png")
    p = np.linspace(0.0001, 0.9999, 500)
    line_plot({"a": (p, p)}, path, x_scale="probit", y_scale="probit", x_range=(0.01, 0.99),
              y_range=(0.01, 0.99), size=(600, 400))
    image = cv2.imread(path)
    ys, xs = np.nonzero(colour_mask(image, PALETTE[0]))
    curve = xs < 600 - 190  # the legend swatch lies in the right margin
    # A straight line through the frame's corners (80, 340) -> (410, 40), nothing outside.
    assert xs[curve].min() >= 79 and xs[curve].max() <= 411
    assert ys[curve].min() >= 39 and ys[curve].max() <= 341
    slope = np.polyfit(xs[curve], ys[curve], 1)[0]
    assert slope == pytest.approx(-300 / 330, rel=0.05)


def test_roc_det_cmc_and_histogram_files(tmp_path):
    rng = np.random.default_rng(0)
    genuine = rng.random(3000) < 0.1
    scores = rng.normal(size=3000) + 2 * genuine
    codes = np.round(scores * 4) / 16
    scored = {"embeddings": (scores, genuine), "codes": (codes, genuine)}
    for draw, name in ((roc_plot, "roc"), (det_plot, "det")):
        image = cv2.imread(draw(scored, str(tmp_path / f"{name}.png")))
        assert colour_mask(image, PALETTE[0]).sum() > 200
        assert colour_mask(image, PALETTE[1]).sum() > 200
    image = cv2.imread(cmc_plot({"a": np.linspace(0.5, 1, 30)}, str(tmp_path / "cmc.png")))
    assert colour_mask(image, PALETTE[0]).sum() > 100
    image = cv2.imread(score_histogram(codes, genuine, 0.3, str(tmp_path / "h.png")))
    assert colour_mask(image, PALETTE[2]).sum() > 50  # the threshold line


def test_example_page_handles_unreadable_rois_and_empty_sections(tmp_path):
    roi = tmp_path / "roi.png"
    cv2.imwrite(str(roi), np.full((30, 120, 3), (0, 0, 255), np.uint8))
    example = PairExample(str(roi), str(tmp_path / "missing.png"), 0.8, "fish_1 S1 a.jpg",
                          "fish_2 S2 b.jpg")
    path = example_pairs_page({"false matches": [example], "false non-matches": []},
                              str(tmp_path / "page.png"), title="errors")
    image = cv2.imread(path)
    assert colour_mask(image, (255, 0, 0)).sum() > 1000  # the readable ROI, scaled up
