"""Fast helpers of the extractor against independent NumPy oracles: order statistics from
histograms, the every-third subsample, the ROI quality figures and the canvas fit."""

import cv2
import numpy as np
import pytest

from lateral_keras.preprocessing import geometry, ranks
from lateral_keras.preprocessing.orientation import _fit_canvas
from lateral_keras.preprocessing.quality import exposure, sharpness
from lateral_keras.preprocessing.segmentation import _every_third


@pytest.fixture(scope="module")
def rng():
    return np.random.default_rng(3)


def test_histogram_counts_one_channel_under_a_mask(rng):
    image = rng.integers(0, 256, (37, 51, 3), dtype=np.uint8)
    mask = rng.random((37, 51)) < 0.4
    for channel in range(3):
        expected = np.bincount(image[:, :, channel][mask], minlength=256)
        np.testing.assert_array_equal(ranks.histogram(image, mask, channel=channel), expected)
    np.testing.assert_array_equal(
        ranks.histogram(image[:, :, 1].copy()), np.bincount(image[:, :, 1].ravel(), minlength=256)
    )


@pytest.mark.parametrize("size", [1, 2, 7, 100, 1001])
def test_percentiles_match_numpy(rng, size):
    samples = rng.integers(0, 256, size)
    counts = np.bincount(samples, minlength=256).astype(np.float64)
    for q in (0.0, 10.0, 25.0, 50.0, 62.5, 99.0, 100.0):
        assert ranks.percentile(counts, q) == np.percentile(samples, q)
    rows = np.stack([counts, np.bincount(samples // 2, minlength=256)])
    expected = [np.percentile(samples, 30.0), np.percentile(samples // 2, 30.0)]
    np.testing.assert_array_equal(ranks.percentile(rows, 30.0), expected)


def test_median_and_spread_match_numpy(rng):
    groups = [rng.integers(40, 90, 501), rng.integers(0, 256, 64), np.array([7, 7, 9, 200])]
    counts = np.stack([np.bincount(g, minlength=256) for g in groups]).astype(np.float64)
    median, spread = ranks.median_and_spread(counts)
    for g, m, s in zip(groups, median, spread):
        assert m == np.median(g)
        assert s == np.median(np.abs(g - np.median(g)))


@pytest.mark.parametrize("shape", [(240, 320, 3), (241, 322, 3), (17, 16), (5, 8, 3), (2, 7)])
def test_every_third_equals_strided_slicing_over_full_blocks(rng, shape):
    image = rng.integers(0, 256, shape, dtype=np.uint8)
    rows, columns = max(1, 3 * (shape[0] // 3)), max(1, 3 * (shape[1] // 3))
    np.testing.assert_array_equal(_every_third(image), image[:rows:3, :columns:3])


def test_exposure_matches_numpy(rng):
    roi = rng.integers(0, 256, (64, 256, 3), dtype=np.uint8)
    roi[:4] = 255
    roi[4:9, :, :] = 3
    value = roi.max(axis=2)
    expected_clipped = np.mean((value <= 5) | (value >= 250))
    result = exposure(roi)
    assert result["mean_v"] == round(float(value.mean()) / 255.0, 4)
    assert result["clipped_share"] == round(float(expected_clipped), 4)


def test_sharpness_is_the_variance_of_the_laplacian(rng):
    roi = rng.integers(0, 256, (20, 30, 3), dtype=np.uint8)
    checker = np.add.outer(np.arange(10), np.arange(30)) % 2 == 0
    roi[:10] = np.where(checker, 255, 0)[:, :, None]  # full contrast: the Laplacian hits 1020
    gray = cv2.cvtColor(roi, cv2.COLOR_RGB2GRAY).astype(np.float64)
    padded = np.pad(gray, 1, mode="reflect")  # OpenCV's default border (BORDER_REFLECT_101)
    laplacian = (
        padded[:-2, 1:-1] + padded[2:, 1:-1] + padded[1:-1, :-2] + padded[1:-1, 2:]
        - 4.0 * padded[1:-1, 1:-1]
    )
    assert np.abs(laplacian).max() > 1000
    assert sharpness(roi) == pytest.approx(laplacian.var(), rel=1e-9)


def test_rotation_matrix_turns_the_direction_to_x_about_the_centre():
    angle, centre = 0.7, (12.0, -3.5)
    matrix = geometry.rotation_matrix(angle, centre)
    np.testing.assert_allclose(geometry.apply(matrix, [centre]), [centre], atol=1e-12)
    ahead = np.array(centre) + 5.0 * np.array([np.cos(angle), np.sin(angle)])
    np.testing.assert_allclose(geometry.apply(matrix, [ahead]), [[centre[0] + 5.0, centre[1]]])


def test_fit_canvas_keeps_every_point_inside_with_a_margin(rng):
    points = rng.uniform(-50.0, 300.0, (200, 2))
    rotation = geometry.rotation_matrix(-1.1, (40.0, 80.0))
    matrix, (width, height) = _fit_canvas(rotation, points)
    moved = geometry.apply(matrix, points)
    extent = np.ptp(geometry.apply(rotation, points), axis=0)
    margin = 4.0 + 0.03 * extent.max()
    np.testing.assert_allclose(moved.min(axis=0), [margin, margin])
    assert np.all(moved.max(axis=0) + margin <= (width - 1, height - 1))
    assert (width, height) == tuple(int(np.ceil(e + 2 * margin)) + 1 for e in extent)
