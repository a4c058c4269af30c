"""Bad input never raises: each case comes back as a failed result with its own reason."""

import os
import subprocess
import sys
import textwrap

import cv2
import numpy as np
import pytest

from lateral_keras.data.synthetic.render import render_image
from lateral_keras.preprocessing.extractor import extract_roi, extract_roi_from_file
from lateral_keras.preprocessing.result import ROI_REASONS


@pytest.fixture(scope="module")
def fish():
    """A default synthetic photo (RGB), its ground truth and its fish mask."""
    photo, truth, masks = render_image(3, 0, 1, seed=21, return_masks=True)
    return photo, truth, masks["fish"]


def _write(path, rgb_or_raw):
    image = rgb_or_raw
    if image.ndim == 3 and image.shape[2] == 3:
        image = cv2.cvtColor(image, cv2.COLOR_RGB2BGR)
    elif image.ndim == 3 and image.shape[2] == 4:
        image = cv2.cvtColor(image, cv2.COLOR_RGBA2BGRA)
    if not cv2.imwrite(str(path), image):
        raise RuntimeError(f"could not write {path}")
    return str(path)


def _expect(result, reason):
    assert not result.ok
    assert result.reason == reason, (result.reason, result.message)
    assert result.reason in ROI_REASONS
    assert result.message
    assert result.roi is None


def test_zero_byte_file(tmp_path):
    path = tmp_path / "empty.jpg"
    path.write_bytes(b"")
    _expect(extract_roi_from_file(path), "empty_file")


def test_truncated_jpeg(tmp_path, fish):
    ok, data = cv2.imencode(".jpg", fish[0])
    path = tmp_path / "cut.jpg"
    path.write_bytes(data.tobytes()[: len(data) // 2])
    _expect(extract_roi_from_file(path), "truncated")


def test_text_file_named_png(tmp_path):
    path = tmp_path / "notes.png"
    path.write_text("this is not an image\n")
    _expect(extract_roi_from_file(path), "not_an_image")


def test_missing_file(tmp_path):
    _expect(extract_roi_from_file(tmp_path / "nowhere.jpg"), "missing_file")


def test_one_pixel_image(tmp_path):
    path = _write(tmp_path / "dot.png", np.full((1, 1, 3), 90, np.uint8))
    _expect(extract_roi_from_file(path), "too_small")
    _expect(extract_roi(np.full((1, 1, 3), 90, np.uint8)), "too_small")


def test_gray_photo_with_colour_noise_has_no_background():
    rng = np.random.default_rng(0)
    gray = rng.normal(120, 25, (480, 640, 1))
    image = np.clip(gray + rng.normal(0, 18, (480, 640, 3)), 0, 255).astype(np.uint8)
    _expect(extract_roi(image), "no_background")


def test_green_image_without_fish():
    rng = np.random.default_rng(1)
    hsv = np.zeros((480, 640, 3), np.uint8)
    hsv[..., 0] = 60
    hsv[..., 1] = 170
    hsv[..., 2] = 140
    image = cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB).astype(float)
    image = np.clip(image + rng.normal(0, 6, image.shape), 0, 255).astype(np.uint8)
    _expect(extract_roi(image), "no_fish")


def test_fish_cut_by_the_frame(fish):
    photo, _, mask = fish
    columns = np.flatnonzero(mask.any(axis=0))
    middle = int(columns.mean())
    # Keep the left part of the photo up to the middle of the fish: the border cuts its body.
    _expect(extract_roi(np.ascontiguousarray(photo[:, :middle])), "fish_cut_by_frame")


def test_grayscale_photo(tmp_path, fish):
    gray = cv2.cvtColor(fish[0], cv2.COLOR_RGB2GRAY)
    path = _write(tmp_path / "gray.png", gray)
    _expect(extract_roi_from_file(path), "grayscale")
    _expect(extract_roi(np.repeat(gray[:, :, None], 3, axis=2)), "grayscale")
    _expect(extract_roi(gray), "grayscale")


def test_two_fish_of_similar_size_are_flagged():
    first, _ = render_image(0, 0, 0, seed=4)
    second, _ = render_image(1, 0, 0, seed=4)
    _expect(extract_roi(np.concatenate([first, second], axis=1)), "multiple_objects")


def test_arrays_that_are_no_image():
    _expect(extract_roi([[1, 2, 3]]), "bad_input")
    _expect(extract_roi(np.zeros((64, 64, 3), np.float32)), "bad_input")
    _expect(extract_roi(np.zeros((64, 64, 5), np.uint8)), "bad_input")


def test_rgba_and_16_bit_png_give_the_same_roi_as_8_bit(tmp_path, fish):
    photo = fish[0]
    reference = extract_roi_from_file(_write(tmp_path / "rgb.png", photo))
    assert reference.ok, reference.message
    alpha = np.full(photo.shape[:2] + (1,), 255, np.uint8)
    rgba = extract_roi_from_file(_write(tmp_path / "rgba.png", np.concatenate([photo, alpha], 2)))
    sixteen = extract_roi_from_file(
        _write(tmp_path / "deep.png", photo.astype(np.uint16) * 257)
    )
    for result in (rgba, sixteen):
        assert result.ok, result.message
        np.testing.assert_allclose(result.corners, reference.corners, atol=1e-6)
        np.testing.assert_array_equal(result.roi, reference.roi)
    in_memory = extract_roi(photo.astype(np.uint16) * 257)
    np.testing.assert_allclose(in_memory.corners, reference.corners, atol=1e-6)


_MAKE_HUGE = """
import cv2, sys
from lateral_keras.data.synthetic.render import render_image
photo, _ = render_image(5, 0, 0, seed=8)
huge = cv2.resize(cv2.cvtColor(photo, cv2.COLOR_RGB2BGR), (12000, 9000),
                  interpolation=cv2.INTER_LINEAR)
assert cv2.imwrite(sys.argv[1], huge, [cv2.IMWRITE_JPEG_QUALITY, 90])
"""

_MEASURE = """
import resource, sys
from lateral_keras.preprocessing.extractor import extract_roi_from_file
result = extract_roi_from_file(sys.argv[1])
peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(result.ok, result.reason, peak_kib, result.roi.shape if result.ok else None)
"""


@pytest.mark.slow
def test_12000_by_9000_photo_stays_under_2_gb(tmp_path):
    path = str(tmp_path / "huge.jpg")
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    subprocess.run([sys.executable, "-c", textwrap.dedent(_MAKE_HUGE), path], check=True, env=env)
    out = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(_MEASURE), path],
        check=True, capture_output=True, text=True, env=env,
    ).stdout.split()
    assert out[0] == "True", out
    peak_bytes = int(out[2]) * 1024  # ru_maxrss is in KiB on Linux
    assert peak_bytes < 2 * 1024**3, f"peak memory {peak_bytes / 1024**2:.0f} MiB"
