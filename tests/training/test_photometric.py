import numpy as np
import pytest

from lateral_keras.training.photometric import BLUR_SIGMA, photometric_jitter


def _images(batch=64, seed=0):
    return np.random.default_rng(seed).uniform(40, 200, (batch, 6, 9, 3)).astype("float32")


def test_no_jitter_is_the_identity():
    images = _images()
    images[0, 0, 0] = 255.00002  # a bilinear warp's round-off: no clip pass either
    np.testing.assert_array_equal(np.asarray(photometric_jitter(images)), images)


def test_white_balance_is_one_gain_per_image_and_channel_within_range():
    images = _images()
    out = np.asarray(photometric_jitter(images, white_balance=0.2, seed=1))
    gains = out / images
    per_channel = gains.reshape(len(images), -1, 3)
    np.testing.assert_allclose(per_channel, per_channel[:, :1, :].repeat(54, axis=1), rtol=1e-5)
    assert gains.min() >= 0.8 - 1e-5 and gains.max() <= 1.2 + 1e-5
    assert np.ptp(per_channel[:, 0, :]) > 0.2  # draws differ between images and channels


def test_contrast_scales_the_deviation_from_the_image_mean():
    images = _images()
    out = np.asarray(photometric_jitter(images, contrast=0.5, seed=2))
    mean = images.mean(axis=(1, 2, 3), keepdims=True)
    deviation = images - mean
    factor = (out - mean) / np.where(np.abs(deviation) > 1.0, deviation, np.nan)
    for f in factor:
        f = f[~np.isnan(f)]  # pixels at the mean tell nothing about the factor
        np.testing.assert_allclose(f, f[0], rtol=1e-3)
    factor = factor[~np.isnan(factor)]
    assert 0.5 - 1e-3 <= factor.min() and factor.max() <= 1.5 + 1e-3
    np.testing.assert_allclose(out.mean(axis=(1, 2, 3)), mean.ravel(), rtol=1e-4)


def test_blur_blends_towards_a_gaussian_blur():
    images = np.zeros((32, 15, 15, 3), "float32")
    images[:, 7, 7] = 255.0  # an impulse: its blur is the kernel itself
    out = np.asarray(photometric_jitter(images, blur=1.0, seed=3))
    radius = np.arange(-7, 8)
    taps = np.exp(-0.5 * (radius / BLUR_SIGMA) ** 2)
    taps /= taps[np.abs(radius) <= int(3 * BLUR_SIGMA + 0.5)].sum()
    taps[np.abs(radius) > int(3 * BLUR_SIGMA + 0.5)] = 0
    blurred = 255.0 * np.outer(taps, taps)
    weights = []
    for o in out:
        # o = (1 - a) * impulse + a * blurred; off the centre only the blur is left
        a = o[7, 9, 0] / blurred[7, 9]
        off_centre = blurred > 1
        off_centre[7, 7] = False
        np.testing.assert_allclose(o[..., 0][off_centre], (a * blurred)[off_centre], atol=0.05)
        np.testing.assert_allclose(o[7, 7, 0], (1 - a) * 255 + a * blurred[7, 7], atol=0.05)
        weights.append(a)
    assert 0 <= min(weights) and max(weights) <= 1 and np.ptp(weights) > 0.3


def test_values_stay_in_range_and_bad_ranges_are_refused():
    out = np.asarray(photometric_jitter(_images() * 1.2, 0.5, 0.9, 1.0, seed=4))
    assert out.min() >= 0 and out.max() <= 255
    with pytest.raises(ValueError, match="contrast=1.5"):
        photometric_jitter(_images(), contrast=1.5)
