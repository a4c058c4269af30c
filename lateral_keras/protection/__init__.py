"""Template protection: key files, keyed (cancellable) IoM codes, re-keying, and the
revocability and unlinkability assessment of a run.

Example:

```python
from lateral_keras.protection import apply_key, key_id, read_key_file, write_key_file

key = write_key_file("secrets/fish.key")          # mode 0o600, kept apart from the gallery
keyed = apply_key(codes, key, q=8)                 # what a protected gallery stores
gallery_settings_key_id = key_id(key)              # the gallery records this, never the key
```
"""

from lateral_keras.protection.keyfile import (
    KeyFileError,
    generate_key,
    key_id,
    read_key_file,
    write_key_file,
)
from lateral_keras.protection.keying import apply_key, rekey_codes, remove_key
from lateral_keras.protection.rekey import rekey_gallery
from lateral_keras.protection.unlinkability import Unlinkability, unlinkability

__all__ = [
    "KeyFileError",
    "Unlinkability",
    "apply_key",
    "generate_key",
    "key_id",
    "read_key_file",
    "rekey_codes",
    "rekey_gallery",
    "remove_key",
    "unlinkability",
    "write_key_file",
]
