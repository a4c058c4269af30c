"""Test-time augmentation: fixed crops (and optionally flips) of each image.

The evaluation stack of `build_augmentation(..., training=False)` takes the single centre crop.
With test-time augmentation the caller embeds every view returned here and averages the
embeddings per image (the recipe's `evaluation.test_time_crops`). The views are deterministic,
so scores stay reproducible.
"""

import keras
from keras import ops

from lateral_keras.config.schema import CROP_POSITIONS
from lateral_keras.preprocessing.augment import as_augment_settings

TTA_POSITIONS = CROP_POSITIONS
"""Crop positions, in the order of the views (the config's ``evaluation.test_time_crops``)."""


def tta_views(images, settings_or_dict, *, positions=TTA_POSITIONS, flips=None):
    """Deterministic views of each image: crops at fixed positions, optionally mirrored.

    Args:
        images: float images `(batch, H, W, 3)` in the settings' value range (any size).
        settings_or_dict: `AugmentSettings` or a dict of its fields (`input_size`,
            `crop_margin` / `resize_to`, `random_flip`).
        positions: crop positions from `TTA_POSITIONS`, in the wanted order.
        flips: also add the horizontal mirror of every crop; default `random_flip` of the
            settings (mirrors are only sound if training used them).

    Returns:
        Tensor `(views, batch, h, w, 3)`: the crops in `positions` order, then (with flips)
        their mirrors in the same order. View 0 equals the evaluation stack's output.

    Example:
        >>> import numpy as np
        >>> views = tta_views(np.zeros((2, 75, 320, 3)), {"input_size": [64, 256]})
        >>> tuple(views.shape)
        (10, 2, 64, 256, 3)
    """
    settings = as_augment_settings(settings_or_dict)
    offsets = crop_offsets(settings.resize_hw, settings.input_size, positions)
    flips = settings.random_flip if flips is None else flips
    resized = keras.layers.Resizing(*settings.resize_hw)(ops.convert_to_tensor(images))
    height, width = settings.input_size
    crops = [resized[:, top : top + height, left : left + width, :] for top, left in offsets]
    if flips:
        crops += [ops.flip(crop, axis=2) for crop in crops]
    return ops.stack(crops, axis=0)


def crop_offsets(resize_hw, input_size, positions):
    """Top-left corners of the named crops of `input_size` from an image of `resize_hw`.

    The centre is where the evaluation stack's centre crop takes it (`(H - h) // 2`); the
    corners touch the image's edges.

    Args:
        resize_hw: `(H, W)` of the image.
        input_size: `(h, w)` of the crops, at most `resize_hw`.
        positions: names from `TTA_POSITIONS`, a non-empty sequence.

    Returns:
        List of `(top, left)` int pairs, in `positions` order.

    Raises:
        ValueError: an unknown or no position.

    Example:
        >>> crop_offsets((70, 282), (64, 256), ["centre", "bottom_right"])
        [(3, 13), (6, 26)]
    """
    unknown = [p for p in positions if p not in TTA_POSITIONS]
    if unknown or not positions:
        raise ValueError(
            f"`positions` must be a non-empty list of {TTA_POSITIONS}. Received: {positions!r}"
        )
    (big_h, big_w), (height, width) = resize_hw, input_size
    tops = {"centre": (big_h - height) // 2, "top": 0, "bottom": big_h - height}
    lefts = {"centre": (big_w - width) // 2, "left": 0, "right": big_w - width}
    offsets = []
    for position in positions:
        row, column = ("centre", "centre") if position == "centre" else position.split("_")
        offsets.append((tops[row], lefts[column]))
    return offsets
