"""``tf.data`` inputs of the stages, built from the config's preprocessing section."""

import numpy as np

from lateral_keras.config.schema import CENTRE_CROP


def augment_settings(config, seed=None):
    """The augmentation settings of ``config.preprocessing`` as the dict the stack takes."""
    pre = config.preprocessing
    aug = pre.augment
    return {
        "input_size": tuple(pre.input_size),
        "crop_margin": aug.crop_margin,
        "random_crop": aug.random_crop,
        "random_flip": aug.random_flip,
        "saturation": tuple(aug.saturation),
        "brightness": aug.brightness,
        "seed": config.seed if seed is None else seed,
    }


def roi_images(config, part):
    """Every ROI of ``part`` decoded once into memory (uint8, at the augmentation's resize size).

    Args:
        config: the run's ``Config``.
        part: a ``PartData``.

    Returns:
        uint8 ``tf.Tensor`` ``(len(part.records), h, w, 3)`` for ``image_dataset(images=...)``.
    """
    from lateral_keras.preprocessing.augment import as_augment_settings
    from lateral_keras.preprocessing.augment_pipeline import load_roi_images

    return load_roi_images(part.records, as_augment_settings(augment_settings(config)).resize_hw)


def image_dataset(config, part, *, training, batch_size, labels=True, seed=None, shuffle=None,
                  images=None):
    """Batches of ROI images of one split part (augmented when ``training``).

    Args:
        config: the run's ``Config``.
        part: a ``PartData``.
        training: augmentation stack (True) or the deterministic evaluation path (False).
        batch_size: images per batch.
        labels: yield ``(images, labels)`` (True) or images only.
        seed: augmentation and shuffle seed (default ``config.seed``).
        shuffle: shuffle the order (default: ``training``).
        images: the part's decoded ROIs (``roi_images``); None decodes them.

    Returns:
        A prefetched ``tf.data.Dataset``.
    """
    from lateral_keras.preprocessing import roi_tf_dataset

    return roi_tf_dataset(
        part.records, part.labels if labels else None, tuple(config.preprocessing.input_size),
        training, batch_size, config.seed if seed is None else seed,
        augmentation=augment_settings(config, seed), shuffle=shuffle, images=images,
    )


def embed(model, config, part, *, training=False, seed=None, images=None, crops=CENTRE_CROP):
    """Features of every image of ``part``, in record order.

    Args:
        model: image -> features model (the stage-one embedder, in inference mode).
        config: the run's ``Config``.
        part: a ``PartData``.
        training: apply the training augmentation (for extra views), else the evaluation path:
            fixed crops of the ROI resized as the evaluation stack resizes it.
        seed: augmentation seed of this view.
        images: the part's decoded ROIs (``roi_images``), to decode once for several views.
        crops: evaluation path only: crop positions (``TTA_POSITIONS``) whose features are
            averaged per image (the recipe's ``evaluation.test_time_crops``); the default, the
            centre alone, is the evaluation stack's centre crop.

    Returns:
        float32 array ``(len(part.records), d)``.

    Example:
        >>> embed(embedder, config, part, crops=["centre", "top_left"])  # doctest: +SKIP
    """
    if not training:
        return _mean_of_crops(model, config, part, list(crops), images)
    dataset = image_dataset(
        config, part, training=True, batch_size=config.evaluation.eval_batch_size,
        labels=False, seed=seed, shuffle=False, images=images,
    )
    return np.asarray(model.predict(dataset, verbose=0), dtype=np.float32)


def _mean_of_crops(model, config, part, crops, images):
    """``embed``'s evaluation path: every crop of a batch of ROIs in one ``predict`` batch."""
    import tensorflow as tf

    from lateral_keras.preprocessing.augment import as_augment_settings
    from lateral_keras.preprocessing.augment_tta import crop_offsets

    settings = as_augment_settings(augment_settings(config))
    offsets = crop_offsets(settings.resize_hw, settings.input_size, crops)
    height, width = settings.input_size
    images = roi_images(config, part) if images is None else images

    def views(batch):  # (b, H, W, 3) uint8 -> (b * views, h, w, 3) float32, image by image
        stacked = tf.stack([batch[:, top : top + height, left : left + width]
                            for top, left in offsets], axis=1)
        return tf.reshape(tf.cast(stacked, tf.float32), (-1, height, width, 3))

    per_batch = max(1, config.evaluation.eval_batch_size // len(crops))
    dataset = tf.data.Dataset.from_tensor_slices(images).batch(per_batch).map(views)
    features = np.asarray(model.predict(dataset.prefetch(1), verbose=0), dtype=np.float32)
    return features.reshape(len(part.records), len(crops), -1).mean(axis=1)


def embedding_views(model, config, part, views):
    """Features of ``part``'s images: the evaluation view, then ``views - 1`` augmented ones.

    The ROIs are decoded once; augmented view ``k`` uses seed ``config.seed + k``.

    Args:
        model: image -> features model (in inference mode).
        config: the run's ``Config``.
        part: a ``PartData``.
        views: number of views, ``>= 1``.

    Returns:
        ``(features (len(part.records) * views, d) float32, labels (same length,) int32)``,
        view after view.

    Example:
        >>> features, labels = embedding_views(embedder, config, train, 4)  # doctest: +SKIP
    """
    images = roi_images(config, part)
    features = [embed(model, config, part, images=images)]
    for view in range(1, views):
        features.append(embed(model, config, part, training=True, seed=config.seed + view,
                              images=images))
    return np.concatenate(features), np.tile(part.labels, views).astype(np.int32)
