"""The error raised when an image file cannot be read, with a stable reason code."""

IMAGE_READ_REASONS = (
    "missing_file",
    "unreadable",
    "empty_file",
    "not_an_image",
    "undecodable",
    "truncated",
    "too_small",
)
"""Every reason code ``ImageReadError.reason`` can take.

- ``missing_file``: the path does not exist (or is a broken link).
- ``unreadable``: the operating system refused to read it (permission, a folder, I/O error).
- ``empty_file``: zero bytes.
- ``not_an_image``: the bytes start with no known image signature and do not decode.
- ``undecodable``: a known image signature, but the header or the pixel data do not decode.
- ``truncated``: the file ends before its end marker (JPEG EOI, PNG IEND, BMP declared size).
- ``too_small``: decoded, but its shorter side is below the minimum.
"""


class ImageReadError(ValueError):
    """An image file could not be read; ``reason`` is one of ``IMAGE_READ_REASONS``.

    Args:
        path: the file's path, as given.
        reason: a code from ``IMAGE_READ_REASONS``; callers branch on it.
        message: a human-readable explanation.

    Example:
        >>> error = ImageReadError("a.jpg", "empty_file", "the file has zero bytes")
        >>> error.reason
        'empty_file'
        >>> str(error)
        'a.jpg: the file has zero bytes (reason: empty_file)'
    """

    def __init__(self, path, reason, message):
        if reason not in IMAGE_READ_REASONS:
            raise ValueError(
                f"`reason` must be one of {IMAGE_READ_REASONS}. Received: reason={reason!r}"
            )
        super().__init__(path, reason, message)
        self.path = str(path)
        self.reason = reason
        self.message = message

    def __str__(self):
        return f"{self.path}: {self.message} (reason: {self.reason})"
