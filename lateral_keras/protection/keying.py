"""Apply, remove and change the key of IoM codes (SPEC section 4, cancellable templates).

The key permutes the `q` index values at each position (and optionally the `m` positions):
`KeyedCodes`. Two codes collide at a position under one key exactly when their unkeyed codes
do, so matching accuracy does not depend on the key, while codes under two keys are unrelated.

Revocation, honestly: a keyed gallery holds only keyed codes. To revoke a key, issue a new
one and replace the gallery's codes by codes under the new key, either by enrolling the fish
again from their photos (`lateral enroll --key NEW`), or with `rekey_codes` from the keyed
codes and the *old* key. The permutation is a bijection, so anyone holding a keyed gallery
and its key can recover the unkeyed codes (`remove_key`): keying protects a leaked gallery
only while its key stays secret. Old (stolen) codes do not match codes under the new key
(their scores look like impostor scores, see `assessment`).
"""

import numpy as np
from keras import ops

from lateral_keras.layers import KeyedCodes
from lateral_keras.layers.keys import key_permutations


def apply_key(codes, key, q, permute_positions=False):
    """Keyed codes: `KeyedCodes(m, q, permute_positions)` with `key`, on NumPy codes.

    Args:
        codes: int array `(n, m)` in `{0..q-1}`.
        key: the secret (bytes, str or int).
        q: index values per position.
        permute_positions: also permute the positions.

    Returns:
        int32 array `(n, m)`.

    Example:
        >>> apply_key(np.array([[0, 1, 2]]), b"secret", q=4).shape
        (1, 3)
    """
    codes = np.asarray(codes)
    layer = KeyedCodes(m=codes.shape[1], q=q, permute_positions=permute_positions)
    layer.set_key(key)
    return np.asarray(ops.convert_to_numpy(layer(codes)), dtype=np.int32)


def remove_key(keyed, key, q, permute_positions=False):
    """The unkeyed codes behind keyed codes (the inverse of `apply_key` with the same key).

    Args:
        keyed: int array `(n, m)` of keyed codes.
        key: the key they were made with.
        q: index values per position.
        permute_positions: the keying also permuted the positions.

    Returns:
        int32 array `(n, m)`.
    """
    keyed = np.asarray(keyed, dtype=np.int64)
    m = keyed.shape[1]
    values, positions = key_permutations(key, m, q, permute_positions)
    inverse = np.argsort(values, axis=1)  # inverse[p, values[p, v]] = v
    codes = np.empty_like(keyed)
    codes[:, positions] = inverse[positions[None, :], keyed]
    return codes.astype(np.int32)


def rekey_codes(keyed, old_key, new_key, q, permute_positions=False):
    """Keyed codes under `old_key` -> the same codes under `new_key`."""
    return apply_key(remove_key(keyed, old_key, q, permute_positions), new_key, q,
                     permute_positions)
