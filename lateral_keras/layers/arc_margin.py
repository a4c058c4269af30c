"""Additive angular margin logits (ArcFace, with SphereFace and CosFace margins)."""

import math

import keras
from keras import ops


def _unit(x, axis):
    """Scale ``x`` to unit L2 norm along ``axis`` (zero vectors stay zero)."""
    return x / ops.sqrt(ops.maximum(ops.sum(ops.square(x), axis=axis, keepdims=True), 1e-12))


@keras.saving.register_keras_serializable(package="lateral_keras")
class ArcMargin(keras.layers.Layer):
    """Margin logits from embeddings and class labels (ArcHead of SPEC section 3).

    Embeddings ``e`` and class weight columns ``W_j`` are unit-normalised and
    ``c_j = cos(theta_j) = e . W_j``. For the true class ``y`` the logit uses
    ``phi = cos(margin1 * theta_y + margin) - margin3``:

    - plain ArcFace (``margin1 == 1``): ``cos(theta_y + margin)`` is computed as
      ``c_y cos(margin) - sin_y sin(margin)`` with
      ``sin_y = sqrt(max(1 - c_y^2, epsilon))``, so gradients stay finite at
      ``|c_y| = 1``;
    - ``margin1 != 1`` (SphereFace): ``theta_y = arccos(clip(c_y, -1 + epsilon,
      1 - epsilon))``.

    The angular part (``margin1``, ``margin``) only applies where it keeps the
    logit monotone in ``theta_y``; ``margin3`` (CosFace) always applies:

    - ``easy_margin=True``: where ``c_y <= 0``, ``phi = c_y - margin3``;
    - ``easy_margin=False`` (InsightFace): where ``c_y <= cos(pi - margin)``,
      ``phi = c_y - margin * sin(margin) - margin3``.

    Logits are ``scale * phi`` for the true class and ``scale * c_j`` otherwise.
    Without labels (inference) the layer returns ``scale * c``.

    Args:
        num_classes: number of identities, `int >= 1`.
        scale: logit scale `s`, `> 0`. Defaults to 64.
        margin: additive angular margin `m2` in radians, `>= 0`. Defaults to 0.5.
        margin1: multiplicative angular margin `m1` (SphereFace), `> 0`. Defaults to 1.
        margin3: additive cosine margin `m3` (CosFace), `>= 0`. Defaults to 0.
        easy_margin: use the easy-margin rule above instead of InsightFace's.
        epsilon: floor under `1 - c^2` and clip distance from `+-1`, in `(0, 0.1)`.
        kernel_initializer: initializer of the `(embedding_dim, num_classes)` kernel.
        kernel_regularizer: optional regularizer of the kernel.
        **kwargs: base `keras.layers.Layer` arguments.

    Call arguments:
        inputs: embeddings `(batch, embedding_dim)`, or a list `[embeddings, labels]`.
        labels: optional int class indices `(batch,)` or `(batch, 1)`.

    Returns:
        Logits `(batch, num_classes)`.

    Example:
        >>> layer = ArcMargin(num_classes=10)
        >>> logits = layer(np.random.rand(4, 32), labels=np.array([0, 1, 2, 3]))
        >>> tuple(logits.shape)
        (4, 10)

    Reference:
        Deng et al., "ArcFace: Additive Angular Margin Loss for Deep Face
        Recognition", CVPR 2019.
    """

    def __init__(
        self,
        num_classes,
        scale=64.0,
        margin=0.5,
        margin1=1.0,
        margin3=0.0,
        easy_margin=False,
        epsilon=1e-7,
        kernel_initializer="glorot_uniform",
        kernel_regularizer=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if not isinstance(num_classes, int) or num_classes < 1:
            raise ValueError(
                f"`num_classes` must be a positive int. Received: num_classes={num_classes}"
            )
        if scale <= 0:
            raise ValueError(f"`scale` must be > 0. Received: scale={scale}")
        if margin < 0:
            raise ValueError(f"`margin` must be >= 0. Received: margin={margin}")
        if margin1 <= 0:
            raise ValueError(f"`margin1` must be > 0. Received: margin1={margin1}")
        if margin3 < 0:
            raise ValueError(f"`margin3` must be >= 0. Received: margin3={margin3}")
        if not 0 < epsilon < 0.1:
            raise ValueError(f"`epsilon` must be in (0, 0.1). Received: epsilon={epsilon}")
        self.num_classes = num_classes
        self.scale = float(scale)
        self.margin = float(margin)
        self.margin1 = float(margin1)
        self.margin3 = float(margin3)
        self.easy_margin = bool(easy_margin)
        self.epsilon = float(epsilon)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.kernel_regularizer = keras.regularizers.get(kernel_regularizer)

    def build(self, input_shape):
        if isinstance(input_shape, (list, tuple)) and isinstance(input_shape[0], (list, tuple)):
            input_shape = input_shape[0]
        self.kernel = self.add_weight(
            name="kernel",
            shape=(input_shape[-1], self.num_classes),
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
        )

    def _normalized_cosines(self, embeddings):
        kernel = ops.cast(self.kernel, embeddings.dtype)
        return ops.matmul(_unit(embeddings, axis=-1), _unit(kernel, axis=0))

    def _true_class_phi(self, cos_y):
        if self.margin1 == 1.0:
            sin_y = ops.sqrt(ops.maximum(1.0 - ops.square(cos_y), self.epsilon))
            phi = cos_y * math.cos(self.margin) - sin_y * math.sin(self.margin)
        else:
            theta = ops.arccos(ops.clip(cos_y, -1.0 + self.epsilon, 1.0 - self.epsilon))
            phi = ops.cos(self.margin1 * theta + self.margin)
        if self.easy_margin:
            phi = ops.where(cos_y > 0.0, phi, cos_y)
        else:
            threshold = math.cos(math.pi - self.margin)
            phi = ops.where(cos_y > threshold, phi, cos_y - self.margin * math.sin(self.margin))
        return phi - self.margin3

    def call(self, inputs, labels=None):
        if isinstance(inputs, (list, tuple)):
            if len(inputs) != 2 or labels is not None:
                raise ValueError(
                    "Pass either `[embeddings, labels]` or `embeddings, labels=...`. "
                    f"Received: inputs of length {len(inputs)}"
                )
            inputs, labels = inputs
        cosines = self._normalized_cosines(inputs)
        if labels is None:
            return self.scale * cosines
        labels = ops.reshape(ops.cast(labels, "int32"), (-1,))
        one_hot = ops.one_hot(labels, self.num_classes, dtype=cosines.dtype)
        cos_y = ops.sum(cosines * one_hot, axis=-1, keepdims=True)
        phi = self._true_class_phi(cos_y)
        return self.scale * (one_hot * phi + (1.0 - one_hot) * cosines)

    def compute_output_shape(self, input_shape):
        if isinstance(input_shape, (list, tuple)) and isinstance(input_shape[0], (list, tuple)):
            input_shape = input_shape[0]
        return (input_shape[0], self.num_classes)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "num_classes": self.num_classes,
                "scale": self.scale,
                "margin": self.margin,
                "margin1": self.margin1,
                "margin3": self.margin3,
                "easy_margin": self.easy_margin,
                "epsilon": self.epsilon,
                "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
                "kernel_regularizer": keras.regularizers.serialize(self.kernel_regularizer),
            }
        )
        return config
