"""Read photos as uint8 RGB arrays, with a stable reason for every failure.

Files are read as bytes with Python's ``open`` and decoded with ``cv2.imdecode``, so paths
with any characters work on every platform. EXIF orientation is not applied: pixels come
in the order they are stored.
"""

import io
import logging
import os

import cv2
import numpy as np

from lateral_keras.data.image_errors import ImageReadError
from lateral_keras.data.image_header import HeaderError, is_truncated, read_header, sniff_format

logger = logging.getLogger(__name__)

IMAGE_EXTENSIONS = (".bmp", ".jpeg", ".jpg", ".png", ".tif", ".tiff")
"""File extensions treated as images (compared case-insensitively)."""

DEFAULT_MIN_SIDE = 16
"""Images whose shorter side is below this many pixels are rejected as ``too_small``."""

_REDUCED_JPEG_FLAGS = (
    (8, cv2.IMREAD_REDUCED_COLOR_8),
    (4, cv2.IMREAD_REDUCED_COLOR_4),
    (2, cv2.IMREAD_REDUCED_COLOR_2),
)


def has_image_extension(path, extensions=IMAGE_EXTENSIONS):
    """Tell whether ``path`` ends with one of ``extensions``, ignoring case.

    Args:
        path: a file path or name.
        extensions: extensions with or without the leading dot (``"jpg"`` or ``".jpg"``).

    Returns:
        True if the extension matches.

    Example:
        >>> has_image_extension("fish/IMG_01.JPG")
        True
    """
    suffix = os.path.splitext(os.fspath(path))[1].lower()
    return suffix in {"." + ext.lower().lstrip(".") for ext in extensions}


def read_image(path, *, max_side=None, min_side=DEFAULT_MIN_SIDE):
    """Decode an image file into a uint8 RGB array.

    16-bit images are scaled to 8 bits (``round(v / 257)``), float images are taken as
    0..1, alpha is dropped, grayscale is repeated into 3 equal channels, BGR becomes RGB.
    With ``max_side``, an image whose longer side exceeds it is shrunk (area interpolation)
    so that its longer side is ``max_side``; JPEGs are then decoded at 1/2, 1/4 or 1/8
    scale directly (the largest reduction that stays at least ``max_side``), so a
    12000x9000 photo never occupies its full 324 MB. Other formats are decoded whole first.

    Args:
        path: the image file (str or path-like).
        max_side: optional largest side of the returned image, in pixels.
        min_side: the shortest accepted side of the stored image, in pixels.

    Returns:
        A C-contiguous ``uint8`` array of shape ``(height, width, 3)``, RGB.

    Raises:
        ImageReadError: with ``reason`` from ``IMAGE_READ_REASONS``.
        ValueError: ``max_side`` or ``min_side`` is not a positive integer.

    Example:
        >>> rgb = read_image("fish/IMG_0001.jpg", max_side=1024)  # doctest: +SKIP
        >>> rgb.dtype, rgb.shape[2]  # doctest: +SKIP
        (dtype('uint8'), 3)
    """
    _check_positive_int("max_side", max_side, allow_none=True)
    data, header = _read_checked(path, min_side)
    factor = 1
    flags = cv2.IMREAD_UNCHANGED
    if max_side is not None and header.format == "jpeg":
        for candidate, reduced_flag in _REDUCED_JPEG_FLAGS:
            if max(header.height, header.width) // candidate >= max_side:
                factor = candidate
                flags = reduced_flag | cv2.IMREAD_IGNORE_ORIENTATION
                break
    try:
        image = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), flags)
    except cv2.error as error:
        raise ImageReadError(path, "undecodable", f"OpenCV could not decode it: {error}") from None
    if image is None or image.size == 0:
        raise ImageReadError(path, "undecodable", f"OpenCV could not decode this {header.format}")
    logger.debug("decoded %s at 1/%d scale: %s", path, factor, image.shape)
    rgb = _to_rgb_uint8(image, path)
    if max_side is not None and max(rgb.shape[:2]) > max_side:
        scale = max_side / max(rgb.shape[:2])
        size = (max(1, round(rgb.shape[1] * scale)), max(1, round(rgb.shape[0] * scale)))
        rgb = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)
    return np.ascontiguousarray(rgb)


def read_image_size(path):
    """Read an image's pixel size from its header only (PNG, JPEG, BMP, TIFF).

    Args:
        path: the image file (str or path-like).

    Returns:
        ``(height, width)`` in pixels.

    Raises:
        ImageReadError: missing, unreadable, empty, not an image, or a malformed header.

    Example:
        >>> read_image_size("fish/IMG_0001.jpg")  # doctest: +SKIP
        (3000, 4000)
    """
    try:
        with open(path, "rb") as stream:
            if not stream.read(1):
                raise ImageReadError(path, "empty_file", "the file has zero bytes")
            header = _parse_header(stream, path)
    except OSError as error:
        raise _os_error(path, error) from None
    return header.height, header.width


def check_image(path, *, min_side=DEFAULT_MIN_SIDE):
    """Validate an image file without decoding its pixels.

    Checks that it can be read, is not empty, has a PNG/JPEG/BMP/TIFF header, is not cut
    short (see ``is_truncated``) and is at least ``min_side`` on its shorter side.

    Args:
        path: the image file (str or path-like).
        min_side: the shortest accepted side, in pixels.

    Returns:
        ``(height, width)`` from the header.

    Raises:
        ImageReadError: with the first failed check's reason.

    Example:
        >>> check_image("fish/IMG_0001.jpg")  # doctest: +SKIP
        (3000, 4000)
    """
    header = _read_checked(path, min_side)[1]
    return header.height, header.width


def _read_checked(path, min_side):
    """Read a file's bytes and run every check that needs no decoding."""
    _check_positive_int("min_side", min_side)
    try:
        with open(path, "rb") as stream:
            data = stream.read()
    except OSError as error:
        raise _os_error(path, error) from None
    if not data:
        raise ImageReadError(path, "empty_file", "the file has zero bytes")
    header = _parse_header(io.BytesIO(data), path)
    try:
        truncated = is_truncated(data, header.format)
    except HeaderError as error:
        raise ImageReadError(path, "undecodable", str(error)) from None
    if truncated:
        raise ImageReadError(
            path, "truncated", f"the {header.format} file ends before its end marker"
        )
    if min(header.height, header.width) < min_side:
        raise ImageReadError(
            path,
            "too_small",
            f"{header.width}x{header.height} pixels, the shorter side is below {min_side}",
        )
    return data, header


def _parse_header(stream, path):
    stream.seek(0)
    if sniff_format(stream.read(8)) is None:
        raise ImageReadError(
            path, "not_an_image", "the file starts with no PNG, JPEG, BMP or TIFF signature"
        )
    try:
        return read_header(stream)
    except HeaderError as error:
        reason = "truncated" if error.truncated else "undecodable"
        raise ImageReadError(path, reason, str(error)) from None


def _os_error(path, error):
    if isinstance(error, FileNotFoundError):
        return ImageReadError(path, "missing_file", "no such file")
    return ImageReadError(path, "unreadable", f"{type(error).__name__}: {error.strerror or error}")


def _to_rgb_uint8(image, path):
    if image.dtype == np.uint16:
        image = ((image.astype(np.uint32) + 128) // 257).astype(np.uint8)
    elif image.dtype.kind == "f":
        image = np.clip(np.rint(image * 255.0), 0, 255).astype(np.uint8)
    elif image.dtype != np.uint8:
        raise ImageReadError(path, "undecodable", f"unsupported pixel type {image.dtype}")
    if image.ndim == 2:
        image = image[:, :, None]
    channels = image.shape[2]
    if channels == 1:
        return np.repeat(image, 3, axis=2)
    if channels == 3:
        return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
    if channels == 4:
        return cv2.cvtColor(image, cv2.COLOR_BGRA2RGB)
    raise ImageReadError(path, "undecodable", f"unsupported channel count {channels}")


def _check_positive_int(name, value, allow_none=False):
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"`{name}` must be a positive integer. Received: {name}={value!r}")
