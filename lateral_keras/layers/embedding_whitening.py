"""Fixed within-class whitening of embeddings (WCCN), appended to a trained embedder."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="lateral_keras")
class EmbeddingWhitening(keras.layers.Layer):
    """Unit-normalise, centre and whiten embeddings with a fixed (fitted) linear map.

    Computes `(x / ||x|| - mean) @ matrix`. Both weights are non-trainable: they are fitted
    once on training identities (`lateral_keras.training.whitening.within_class_whitening`)
    and set with `set_weights([mean, matrix])`. With the inverse square root of the
    within-class covariance as `matrix`, directions in which images of one identity vary
    (session drift, pose) are shrunk and cosine scores rely on the others.

    Args:
        **kwargs: base `keras.layers.Layer` arguments (the dtype defaults to float32).

    Call arguments:
        inputs: embeddings `(batch, dim)`.

    Returns:
        Whitened embeddings `(batch, dim)` (not unit-normalised).

    Example:
        >>> layer = EmbeddingWhitening()
        >>> layer.build((None, 4))
        >>> layer.set_weights([np.zeros(4), np.eye(4)])
        >>> tuple(layer(np.ones((2, 4))).shape)
        (2, 4)

    Reference:
        Hatch, Kajarekar and Stolcke, "Within-class covariance normalization for SVM-based
        speaker recognition", Interspeech 2006.
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("dtype", "float32")
        super().__init__(**kwargs)

    def build(self, input_shape):
        dim = input_shape[-1]
        if dim is None:
            raise ValueError(
                f"`EmbeddingWhitening` needs a known embedding size. Received: {input_shape}"
            )
        self.mean = self.add_weight(shape=(dim,), initializer="zeros", trainable=False,
                                    name="mean")
        self.matrix = self.add_weight(shape=(dim, dim), initializer="identity",
                                      trainable=False, name="matrix")

    def call(self, inputs):
        x = ops.cast(inputs, self.compute_dtype)
        norm = ops.sqrt(ops.maximum(ops.sum(ops.square(x), axis=-1, keepdims=True), 1e-12))
        return ops.matmul(x / norm - self.mean, self.matrix)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)
