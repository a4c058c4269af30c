"""Stage-one embedding head on top of a backbone."""

import keras
from keras import ops

POOLING_AXES = {"flatten": (), "height": (1,), "average": (1, 2)}
"""Feature-map axes averaged before the flatten, per ``pooling`` mode."""


@keras.saving.register_keras_serializable(package="lateral_keras")
class EmbeddingHead(keras.layers.Layer):
    """BatchNorm -> Dropout -> [pool] -> Flatten -> Dense(L2) -> BatchNorm (SPEC section 3).

    The output is the embedding `e`, not normalised (heads normalise it when
    they need to).

    Args:
        embd_shape: embedding size, `int >= 1`. Defaults to 512.
        dropout: dropout rate in `[0, 1)`. Defaults to 0.5.
        weight_decay: L2 factor on the Dense kernel, `>= 0` (0 disables it).
            Defaults to 5e-4.
        seed: optional int seed of the dropout.
        pooling: `"flatten"` (SPEC: every feature-map cell keeps its place),
            `"height"` (mean over the rows of a `(batch, h, w, c)` map first: the
            layout along the body is kept, small vertical shifts are forgiven) or
            `"average"` (global mean: a bag of local features). Defaults to
            `"flatten"`.
        **kwargs: base `keras.layers.Layer` arguments.

    Call arguments:
        inputs: backbone features `(batch, ...)`, e.g. `(batch, h, w, channels)`.
        training: bool, dropout and batch statistics on when `True`.

    Returns:
        Embeddings `(batch, embd_shape)`.

    Example:
        >>> head = EmbeddingHead(embd_shape=128)
        >>> tuple(head(np.random.rand(4, 7, 7, 32)).shape)
        (4, 128)

    Reference:
        Deng et al., "ArcFace: Additive Angular Margin Loss for Deep Face
        Recognition", CVPR 2019 (the "E" output block).
    """

    def __init__(self, embd_shape=512, dropout=0.5, weight_decay=5e-4, seed=None,
                 pooling="flatten", **kwargs):
        super().__init__(**kwargs)
        if pooling not in POOLING_AXES:
            raise ValueError(
                f"`pooling` must be one of {sorted(POOLING_AXES)}. Received: pooling={pooling!r}"
            )
        if not isinstance(embd_shape, int) or embd_shape < 1:
            raise ValueError(
                f"`embd_shape` must be a positive int. Received: embd_shape={embd_shape}"
            )
        if not 0 <= dropout < 1:
            raise ValueError(f"`dropout` must be in [0, 1). Received: dropout={dropout}")
        if weight_decay < 0:
            raise ValueError(f"`weight_decay` must be >= 0. Received: weight_decay={weight_decay}")
        self.embd_shape = embd_shape
        self.dropout = float(dropout)
        self.weight_decay = float(weight_decay)
        self.seed = seed
        self.pooling = pooling
        policy = self.dtype_policy
        self.input_norm = keras.layers.BatchNormalization(dtype=policy, name="input_norm")
        self.input_dropout = keras.layers.Dropout(dropout, seed=seed, dtype=policy, name="dropout")
        self.flatten = keras.layers.Flatten(dtype=policy, name="flatten")
        self.dense = keras.layers.Dense(
            embd_shape,
            kernel_regularizer=keras.regularizers.L2(weight_decay) if weight_decay > 0 else None,
            dtype=policy,
            name="dense",
        )
        self.output_norm = keras.layers.BatchNormalization(dtype=policy, name="output_norm")

    def build(self, input_shape):
        self.input_norm.build(input_shape)
        flat_shape = self.flatten.compute_output_shape(self._pooled_shape(input_shape))
        self.dense.build(flat_shape)
        self.output_norm.build((input_shape[0], self.embd_shape))

    def call(self, inputs, training=None):
        x = self.input_norm(inputs, training=training)
        x = self.input_dropout(x, training=training)
        axes = POOLING_AXES[self.pooling]
        if axes and len(x.shape) == 4:
            x = ops.mean(x, axis=axes)
        x = self.dense(self.flatten(x))
        return self.output_norm(x, training=training)

    def _pooled_shape(self, input_shape):
        axes = POOLING_AXES[self.pooling]
        if not axes or len(input_shape) != 4:
            return tuple(input_shape)
        return tuple(d for i, d in enumerate(input_shape) if i not in axes)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.embd_shape)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "embd_shape": self.embd_shape,
                "dropout": self.dropout,
                "weight_decay": self.weight_decay,
                "seed": self.seed,
                "pooling": self.pooling,
            }
        )
        return config
