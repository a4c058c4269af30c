"""Plain softmax classification head."""

import keras


@keras.saving.register_keras_serializable(package="lateral_keras")
class NormHead(keras.layers.Layer):
    """Dense classification head returning logits (NormHead of SPEC section 3).

    The softmax cross-entropy belongs to the loss (use `from_logits=True`).

    Args:
        num_classes: number of identities, `int >= 1`.
        weight_decay: L2 factor on the kernel, `>= 0` (0 disables it). Defaults to 5e-4.
        kernel_initializer: initializer of the `(embedding_dim, num_classes)` kernel.
        **kwargs: base `keras.layers.Layer` arguments.

    Call arguments:
        inputs: embeddings `(batch, embedding_dim)`.

    Returns:
        Logits `(batch, num_classes)`.

    Example:
        >>> head = NormHead(num_classes=10)
        >>> tuple(head(np.random.rand(4, 32)).shape)
        (4, 10)

    Reference:
        Deng et al., "ArcFace: Additive Angular Margin Loss for Deep Face
        Recognition", CVPR 2019 (the softmax baseline).
    """

    def __init__(
        self, num_classes, weight_decay=5e-4, kernel_initializer="glorot_uniform", **kwargs
    ):
        super().__init__(**kwargs)
        if not isinstance(num_classes, int) or num_classes < 1:
            raise ValueError(
                f"`num_classes` must be a positive int. Received: num_classes={num_classes}"
            )
        if weight_decay < 0:
            raise ValueError(f"`weight_decay` must be >= 0. Received: weight_decay={weight_decay}")
        self.num_classes = num_classes
        self.weight_decay = float(weight_decay)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.dense = keras.layers.Dense(
            num_classes,
            kernel_initializer=self.kernel_initializer,
            kernel_regularizer=keras.regularizers.L2(weight_decay) if weight_decay > 0 else None,
            dtype=self.dtype_policy,
            name="dense",
        )

    def build(self, input_shape):
        self.dense.build(input_shape)

    def call(self, inputs):
        return self.dense(inputs)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.num_classes)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "num_classes": self.num_classes,
                "weight_decay": self.weight_decay,
                "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
            }
        )
        return config
