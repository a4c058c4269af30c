"""The protection key as model *inputs*: exported files hold no key material.

An exported inference model takes the key's permutation tables (`key_permutations`) next to
the ROI and applies them to the argmax IoM codes exactly as `KeyedCodes` does. The caller
derives the tables from its key at run time (`key_inputs`); the file itself stays key-free,
and re-keying needs no new export.
"""

import keras
import numpy as np
from keras import ops

from lateral_keras.layers.code_size import check_code_size
from lateral_keras.layers.keys import key_permutations


def key_inputs(key, m, q, permute_positions=False):
    """The exported model's key inputs for `key`: what `KeyedCodes` would hold after `set_key`.

    Args:
        key: the secret (int, bytes or str), or None for unkeyed (plain) codes.
        m: code length.
        q: index values per position.
        permute_positions: also permute the positions (as `KeyedCodes(permute_positions=True)`).

    Returns:
        `{"key_values": int32 (m * q,), "key_positions": int32 (m,)}`.

    Example:
        >>> tables = key_inputs(b"secret", m=4, q=8)
        >>> tables["key_values"].shape, tables["key_positions"].shape
        ((32,), (4,))
    """
    if key is None:
        values, positions = np.tile(np.arange(q), (m, 1)), np.arange(m)
    else:
        values, positions = key_permutations(key, m, q, permute_positions)
    return {
        "key_values": np.asarray(values, np.int32).reshape(-1),
        "key_positions": np.asarray(positions, np.int32),
    }


@keras.saving.register_keras_serializable(package="lateral_keras")
class ApplyKeyTables(keras.layers.Layer):
    """Keyed codes from argmax codes and key tables given as inputs (no weights, no key).

    Output position `j` is `values[p, codes[:, p]]` with `p = positions[j]`, the rule of
    `KeyedCodes`. Written with `one_hot`, `sum` and `take` only, so TFLite runs it with its
    built-in kernels.

    Args:
        m: code length, `int >= 1`.
        q: index values per position, `int >= 2`.
        **kwargs: base layer arguments.

    Call arguments:
        codes: int codes `(batch, m)` in `{0, ..., q - 1}`.
        values: int32 `(m * q,)`, row-major `(m, q)` value permutations.
        positions: int32 `(m,)` position permutation.

    Returns:
        int32 keyed codes `(batch, m)`.

    Example:
        >>> layer = ApplyKeyTables(m=2, q=3)
        >>> tables = key_inputs(None, 2, 3)
        >>> np.asarray(layer(np.array([[2, 0]]), tables["key_values"], tables["key_positions"]))
        array([[2, 0]], dtype=int32)
    """

    def __init__(self, m, q, **kwargs):
        super().__init__(**kwargs)
        check_code_size(m, q)
        self.m = m
        self.q = q

    def call(self, codes, values, positions):
        table = ops.reshape(ops.cast(values, "int32"), (1, self.m, self.q))
        chosen = ops.one_hot(ops.cast(codes, "int32"), self.q, dtype="int32") * table
        return ops.take(ops.sum(chosen, axis=-1), ops.cast(positions, "int32"), axis=1)

    def compute_output_spec(self, codes, values, positions):
        return keras.KerasTensor((codes.shape[0], self.m), dtype="int32")

    def get_config(self):
        config = super().get_config()
        config.update({"m": self.m, "q": self.q})
        return config
