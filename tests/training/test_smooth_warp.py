import numpy as np
import pytest

from lateral_keras.training.smooth_warp import bicubic_matrix, smooth_warp, warp_with_field


def numpy_warp(images, field):
    """Bilinear sampling with clamped positions, one pixel at a time."""
    batch, height, width, _ = images.shape
    out = np.zeros_like(images)
    for b in range(batch):
        for i in range(height):
            for j in range(width):
                y = min(max(i + field[b, i, j, 0], 0.0), height - 1.0)
                x = min(max(j + field[b, i, j, 1], 0.0), width - 1.0)
                y0, x0 = int(np.floor(y)), int(np.floor(x))
                y1, x1 = min(y0 + 1, height - 1), min(x0 + 1, width - 1)
                fy, fx = y - y0, x - x0
                out[b, i, j] = (
                    images[b, y0, x0] * (1 - fy) * (1 - fx) + images[b, y0, x1] * (1 - fy) * fx
                    + images[b, y1, x0] * fy * (1 - fx) + images[b, y1, x1] * fy * fx
                )
    return out


def test_warp_with_field_matches_numpy_bilinear_sampling():
    rng = np.random.default_rng(0)
    images = rng.uniform(0, 255, (2, 5, 7, 3)).astype("float32")
    field = rng.normal(0, 2.0, (2, 5, 7, 2)).astype("float32")  # some positions leave the image
    np.testing.assert_allclose(
        np.asarray(warp_with_field(images, field)), numpy_warp(images, field), atol=1e-3
    )


def test_integer_shift_moves_the_pattern():
    images = np.random.default_rng(1).uniform(0, 255, (1, 6, 8, 1)).astype("float32")
    field = np.zeros((1, 6, 8, 2), "float32")
    field[..., 1] = 2.0  # every output pixel reads two columns to the right
    out = np.asarray(warp_with_field(images, field))
    np.testing.assert_allclose(out[0, :, :6], images[0, :, 2:], atol=1e-4)


def test_strength_zero_is_the_identity_and_warps_are_smooth_and_per_image():
    rng = np.random.default_rng(2)
    images = np.repeat(rng.uniform(0, 255, (1, 32, 96, 3)).astype("float32"), 4, axis=0)
    np.testing.assert_array_equal(np.asarray(smooth_warp(images, 0.0)), images)
    out = np.asarray(smooth_warp(images, 0.05, seed=3))
    assert not np.allclose(out[0], out[1])  # each image draws its own field
    # a smooth warp keeps most of the image close to the original (a noise field would not)
    ramp = np.repeat(np.linspace(0, 255, 96, dtype="float32")[None, None, :, None], 32, axis=1)
    warped_ramp = np.asarray(smooth_warp(np.repeat(ramp, 8, axis=0), 0.05, seed=4))
    shift = np.abs(warped_ramp - ramp) / (255 / 95)  # in pixels along the ramp
    assert 0.3 < np.median(shift) < 0.05 * 32 * 2
    assert np.abs(np.diff(warped_ramp, axis=2)).max() < 4 * 255 / 95


def test_negative_strength_is_refused():
    with pytest.raises(ValueError, match="strength=-0.1"):
        smooth_warp(np.zeros((1, 4, 4, 3), "float32"), -0.1)


@pytest.mark.parametrize("flip", [1, 2, 3])
def test_flips_mirror_the_image_and_the_field(flip):
    rng = np.random.default_rng(5)
    images = rng.uniform(0, 255, (2, 5, 7, 3)).astype("float32")
    field = rng.normal(0, 2.0, (2, 5, 7, 2)).astype("float32")

    def mirror(array):  # as flip 1 / 2 / 3 asks, over the height and width axes
        array = array[:, :, ::-1] if flip & 1 else array
        return array[:, ::-1] if flip & 2 else array

    # the mirror image of the input warped by the mirror image of the field
    expected = mirror(numpy_warp(images, np.ascontiguousarray(mirror(field))))
    flips = np.array([flip, 0], "int32")  # the second image stays unmirrored
    out = np.asarray(warp_with_field(images, field, flips))
    np.testing.assert_allclose(out[0], expected[0], atol=1e-3)
    np.testing.assert_allclose(out[1], numpy_warp(images, field)[1], atol=1e-3)


def test_bicubic_matrices_upsample_like_tf_image_resize():
    import tensorflow as tf

    coarse = np.random.default_rng(6).normal(0, 1, (3, 2, 4, 2)).astype("float32")
    expected = tf.image.resize(coarse, (16, 40), method="bicubic").numpy()
    rows, cols = np.asarray(bicubic_matrix(2, 16)), np.asarray(bicubic_matrix(4, 40))
    np.testing.assert_allclose(
        np.einsum("yi,bijc,xj->byxc", rows, coarse, cols), expected, atol=1e-5
    )


@pytest.mark.parametrize("flip", [0, 1, 2, 3])
def test_a_small_compiled_warp_keeps_each_images_mirror_orientation(flip):
    ramp = np.linspace(0, 255, 96, dtype="float32")[None, :, None] * np.linspace(
        0.2, 1.0, 32, dtype="float32"
    )[:, None, None]  # brighter to the right and to the bottom: every mirror differs
    images = np.repeat(ramp[None], 4, axis=0)
    out = np.asarray(smooth_warp(images, 0.01, seed=7, flips=np.full(4, flip, "int32")))
    mirrors = [ramp, ramp[:, ::-1], ramp[::-1], ramp[::-1, ::-1]]  # flips 0, 1, 2, 3
    errors = np.abs(out - mirrors[flip][None]).mean(axis=(1, 2, 3))
    others = [np.abs(out - m[None]).mean() for k, m in enumerate(mirrors) if k != flip]
    assert errors.max() < 2.0 < min(others)
