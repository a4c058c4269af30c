"""A callback that shows sample augmented training ROIs in TensorBoard."""

import keras


class SampleImages(keras.callbacks.Callback):
    """Writes one batch of augmented inputs as TensorBoard images when training starts.

    Args:
        log_dir: the stage's TensorBoard folder.
        dataset: the training ``tf.data.Dataset`` of ``((images, labels), labels)`` or
            ``(images, labels)``.
        max_images: how many images to show.
    """

    def __init__(self, log_dir, dataset, max_images=8):
        super().__init__()
        self.log_dir = log_dir
        self.dataset = dataset
        self.max_images = max_images

    def on_train_begin(self, logs=None):
        import tensorflow as tf

        inputs, _ = next(iter(self.dataset.take(1)))
        images = inputs[0] if isinstance(inputs, (tuple, list)) else inputs
        writer = tf.summary.create_file_writer(self.log_dir + "/samples")
        with writer.as_default():
            tf.summary.image("augmented_rois", tf.cast(images, tf.float32) / 255.0, step=0,
                             max_outputs=self.max_images)
        writer.close()
