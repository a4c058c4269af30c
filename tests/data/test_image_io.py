"""Tests for lateral_keras.data.image_io: decoding, reason codes, header sizes, reduction."""

import pickle
import struct

import cv2
import numpy as np
import pytest

from lateral_keras.data import image_io
from lateral_keras.data.image_errors import IMAGE_READ_REASONS, ImageReadError
from lateral_keras.data.image_io import (
    check_image,
    has_image_extension,
    read_image,
    read_image_size,
)


def _pattern(height, width, channels=3, dtype=np.uint8, seed=0):
    rng = np.random.default_rng(seed)
    high = np.iinfo(dtype).max
    return rng.integers(0, high, size=(height, width, channels), endpoint=True).astype(dtype)


def _write(path, array, params=()):
    ok, encoded = cv2.imencode(path.suffix, array, list(params))
    assert ok
    path.write_bytes(encoded.tobytes())
    return path


def _reason(path, **kwargs):
    with pytest.raises(ImageReadError) as info:
        read_image(path, **kwargs)
    return info.value.reason


def test_png_rgb_is_bgr_reversed(tmp_path):
    bgr = _pattern(20, 30)
    rgb = read_image(_write(tmp_path / "a.png", bgr))
    assert rgb.dtype == np.uint8 and rgb.flags.c_contiguous
    np.testing.assert_array_equal(rgb, bgr[:, :, ::-1])


def test_16_bit_png_is_scaled_to_8_bits(tmp_path):
    values = np.array([0, 128, 129, 257, 1000, 32768, 65279, 65535], dtype=np.uint16)
    bgr16 = np.stack([values, values[::-1], np.roll(values, 3)], axis=-1)
    bgr16 = np.tile(bgr16[None], (17, 2, 1))  # 17 x 16 x 3
    rgb = read_image(_write(tmp_path / "deep.png", bgr16))
    expected = np.floor(bgr16[:, :, ::-1].astype(np.float64) * 255.0 / 65535.0 + 0.5)
    np.testing.assert_array_equal(rgb, expected.astype(np.uint8))
    assert rgb[0, 0, 2] == 0 and rgb[0, 7, 2] == 255  # channel 0 of BGR is blue = RGB[2]


def test_rgba_png_drops_alpha_without_blending(tmp_path):
    bgra = _pattern(18, 22, channels=4, seed=1)
    bgra[:, :, 3] = np.arange(22, dtype=np.uint8)[None, :] * 11  # alpha from 0 to 231
    rgb = read_image(_write(tmp_path / "alpha.png", bgra))
    np.testing.assert_array_equal(rgb, bgra[:, :, [2, 1, 0]])


def test_grayscale_png_becomes_three_equal_channels(tmp_path):
    gray = _pattern(16, 40, seed=2)[:, :, 0]
    rgb = read_image(_write(tmp_path / "gray.png", gray))
    assert rgb.shape == (16, 40, 3)
    for channel in range(3):
        np.testing.assert_array_equal(rgb[:, :, channel], gray)


@pytest.mark.parametrize("suffix", [".bmp", ".tif", ".tiff", ".png"])
def test_lossless_formats_round_trip_and_header_size(tmp_path, suffix):
    bgr = _pattern(21, 37, seed=3)
    path = _write(tmp_path / f"img{suffix}", bgr)
    np.testing.assert_array_equal(read_image(path), bgr[:, :, ::-1])
    assert read_image_size(path) == (21, 37)
    assert check_image(path) == (21, 37)


def test_jpeg_size_from_header_after_a_large_app_segment(tmp_path):
    bgr = np.full((40, 64, 3), (10, 120, 230), np.uint8)
    data = _write(tmp_path / "plain.jpg", bgr).read_bytes()
    payload = b"Exif\x00\x00" + bytes(60000)
    app1 = b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload
    path = tmp_path / "exif.jpg"
    path.write_bytes(data[:2] + app1 + data[2:])
    assert read_image_size(path) == (40, 64)
    rgb = read_image(path)
    assert rgb.shape == (40, 64, 3)
    assert np.abs(rgb.astype(int) - [230, 120, 10]).max() <= 3


def test_unicode_path(tmp_path):
    folder = tmp_path / "Fisch_ä_魚"
    folder.mkdir()
    bgr = _pattern(16, 16, seed=4)
    rgb = read_image(_write(folder / "bild_ø.png", bgr))
    np.testing.assert_array_equal(rgb, bgr[:, :, ::-1])


def test_failure_reasons(tmp_path):
    (tmp_path / "empty.jpg").write_bytes(b"")
    (tmp_path / "text.png").write_text("this is not a picture\n")
    jpeg = _write(tmp_path / "whole.jpg", _pattern(64, 64, seed=5)).read_bytes()
    (tmp_path / "cut.jpg").write_bytes(jpeg[: len(jpeg) // 2])
    (tmp_path / "cut_header.jpg").write_bytes(jpeg[:40])
    png = _write(tmp_path / "whole.png", _pattern(32, 32, seed=6)).read_bytes()
    (tmp_path / "cut.png").write_bytes(png[:-20])
    _write(tmp_path / "dot.png", np.zeros((1, 1, 3), np.uint8))
    _write(tmp_path / "thin.png", np.zeros((15, 300, 3), np.uint8))

    assert _reason(tmp_path / "empty.jpg") == "empty_file"
    assert _reason(tmp_path / "text.png") == "not_an_image"
    assert _reason(tmp_path / "cut.jpg") == "truncated"
    assert _reason(tmp_path / "cut_header.jpg") == "truncated"
    assert _reason(tmp_path / "cut.png") == "truncated"
    assert _reason(tmp_path / "dot.png") == "too_small"
    assert _reason(tmp_path / "thin.png") == "too_small"
    assert _reason(tmp_path / "no_such.png") == "missing_file"
    assert _reason(tmp_path) == "unreadable"  # a folder
    assert read_image(tmp_path / "thin.png", min_side=15).shape == (15, 300, 3)
    assert read_image(tmp_path / "whole.jpg").shape == (64, 64, 3)


def test_check_image_reports_the_same_reasons(tmp_path):
    (tmp_path / "empty.jpg").write_bytes(b"")
    jpeg = _write(tmp_path / "whole.jpg", _pattern(64, 64)).read_bytes()
    (tmp_path / "cut.jpg").write_bytes(jpeg[:-300])
    _write(tmp_path / "dot.png", np.zeros((1, 1, 3), np.uint8))
    expected = {"empty.jpg": "empty_file", "cut.jpg": "truncated", "dot.png": "too_small"}
    for name, reason in expected.items():
        with pytest.raises(ImageReadError) as info:
            check_image(tmp_path / name)
        assert info.value.reason == reason, name
    assert check_image(tmp_path / "whole.jpg") == (64, 64)


def test_jpeg_with_bytes_after_end_marker_is_not_truncated(tmp_path):
    data = _write(tmp_path / "a.jpg", _pattern(32, 48, seed=7)).read_bytes()
    (tmp_path / "trailer.jpg").write_bytes(data + b"vendor trailer data")
    assert read_image(tmp_path / "trailer.jpg").shape == (32, 48, 3)


def test_read_image_size_errors(tmp_path):
    (tmp_path / "empty.png").write_bytes(b"")
    (tmp_path / "text.png").write_text("hello")
    (tmp_path / "head.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    cases = {"empty.png": "empty_file", "text.png": "not_an_image", "head.png": "truncated"}
    for name, reason in cases.items():
        with pytest.raises(ImageReadError) as info:
            read_image_size(tmp_path / name)
        assert info.value.reason == reason, name
        assert name in str(info.value)


@pytest.fixture(scope="module")
def large_jpeg(tmp_path_factory):
    rows = np.linspace(0, 255, 3000)[:, None]
    cols = np.linspace(0, 255, 4000)[None, :]
    bgr = np.stack([rows + 0 * cols, 0 * rows + cols, (rows + cols) / 2], axis=-1)
    path = tmp_path_factory.mktemp("large") / "large.jpg"
    return _write(path, bgr.astype(np.uint8), (cv2.IMWRITE_JPEG_QUALITY, 90))


def test_max_side_reduces_a_large_jpeg(large_jpeg):
    assert read_image_size(large_jpeg) == (3000, 4000)
    small = read_image(large_jpeg, max_side=1000)
    assert small.shape == (750, 1000, 3)
    full = cv2.cvtColor(cv2.imread(str(large_jpeg)), cv2.COLOR_BGR2RGB)
    oracle = cv2.resize(full, (1000, 750), interpolation=cv2.INTER_AREA)
    assert np.abs(small.astype(int) - oracle.astype(int)).mean() < 2.0
    odd = read_image(large_jpeg, max_side=1333)
    assert odd.shape == (1000, 1333, 3)


def test_max_side_decodes_jpeg_at_reduced_scale(large_jpeg, monkeypatch):
    flags_seen = []
    real_imdecode = cv2.imdecode

    def spy(buffer, flags):
        flags_seen.append(flags)
        return real_imdecode(buffer, flags)

    monkeypatch.setattr(image_io.cv2, "imdecode", spy)
    read_image(large_jpeg, max_side=1000)  # 4000 / 4 = 1000: quarter scale
    read_image(large_jpeg, max_side=3000)  # 4000 / 2 < 3000: full scale
    assert flags_seen[0] & ~cv2.IMREAD_IGNORE_ORIENTATION == cv2.IMREAD_REDUCED_COLOR_4
    assert flags_seen[1] == cv2.IMREAD_UNCHANGED


def test_max_side_on_png_and_on_small_images(tmp_path):
    bgr = _pattern(60, 200, seed=8)
    path = _write(tmp_path / "wide.png", bgr)
    assert read_image(path, max_side=100).shape == (30, 100, 3)
    np.testing.assert_array_equal(read_image(path, max_side=500), bgr[:, :, ::-1])


def test_grayscale_jpeg_reduced_has_equal_channels(tmp_path):
    gray = np.tile(np.linspace(0, 255, 640).astype(np.uint8)[None, :], (480, 1))
    path = _write(tmp_path / "gray.jpg", gray)
    rgb = read_image(path, max_side=160)
    assert rgb.shape == (120, 160, 3)
    np.testing.assert_array_equal(rgb[:, :, 0], rgb[:, :, 1])
    np.testing.assert_array_equal(rgb[:, :, 0], rgb[:, :, 2])


@pytest.mark.parametrize("kwargs", [{"max_side": 0}, {"max_side": 2.5}, {"min_side": -1}])
def test_bad_arguments(tmp_path, kwargs):
    path = _write(tmp_path / "a.png", _pattern(16, 16))
    name = next(iter(kwargs))
    with pytest.raises(ValueError, match=name):
        read_image(path, **kwargs)


def test_image_read_error_contract():
    error = ImageReadError("x/a.jpg", "truncated", "cut short")
    assert isinstance(error, ValueError)
    assert str(error) == "x/a.jpg: cut short (reason: truncated)"
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.path, copy.reason, copy.message) == ("x/a.jpg", "truncated", "cut short")
    assert "truncated" in IMAGE_READ_REASONS
    with pytest.raises(ValueError, match="reason"):
        ImageReadError("a.jpg", "bad_luck", "?")


def test_has_image_extension():
    assert has_image_extension("a/B.JPG") and has_image_extension("c.TiFf")
    assert not has_image_extension("README.txt") and not has_image_extension("jpg")
    assert has_image_extension("a.webp", extensions=["webp"])
    assert not has_image_extension("a.png", extensions=[".jpg"])


def test_float_tiff_is_taken_as_zero_to_one(tmp_path):
    values = np.linspace(0.0, 1.0, 16 * 18 * 3, dtype=np.float32).reshape(16, 18, 3)
    path = _write(tmp_path / "float.tif", values)
    assert cv2.imread(str(path), cv2.IMREAD_UNCHANGED).dtype == np.float32
    expected = np.floor(values[:, :, ::-1].astype(np.float64) * 255 + 0.5).astype(np.uint8)
    np.testing.assert_array_equal(read_image(path), expected)
