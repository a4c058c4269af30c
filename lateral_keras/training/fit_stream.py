"""Options for a training stream that one iterator reads for a whole ``fit``."""


def without_autotune_thread(dataset):
    """The dataset with tf.data's autotuning (and so its background model thread) turned off.

    ``fit`` with ``steps_per_epoch`` keeps one iterator for the whole run and deletes it, not
    exhausted, when training ends. With autotuning on, that deletion can wait for the
    iterator's model thread, which on TensorFlow 2.21 first sleeps out its optimisation period
    (it doubles from 10 ms up to 60 s). On a 2-core machine ``fit`` returned 9-19 s after its
    last epoch on stage two's P x K stream, up to 5 s on a toy model's, and 0-48 s on stage
    one's (docs/timing.md). Without autotuning ``prefetch(AUTOTUNE)`` still grows its buffer as
    needed and ``num_parallel_calls=AUTOTUNE`` uses one call per core, but no prefetch is
    injected after the last ``map``: stage one's stream, which ran 4-5 % slower without
    autotuning, ends in its own ``prefetch`` and matches the autotuned speed.

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
