"""Deep Index-of-Max (IoM) hashing head: soft index for training, argmax codes to deploy."""

import keras
from keras import ops

from lateral_keras.layers.code_size import check_code_size

HIDDEN_LAYER_REMARKS = ("1", "2", "3", "T1", "T2")
MODES = ("soft", "hard", "logits")


def _hidden_units(remark):
    """Widths and dropout flags of the hidden Dense+BN blocks named by ``remark``."""
    return {
        "1": [],
        "T1": [],
        "2": [(512, False)],
        "3": [(512, False), (512, False)],
        "T2": [(1024, True)],
    }[remark]


def iom_soft_index(logits, temperature=1.0):
    """Soft index and soft one-hot of grouped IoM logits.

    Args:
        logits: `(..., m, q)` projection values.
        temperature: softmax sharpness `T`.

    Returns:
        Tuple `(index, probs)`: `index` `(..., m)` = `sum_k k * probs[..., k]`,
        in `[0, q - 1]`; `probs` `(..., m, q)` = `softmax(T * logits)` over `q`.
    """
    probs = ops.softmax(temperature * logits, axis=-1)
    ks = ops.arange(ops.shape(logits)[-1], dtype=probs.dtype)
    return ops.sum(probs * ks, axis=-1), probs


def iom_hard_index(logits):
    """Argmax codes of grouped IoM logits, the first maximum on ties.

    Args:
        logits: `(..., m, q)` projection values.

    Returns:
        int32 codes `(..., m)` in `{0, ..., q - 1}`.
    """
    q = ops.shape(logits)[-1]
    is_max = logits >= ops.max(logits, axis=-1, keepdims=True)
    ks = ops.arange(q, dtype="int32")
    return ops.min(ops.where(is_max, ks, q), axis=-1)


@keras.saving.register_keras_serializable(package="lateral_keras")
class IoMProjection(keras.layers.Layer):
    """Deep Index-of-Max hashing head (SPEC section 4).

    Optional hidden blocks, then `z = W u + b` with `W ~ N(0, 1)` of shape
    `(input_dim, m * q)`, reshaped to `(batch, m, q)`: group `i` is the
    contiguous block `i*q .. (i+1)*q - 1`. All groups are computed at once.

    `mode` is a call argument, not a constructor argument: the one trained layer
    then serves the soft training output and the deployable hard codes without
    copying weights (`Model(x, iom(u))` to train, `Model(x, iom(u, mode="hard"))`
    to encode, sharing the same variables). `compute_output_spec` follows the
    mode, so functional models of either kind build and save. The output
    structure and dtype depend on `mode` only, never on `training`.

    With `trainable_projection=False` the layer is random (GRP) IoM: `W` is
    drawn from `N(0, 1)` with `seed`, `b = 0`, both non-trainable (saved in the
    `.keras` file, never updated). Hidden blocks, if any, stay trainable.

    Args:
        m: number of groups (code length), `int >= 1`.
        q: group size (alphabet of each code position), `int >= 2`.
        hidden_layer_remark: hidden blocks before the projection: `'1'` or `'T1'`
            none; `'2'` Dense(512)+BatchNorm; `'3'` two of those;
            `'T2'` Dense(1024)+BatchNorm+Dropout(0.5).
        temperature: softmax sharpness `T` of the soft index, `> 0`.
        trainable_projection: `False` for random IoM (fixed projection).
        seed: optional int seed of the projection initializer (and of the `'T2'`
            dropout).
        **kwargs: base `keras.layers.Layer` arguments.

    Call arguments:
        inputs: embeddings `(batch, input_dim)`.
        mode: `'soft'` (default), `'hard'` or `'logits'`.
        training: bool, for the hidden BatchNorm / Dropout.

    Returns:
        - `mode='soft'`: dict `{'index': (batch, m) float soft index
          sum_k k * p_ik, 'probs': (batch, m, q) float soft one-hot
          p_i = softmax(T * z_i)}`;
        - `mode='hard'`: int32 codes `(batch, m)`, argmax of each group,
          the first maximum on ties;
        - `mode='logits'`: `z` `(batch, m, q)` float.

    Example:
        >>> iom = IoMProjection(m=16, q=4)
        >>> tuple(iom(np.random.rand(2, 32))["index"].shape)
        (2, 16)
        >>> codes = iom(np.random.rand(2, 32), mode="hard")  # int32, (2, 16)

    Reference:
        Jin, Hwang, Lai, Kim, Teoh, "Ranking-based locality sensitive hashing-enabled
        cancelable biometrics: Index-of-Max hashing", IEEE TIFS 2018; Cui, Jin, Teoh,
        "Deep Index-of-Maximum hashing for face template protection", ICCCS 2020.
    """

    def __init__(
        self,
        m,
        q,
        hidden_layer_remark="1",
        temperature=1.0,
        trainable_projection=True,
        seed=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        check_code_size(m, q)
        if hidden_layer_remark not in HIDDEN_LAYER_REMARKS:
            raise ValueError(
                f"`hidden_layer_remark` must be one of {HIDDEN_LAYER_REMARKS}. "
                f"Received: hidden_layer_remark={hidden_layer_remark!r}"
            )
        if temperature <= 0:
            raise ValueError(f"`temperature` must be > 0. Received: temperature={temperature}")
        self.m = m
        self.q = q
        self.hidden_layer_remark = hidden_layer_remark
        self.temperature = float(temperature)
        self.trainable_projection = bool(trainable_projection)
        self.seed = seed
        policy = self.dtype_policy
        self.hidden_layers = []
        for i, (units, dropout) in enumerate(_hidden_units(hidden_layer_remark)):
            self.hidden_layers.append(keras.layers.Dense(units, dtype=policy, name=f"hidden_{i}"))
            self.hidden_layers.append(
                keras.layers.BatchNormalization(dtype=policy, name=f"hidden_norm_{i}")
            )
            if dropout:
                self.hidden_layers.append(
                    keras.layers.Dropout(0.5, seed=seed, dtype=policy, name=f"hidden_dropout_{i}")
                )

    def build(self, input_shape):
        shape = tuple(input_shape)
        for layer in self.hidden_layers:
            layer.build(shape)
            shape = layer.compute_output_shape(shape)
        self.kernel = self.add_weight(
            name="kernel",
            shape=(shape[-1], self.m * self.q),
            initializer=keras.initializers.RandomNormal(0.0, 1.0, seed=self.seed),
            trainable=self.trainable_projection,
        )
        self.bias = self.add_weight(
            name="bias",
            shape=(self.m * self.q,),
            initializer="zeros",
            trainable=self.trainable_projection,
        )

    def _check_mode(self, mode):
        if mode not in MODES:
            raise ValueError(f"`mode` must be one of {MODES}. Received: mode={mode!r}")

    def call(self, inputs, mode="soft", training=None):
        self._check_mode(mode)
        x = inputs
        for layer in self.hidden_layers:
            x = layer(x, training=training)
        z = ops.matmul(x, ops.cast(self.kernel, x.dtype)) + ops.cast(self.bias, x.dtype)
        z = ops.reshape(z, (-1, self.m, self.q))
        if mode == "logits":
            return z
        if mode == "hard":
            return iom_hard_index(z)
        index, probs = iom_soft_index(z, self.temperature)
        return {"index": index, "probs": probs}

    def compute_output_shape(self, input_shape, mode="soft"):
        self._check_mode(mode)
        batch = input_shape[0]
        if mode == "soft":
            return {"index": (batch, self.m), "probs": (batch, self.m, self.q)}
        if mode == "hard":
            return (batch, self.m)
        return (batch, self.m, self.q)

    def compute_output_spec(self, inputs, mode="soft", training=None):
        shape = self.compute_output_shape(inputs.shape, mode)
        if mode == "soft":
            return {
                key: keras.KerasTensor(value, dtype=self.compute_dtype)
                for key, value in shape.items()
            }
        dtype = "int32" if mode == "hard" else self.compute_dtype
        return keras.KerasTensor(shape, dtype=dtype)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "m": self.m,
                "q": self.q,
                "hidden_layer_remark": self.hidden_layer_remark,
                "temperature": self.temperature,
                "trainable_projection": self.trainable_projection,
                "seed": self.seed,
            }
        )
        return config
