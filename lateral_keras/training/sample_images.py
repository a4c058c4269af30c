"""A callback that shows sample augmented training ROIs in TensorBoard."""

import keras


class SampleImages(keras.callbacks.Callback):
    """Writes one batch of augmented inputs as TensorBoard images when training starts.

    The batch comes from a pipeline of its own, built by ``make_dataset``, not from the one
    ``fit`` trains on: every iterator of a dataset shares its Keras seed generators, so a
    second, prefetching iterator would advance the training stream's random draws by however
    many batches it ran ahead before it was deleted, and a seeded run would not repeat.

    Args:
        log_dir: the stage's TensorBoard folder.
        make_dataset: a function of no arguments that builds a fresh training
            ``tf.data.Dataset`` of ``((images, labels), labels)`` or ``(images, labels)``.
        max_images: how many images to show.

    Example:
        >>> fresh = lambda: stage_one_stream(config, train)  # doctest: +SKIP
        >>> callbacks.append(SampleImages("runs/x/logs/stage_one", fresh))  # doctest: +SKIP
    """

    def __init__(self, log_dir, make_dataset, max_images=8):
        super().__init__()
        self.log_dir = log_dir
        self.make_dataset = make_dataset
        self.max_images = max_images

    def on_train_begin(self, logs=None):
        import tensorflow as tf

        inputs, _ = next(iter(self.make_dataset().take(1)))
        images = inputs[0] if isinstance(inputs, (tuple, list)) else inputs
        writer = tf.summary.create_file_writer(self.log_dir + "/samples")
        with writer.as_default():
            tf.summary.image("augmented_rois", tf.cast(images, tf.float32) / 255.0, step=0,
                             max_outputs=self.max_images)
        writer.close()
