"""The `caffe` input scaling of keras.applications, as a serializable layer."""

import keras

# ImageNet channel means in BGR order, as in `keras.applications.imagenet_utils`.
_BGR_MEAN = (103.939, 116.779, 123.68)


@keras.saving.register_keras_serializable(package="lateral_keras")
class CaffePreprocessing(keras.layers.Layer):
    """RGB in [0, 255] -> BGR minus the ImageNet channel means (`mode="caffe"`).

    The same arithmetic as `keras.applications.resnet50.preprocess_input` and
    `keras.applications.vgg16.preprocess_input`, done with `keras.ops` inside
    the model so that callers always feed raw [0, 255] pixels. It has no weights.

    Args:
        **kwargs: base `keras.layers.Layer` arguments.

    Call arguments:
        inputs: RGB images `(batch, height, width, 3)` in [0, 255].

    Returns:
        BGR images of the same shape, each channel minus its ImageNet mean.

    Example:
        >>> CaffePreprocessing()(np.full((1, 2, 2, 3), 255.0))[0, 0, 0]
        [151.061, 138.221, 131.32]
    """

    def call(self, inputs):
        bgr = keras.ops.flip(inputs, axis=-1)
        mean = keras.ops.convert_to_tensor(_BGR_MEAN, dtype=bgr.dtype)
        return bgr - mean

    def compute_output_shape(self, input_shape):
        return input_shape
