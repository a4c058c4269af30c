"""Cancellable IoM codes: a run-time secret key permutes the code values (and positions)."""

import keras
from keras import ops

from lateral_keras.layers.code_size import check_code_size
from lateral_keras.layers.keys import key_permutations


@keras.saving.register_keras_serializable(package="lateral_keras")
class KeyedCodes(keras.layers.Layer):
    """Apply a secret key to argmax IoM codes after the trained projection.

    Keyed code at output position `j`: `values[p, codes[:, p]]` with
    `p = positions[j]`, the tables of `key_permutations(key, m, q,
    permute_positions)`. Each position's values are permuted bijectively, so two
    samples collide at a position under a key exactly when their unkeyed codes
    do: collision scores, hence accuracy, do not depend on the key, while codes
    under two keys are unrelated (cross-key collisions about `1 / q` per
    position). Re-keying revokes old codes. Follow with `IndexLUT` for a keyed
    LUT.

    Design: the key is never part of the config nor of a saved model. The layer
    holds the permutation tables in two non-trainable variables (so compiled
    functions read the current key without retracing), filled by
    `set_key(key)` at run time; `save_own_variables` writes nothing and
    `load_own_variables` reads nothing, so `.keras` and `.weights.h5` files
    carry no key material. A layer built from a config or loaded from a file
    is unkeyed and refuses eager/compiled calls until `set_key` is called;
    symbolic calls (building a functional model) work without a key. The
    tables are still visible in memory (`get_weights()`) once keyed. On JAX,
    key the layer before `Model.predict`: an error raised inside `predict`
    leaves Keras's JAX trainer with its variables unset, and the model must
    then be reloaded.

    Args:
        m: code length, `int >= 1`.
        q: number of index values, `int >= 2`.
        permute_positions: also permute the `m` positions with the key.
        **kwargs: base `keras.layers.Layer` arguments.

    Call arguments:
        inputs: int codes `(batch, m)` in `{0, ..., q - 1}`.

    Returns:
        int32 keyed codes `(batch, m)`.

    Example:
        >>> keyed = KeyedCodes(m=4, q=8)
        >>> keyed.set_key(b"secret")
        >>> tuple(keyed(np.array([[0, 1, 2, 3]])).shape)
        (1, 4)

    Reference:
        Jin et al., "Ranking-based locality sensitive hashing-enabled cancelable
        biometrics: Index-of-Max hashing", IEEE TIFS 2018.
    """

    def __init__(self, m, q, permute_positions=False, **kwargs):
        super().__init__(**kwargs)
        check_code_size(m, q)
        self.m = m
        self.q = q
        self.permute_positions = bool(permute_positions)
        self.keyed = False

    def build(self, input_shape=None):
        self.value_table = self.add_weight(
            name="value_table",
            shape=(self.m * self.q,),
            dtype="int32",
            initializer="zeros",
            trainable=False,
        )
        self.position_table = self.add_weight(
            name="position_table",
            shape=(self.m,),
            dtype="int32",
            initializer="zeros",
            trainable=False,
        )

    def set_key(self, key):
        """Fill the permutation tables from ``key`` (an int, `bytes` or `str`)."""
        if not self.built:
            self.build()
        values, positions = key_permutations(key, self.m, self.q, self.permute_positions)
        self.value_table.assign(values.reshape(-1))
        self.position_table.assign(positions)
        self.keyed = True

    def call(self, inputs):
        if not self.keyed:
            raise ValueError(
                "KeyedCodes has no key: call `set_key(key)` first. Received: keyed=False"
            )
        offsets = ops.arange(self.m, dtype="int32") * self.q
        keyed = ops.take(self.value_table, ops.cast(inputs, "int32") + offsets)
        if self.permute_positions:
            keyed = ops.take(keyed, self.position_table, axis=1)
        return keyed

    def compute_output_spec(self, inputs):
        return keras.KerasTensor((inputs.shape[0], self.m), dtype="int32")

    def save_own_variables(self, store):
        """Store nothing: the tables are key material."""

    def load_own_variables(self, store):
        """Read nothing: the layer stays unkeyed until `set_key`."""

    def get_config(self):
        config = super().get_config()
        config.update({"m": self.m, "q": self.q, "permute_positions": self.permute_positions})
        return config
