"""The model hash a gallery records: which model files made its templates."""

import hashlib
import os


def model_hash(*paths):
    """SHA-256 (first 16 hex digits) of the bytes of the model files, in order.

    A retrained or replaced model gets another hash, so a gallery refuses its templates.

    Args:
        *paths: the `.keras` files (e.g. the run's `embedder.keras` and `iom_codes.keras`).

    Returns:
        A 16-character hex string.

    Example:
        >>> model_hash("runs/fish/models/embedder.keras")  # doctest: +SKIP
        '3f2a9c0d51e7b4a8'
    """
    digest = hashlib.sha256()
    for path in paths:
        digest.update(os.path.basename(path).encode("utf-8") + b"\0")
        with open(path, "rb") as stream:
            for block in iter(lambda: stream.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()[:16]
