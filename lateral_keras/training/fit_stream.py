"""Options for a training stream that one iterator reads for a whole ``fit``."""


def without_autotune_thread(dataset):
    """The dataset with tf.data's autotuning (and so its background model thread) turned off.

    ``fit`` with ``steps_per_epoch`` keeps one iterator for the whole run and deletes it, not
    exhausted, when training ends. With autotuning on, that deletion can wait for the
    iterator's model thread, which on TensorFlow 2.21 first sleeps out its optimisation period
    (it doubles from 10 ms up to 60 s). On a 2-core machine ``fit`` returned 9-19 s after its
    last epoch on stage two's P x K stream, and up to 5 s on a toy model's. Without autotuning
    ``prefetch(AUTOTUNE)`` still grows its buffer as needed and ``num_parallel_calls=AUTOTUNE``
    uses one call per core. Stage one's stream keeps autotuning, since without it its pipeline
    ran 4-5 % slower; its ``fit`` returned at once in most runs timed, and about 48 s late in
    one of eight (docs/timing.md).

    Args:
        dataset: a ``tf.data.Dataset``.

    Returns:
        The same pipeline with ``options().autotune.enabled`` False.

    Example:
        >>> stream = without_autotune_thread(dataset.repeat())  # doctest: +SKIP
        >>> model.fit(stream, steps_per_epoch=100, epochs=8)  # doctest: +SKIP
    """
    import tensorflow as tf

    options = tf.data.Options()
    options.autotune.enabled = False
    return dataset.with_options(options)
