"""`roi_tf_dataset`: cached ROI PNGs -> an augmented, batched `tf.data.Dataset`."""

import dataclasses

import keras

from lateral_keras.preprocessing.augment import as_augment_settings, build_augmentation


def roi_tf_dataset(
    records,
    labels,
    input_size=None,
    training=False,
    batch_size=32,
    seed=None,
    *,
    augmentation=None,
    shuffle=None,
):
    """Decodes cached ROIs, applies the augmentation (training) or evaluation stack, batches.

    Each image goes through the stack on its own, so every image gets its own random crop,
    flip, saturation and brightness. Images are float32 in [0, 255] (the stack's value range).

    With `training=True` the stack holds our `RandomCrop` and `RandomSaturation`, which run in
    `tf.data` on the TensorFlow backend only; on another backend build the dataset with
    `training=False` and put `build_augmentation(..., training=True)` at the front of the model
    (it then receives centre crops of `input_size`; for random crops with room to move, give
    this function `input_size=AugmentSettings.resize_hw` and `crop_margin=0`).

    Args:
        records: `CachedRoi` records (`load_roi_cache`) or ROI PNG paths.
        labels: one int label per record, or None for an image-only dataset.
        input_size: output `(h, w)` or int; overrides `augmentation`'s `input_size`.
        training: True: shuffle and augment; False: deterministic resize + centre crop.
        batch_size: images per batch (the last batch may be smaller).
        seed: seeds the shuffle and the augmentation layers (overrides `augmentation`'s seed).
        augmentation: `AugmentSettings` or dict of its fields; None for the defaults.
        shuffle: shuffle the order (default: `training`).

    Returns:
        `tf.data.Dataset` of `images` `(batch, h, w, 3)` float32, or `(images, labels)` with int32
        labels, prefetched.

    Example:
        >>> records = load_roi_cache("cache/fish")  # doctest: +SKIP
        >>> labels = [names.index(r.identity) for r in records]  # doctest: +SKIP
        >>> ds = roi_tf_dataset(records, labels, 112, True, 64, seed=0)  # doctest: +SKIP
    """
    import tensorflow as tf

    settings = as_augment_settings({} if augmentation is None else augmentation)
    overrides = {"input_size": input_size, "seed": seed}
    settings = dataclasses.replace(
        settings, **{name: value for name, value in overrides.items() if value is not None}
    )
    if training and keras.backend.backend() != "tensorflow":
        raise RuntimeError(
            "roi_tf_dataset(training=True) augments inside tf.data, which needs the TensorFlow "
            f"backend. Received: backend={keras.backend.backend()!r}. Use training=False here and "
            "put build_augmentation(settings, training=True) at the front of the model."
        )
    paths = [getattr(record, "roi_path", record) for record in records]
    if labels is not None and len(labels) != len(paths):
        raise ValueError(
            f"`labels` must have one label per record. Received: {len(labels)} labels "
            f"for {len(paths)} records"
        )
    stack = build_augmentation(settings, training=training)

    def load(path):
        image = tf.io.decode_png(tf.io.read_file(path), channels=3)
        image = tf.cast(image, tf.float32)
        return stack(image[None], training=training)[0]

    if labels is None:
        dataset = tf.data.Dataset.from_tensor_slices(paths)
    else:
        dataset = tf.data.Dataset.from_tensor_slices((paths, tf.constant(labels, tf.int32)))
    if training if shuffle is None else shuffle:
        dataset = dataset.shuffle(len(paths), seed=settings.seed, reshuffle_each_iteration=True)
    if labels is None:
        dataset = dataset.map(load, num_parallel_calls=tf.data.AUTOTUNE)
    else:
        dataset = dataset.map(lambda p, y: (load(p), y), num_parallel_calls=tf.data.AUTOTUNE)
    return dataset.batch(batch_size).prefetch(tf.data.AUTOTUNE)
