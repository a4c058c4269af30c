"""Test-time augmentation (an option, never the default): fixed crops and flips of each image.

Evaluation normally uses the single deterministic centre crop of `build_augmentation(...,
training=False)`. With test-time augmentation the caller embeds every view returned here and
averages the embeddings per image. The views are deterministic, so scores stay reproducible.
"""

import keras
from keras import ops

from lateral_keras.preprocessing.augment import as_augment_settings

TTA_POSITIONS = ("centre", "top_left", "top_right", "bottom_left", "bottom_right")
"""Crop positions, in the order of the views."""


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
    unknown = [p for p in positions if p not in TTA_POSITIONS]
    if unknown or not positions:
        raise ValueError(
            f"`positions` must be a non-empty list of {TTA_POSITIONS}. Received: {positions!r}"
        )
    flips = settings.random_flip if flips is None else flips
    resized = keras.layers.Resizing(*settings.resize_hw)(ops.convert_to_tensor(images))
    (big_h, big_w), (height, width) = settings.resize_hw, settings.input_size
    tops = {"centre": (big_h - height) // 2, "top": 0, "bottom": big_h - height}
    lefts = {"centre": (big_w - width) // 2, "left": 0, "right": big_w - width}
    crops = []
    for position in positions:
        row, column = ("centre", "centre") if position == "centre" else position.split("_")
        top, left = tops[row], lefts[column]
        crops.append(resized[:, top : top + height, left : left + width, :])
    if flips:
        crops += [ops.flip(crop, axis=2) for crop in crops]
    return ops.stack(crops, axis=0)
