"""Image format, size and completeness from the file's bytes, without decoding pixels.

Covers the formats of ``IMAGE_EXTENSIONS``: PNG, JPEG, BMP and (classic, not Big) TIFF.
"""

import collections
import io
import struct

ImageHeader = collections.namedtuple("ImageHeader", ["format", "height", "width"])

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_IEND = b"IEND\xaeB`\x82"  # the IEND chunk type and its fixed CRC
_JPEG_EOI = b"\xff\xd9"
_JPEG_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}  # frame headers hold the size
_JPEG_NO_LENGTH = frozenset([0x01, *range(0xD0, 0xD8)])  # TEM and RSTn carry no length field
_TIFF_TYPES = {3: "H", 4: "I"}  # SHORT and LONG, the types width and length may have


class HeaderError(ValueError):
    """A malformed header; ``truncated`` is True when the file ended inside it."""

    def __init__(self, message, truncated=False):
        super().__init__(message)
        self.truncated = truncated


def sniff_format(head):
    """Name the image format from the first bytes of a file.

    Args:
        head: the file's first bytes (at least 8 for a certain answer).

    Returns:
        ``"png"``, ``"jpeg"``, ``"bmp"``, ``"tiff"``, or ``None`` for anything else.

    Example:
        >>> sniff_format(b"\\xff\\xd8\\xff\\xe0")
        'jpeg'
    """
    head = bytes(head[:8])
    if head.startswith(_PNG_SIGNATURE):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"BM"):
        return "bmp"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "tiff"
    return None


def read_header(stream):
    """Read the format and pixel size from a binary stream positioned anywhere.

    Args:
        stream: a seekable binary file object (an open file or ``io.BytesIO``).

    Returns:
        ``ImageHeader(format, height, width)``.

    Raises:
        HeaderError: unknown signature or malformed header (``truncated`` set when the
            stream ends inside the header).

    Example:
        >>> import io
        >>> ihdr = b"\\x00\\x00\\x00\\rIHDR" + bytes([0, 0, 1, 0, 0, 0, 0, 32])
        >>> png = b"\\x89PNG\\r\\n\\x1a\\n" + ihdr
        >>> read_header(io.BytesIO(png))
        ImageHeader(format='png', height=32, width=256)
    """
    stream.seek(0)
    image_format = sniff_format(stream.read(8))
    if image_format is None:
        raise HeaderError("the file starts with no PNG, JPEG, BMP or TIFF signature")
    height, width = _SIZE_READERS[image_format](stream)
    if height <= 0 or width <= 0:
        raise HeaderError(f"the {image_format} header declares a size of {width}x{height}")
    return ImageHeader(image_format, height, width)


def is_truncated(data, image_format):
    """Tell whether a whole file's bytes end before the format's end marker.

    JPEG: no end-of-image marker (FFD9) after the start of the first scan (markers
    inside entropy-coded data are always escaped, so this ignores thumbnails and allows
    trailing bytes). PNG: no IEND chunk. BMP: shorter than the size its header declares.
    TIFF has no end marker: always False (a cut TIFF fails to decode instead).

    Args:
        data: the file's bytes.
        image_format: its format as named by ``sniff_format``.

    Returns:
        True if the file is cut short.

    Raises:
        HeaderError: the JPEG header is malformed.

    Example:
        >>> is_truncated(b"\\x89PNG\\r\\n\\x1a\\n", "png")
        True
    """
    if image_format == "jpeg":
        scan_start = _jpeg_walk(io.BytesIO(data))[2]
        return data.find(_JPEG_EOI, scan_start) == -1
    if image_format == "png":
        return data.rfind(_PNG_IEND) == -1
    if image_format == "bmp":
        return len(data) < struct.unpack("<I", data[2:6])[0]
    return False


def _read_exact(stream, size):
    data = stream.read(size)
    if len(data) < size:
        raise HeaderError("the file ends inside its header", truncated=True)
    return data


def _png_size(stream):
    stream.seek(8)
    chunk = _read_exact(stream, 16)
    if chunk[4:8] != b"IHDR":
        raise HeaderError("the PNG does not start with an IHDR chunk")
    width, height = struct.unpack(">II", chunk[8:16])
    return height, width


def _jpeg_walk(stream):
    """Walk JPEG segments to the first scan; return (height, width, scan data offset)."""
    stream.seek(2)
    size = None
    while True:
        if _read_exact(stream, 1) != b"\xff":
            raise HeaderError(f"expected a JPEG marker at byte {stream.tell() - 1}")
        marker = _read_exact(stream, 1)[0]
        while marker == 0xFF:  # fill bytes
            marker = _read_exact(stream, 1)[0]
        if marker in _JPEG_NO_LENGTH:
            continue
        if marker == 0xD9:
            raise HeaderError("the JPEG ends (EOI) before any image data")
        (length,) = struct.unpack(">H", _read_exact(stream, 2))
        if length < 2:
            raise HeaderError(f"a JPEG segment declares a length of {length}")
        if marker == 0xDA:
            if size is None:
                raise HeaderError("the JPEG image data comes before its frame header")
            return size[0], size[1], stream.tell() + length - 2
        segment = _read_exact(stream, length - 2)
        if marker in _JPEG_SOF:
            if len(segment) < 5:
                raise HeaderError("the JPEG frame header is too short")
            size = struct.unpack(">HH", segment[1:5])


def _jpeg_size(stream):
    height, width, _ = _jpeg_walk(stream)
    return height, width


def _bmp_size(stream):
    stream.seek(14)
    (dib_size,) = struct.unpack("<I", _read_exact(stream, 4))
    if dib_size == 12:  # BITMAPCOREHEADER: unsigned 16-bit sizes
        width, height = struct.unpack("<HH", _read_exact(stream, 4))
    else:  # negative height means a top-down bitmap
        width, height = struct.unpack("<ii", _read_exact(stream, 8))
    return abs(height), width


def _tiff_size(stream):
    stream.seek(0)
    order = "<" if _read_exact(stream, 2) == b"II" else ">"
    magic, ifd_offset = struct.unpack(order + "HI", _read_exact(stream, 6))
    if magic != 42:
        raise HeaderError(f"unsupported TIFF variant (magic number {magic})")
    stream.seek(ifd_offset)
    (count,) = struct.unpack(order + "H", _read_exact(stream, 2))
    found = {}
    for _ in range(count):
        tag, kind, _, value = struct.unpack(order + "HHI4s", _read_exact(stream, 12))
        if tag in (256, 257) and kind in _TIFF_TYPES:
            found[tag] = struct.unpack_from(order + _TIFF_TYPES[kind], value)[0]
    if 256 not in found or 257 not in found:
        raise HeaderError("the TIFF's first image has no width or length tag")
    return found[257], found[256]


_SIZE_READERS = {"png": _png_size, "jpeg": _jpeg_size, "bmp": _bmp_size, "tiff": _tiff_size}
