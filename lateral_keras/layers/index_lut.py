"""Look-up table from IoM indices to bits."""

import math

import keras
import numpy as np
from keras import ops


def lut_table(q, bits, seed=None):
    """Rows of bits for the index values ``0 .. q - 1``.

    With `bits >= ceil(log2 q)` row `k` is the binary code of `k`, most
    significant bit first, left-padded with zeros. With fewer bits the `q` values
    cannot all get distinct codes; the rows are then random bits drawn with
    `seed` (NumPy `default_rng`), as in the deep IoM reference.

    Args:
        q: number of index values, `int >= 2`.
        bits: bits per index, `int >= 1`.
        seed: int seed of the random rows (used only when `bits < ceil(log2 q)`).

    Returns:
        int32 NumPy array `(q, bits)` of 0/1.
    """
    if bits < math.ceil(math.log2(q)):
        return np.random.default_rng(seed).integers(0, 2, size=(q, bits)).astype("int32")
    shifts = np.arange(bits - 1, -1, -1)
    return ((np.arange(q)[:, None] >> shifts[None, :]) & 1).astype("int32")


@keras.saving.register_keras_serializable(package="lateral_keras")
class IndexLUT(keras.layers.Layer):
    """Map each IoM index to `bits` bits; codes `(batch, m)` -> bits `(batch, m * bits)`.

    Position `i` fills bits `i*bits .. (i+1)*bits - 1`. The table (see
    `lut_table`) is a non-trainable int32 weight saved with the model; it holds
    no secret. For a keyed LUT, put a `KeyedCodes` layer before this one: the
    bits are then those of a keyed permutation of `0 .. q - 1` at each position.

    Args:
        q: number of index values, `int >= 2`.
        bits: bits per index, `int >= 1`; defaults to `ceil(log2 q)`.
        seed: int seed of the random table used when `bits < ceil(log2 q)`.
        **kwargs: base `keras.layers.Layer` arguments.

    Call arguments:
        inputs: int codes `(batch, m)` in `{0, ..., q - 1}`.

    Returns:
        Bits `(batch, m * bits)` as 0/1 floats of the layer's compute dtype.

    Example:
        >>> lut = IndexLUT(q=8)
        >>> keras.ops.convert_to_numpy(lut(np.array([[0, 5]]))).tolist()
        [[0.0, 0.0, 0.0, 1.0, 0.0, 1.0]]

    Reference:
        Jin et al., "Ranking-based locality sensitive hashing-enabled cancelable
        biometrics: Index-of-Max hashing", IEEE TIFS 2018.
    """

    def __init__(self, q, bits=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(q, int) or q < 2:
            raise ValueError(f"`q` must be an int >= 2. Received: q={q}")
        if bits is None:
            bits = math.ceil(math.log2(q))
        if not isinstance(bits, int) or bits < 1:
            raise ValueError(f"`bits` must be an int >= 1. Received: bits={bits}")
        self.q = q
        self.bits = bits
        self.seed = seed

    def build(self, input_shape):
        self.table = self.add_weight(
            name="table",
            shape=(self.q, self.bits),
            dtype="int32",
            initializer="zeros",
            trainable=False,
        )
        self.table.assign(lut_table(self.q, self.bits, self.seed))

    def call(self, inputs):
        bits = ops.take(self.table, ops.cast(inputs, "int32"), axis=0)
        bits = ops.reshape(bits, (-1, ops.shape(inputs)[-1] * self.bits))
        return ops.cast(bits, self.compute_dtype)

    def compute_output_shape(self, input_shape):
        width = None if input_shape[-1] is None else input_shape[-1] * self.bits
        return (input_shape[0], width)

    def get_config(self):
        config = super().get_config()
        config.update({"q": self.q, "bits": self.bits, "seed": self.seed})
        return config
