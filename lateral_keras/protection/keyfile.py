"""Secret key files for keyed (cancellable) IoM codes: generate, write owner-only, read, id.

A key file is a small JSON document `{"format": "lateral_keras key", "version": 1, "key":
"<64 hex digits>"}` created with permissions 0o600 (owner read/write only) and never
overwritten by accident. Keep it apart from the gallery: whoever holds both can undo the
keying (`lateral_keras.protection.keying.remove_key`). A gallery stores only `key_id(key)`, a
one-way hash that says which key was used and reveals nothing about it.
"""

import hashlib
import json
import os
import secrets
import stat
import tempfile

KEY_BYTES = 32
FORMAT = "lateral_keras key"
VERSION = 1


class KeyFileError(ValueError):
    """A key file that cannot be used; the message names the file and what to do."""


def generate_key():
    """A new random key: `KEY_BYTES` bytes from the operating system's secure generator."""
    return secrets.token_bytes(KEY_BYTES)


def key_id(key):
    """The public id of a key: 16 hex digits of a purpose-tagged SHA-256 of it.

    Args:
        key: the secret, `bytes` (or str/int as `KeyedCodes` accepts).

    Returns:
        A 16-character hex string; the same key always gives the same id.

    Example:
        >>> key_id(b"secret") == key_id(b"secret") != key_id(b"other")
        True
    """
    if isinstance(key, int) and not isinstance(key, bool):
        data = b"int:" + str(key).encode()
    elif isinstance(key, str):
        data = b"str:" + key.encode("utf-8")
    elif isinstance(key, bytes):
        data = b"bytes:" + key
    else:
        raise KeyFileError(f"A key is bytes, str or int. Received: {type(key).__name__}")
    return hashlib.sha256(b"lateral_keras/key_id/" + data).hexdigest()[:16]


def write_key_file(path, key=None, *, overwrite=False):
    """Write a key file readable and writable by its owner only (mode 0o600), atomically.

    Args:
        path: the key file to create.
        key: bytes to store; None generates a new key (`generate_key`).
        overwrite: replace an existing file (a lost key cannot be recovered, so off by default).

    Returns:
        The key (bytes).

    Raises:
        KeyFileError: the file exists and `overwrite` is False.

    Example:
        >>> key = write_key_file("secrets/fish.key")  # doctest: +SKIP
    """
    path = os.fspath(path)
    if os.path.exists(path) and not overwrite:
        raise KeyFileError(f"{path}: a key file is already there; choose another path, or "
                           "delete it deliberately first (codes made with it become unusable).")
    key = generate_key() if key is None else key
    if not isinstance(key, bytes) or not key:
        raise KeyFileError(f"A key file stores non-empty bytes. Received: {type(key).__name__}")
    text = json.dumps({"format": FORMAT, "version": VERSION, "key": key.hex()}) + "\n"
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-key-", dir=folder)  # created 0o600
    try:
        os.fchmod(fd, stat.S_IRUSR | stat.S_IWUSR)
        with os.fdopen(fd, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return key


def read_key_file(path):
    """Read a key file written by `write_key_file`.

    Args:
        path: the key file.

    Returns:
        The key (bytes).

    Raises:
        KeyFileError: missing or unreadable file, wrong format, or permissions that let other
            users read it (fix with `chmod 600 <file>`).
    """
    path = os.fspath(path)
    try:
        mode = os.stat(path).st_mode
        with open(path, encoding="utf-8") as stream:
            data = json.load(stream)
    except FileNotFoundError:
        raise KeyFileError(f"{path}: no such key file. Create one with "
                           "`lateral enroll ... --key NEW_KEY_FILE`.") from None
    except (OSError, ValueError) as error:
        raise KeyFileError(f"{path}: unreadable key file ({error}).") from None
    if os.name == "posix" and mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise KeyFileError(f"{path}: other users may read this key file (mode "
                           f"{stat.S_IMODE(mode):o}); run `chmod 600 {path}`.")
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise KeyFileError(f"{path}: not a lateral_keras key file.")
    if data.get("version") != VERSION:
        raise KeyFileError(f"{path}: key file version {data.get('version')}, this lateral_keras "
                           f"reads version {VERSION}.")
    try:
        key = bytes.fromhex(data["key"])
    except (KeyError, TypeError, ValueError):
        raise KeyFileError(f"{path}: the key is missing or not hexadecimal.") from None
    if not key:
        raise KeyFileError(f"{path}: the key is empty.")
    return key
