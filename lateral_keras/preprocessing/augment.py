"""The augmentation stack: resize, crop, flip, saturation, brightness (SPEC section 2).

Training: resize to `resize_to`, random crop to `input_size`, random horizontal flip, random
saturation, random brightness. Evaluation: resize and centre crop only, so it is deterministic.
Flip, brightness and resize reuse Keras's layers (`RandomFlip("horizontal")`,
`RandomBrightness(factor, value_range)` whose delta is `factor * (high - low)`, `Resizing`,
`CenterCrop`); crop and saturation are ours (`augment_crop`, `augment_saturation`) because the
Keras versions do not do the right thing (see those modules).

The original added +-0.4 brightness to 0-255 pixels (a no-op); here `brightness` is a fraction of
the value range: 0.2 means a delta of up to +-0.2 * 255 on [0, 255] images, then clipped.
"""

import dataclasses
import numbers
from collections.abc import Mapping

import keras

from lateral_keras.preprocessing.augment_crop import RandomCrop
from lateral_keras.preprocessing.augment_saturation import RandomSaturation


def _size_pair(name, value):
    """Returns `value` (an int or an (h, w) pair of positive ints) as an `(h, w)` tuple."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        value = (value, value)
    if (
        not isinstance(value, (tuple, list))
        or len(value) != 2
        or not all(isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in value)
        or min(value) < 1
    ):
        raise ValueError(f"`{name}` must be a positive int or an (h, w) pair. Received: {value!r}")
    return (int(value[0]), int(value[1]))


@dataclasses.dataclass(frozen=True)
class AugmentSettings:
    """Settings of the augmentation stack; `from_dict` builds it from a config section.

    Args:
        input_size: network input `(h, w)`, or an int for a square (the original: 112).
        crop_margin: enlargement before cropping, as a share of `input_size` (each side is
            resized to `round(side * (1 + crop_margin))`), so training crops have room to move;
            the original resized to 128 for 112 crops (0.143). Ignored when `resize_to` is given.
        resize_to: explicit `(h, w)` resize before cropping, at least `input_size`.
        random_crop: random crop when training (else centre crop).
        random_flip: random horizontal flip when training. Only sound if left and right of the ROI
            carry no identity (our ROIs are direction-normalised, head on the left, so a flip makes
            a view never seen at test time; kept on by default as in the original).
        saturation: `(low, high)` saturation multipliers, or None for none.
        brightness: maximum brightness delta as a fraction of the value range; 0 for none.
        value_range: `(low, high)` of the pixel values, default `(0, 255)`.
        seed: int or None; layer `i` of the stack gets `seed + i`.

    Example:
        >>> AugmentSettings.from_dict({"input_size": [64, 256], "brightness": 0.1}).resize_hw
        (70, 282)
    """

    input_size: tuple = (64, 256)
    crop_margin: float = 0.1
    resize_to: tuple | None = None
    random_crop: bool = True
    random_flip: bool = True
    saturation: tuple | None = (0.7, 1.3)
    brightness: float = 0.15
    value_range: tuple = (0.0, 255.0)
    seed: int | None = None

    def __post_init__(self):
        set_ = object.__setattr__
        set_(self, "input_size", _size_pair("input_size", self.input_size))
        if self.resize_to is not None:
            set_(self, "resize_to", _size_pair("resize_to", self.resize_to))
            if min(a - b for a, b in zip(self.resize_to, self.input_size)) < 0:
                raise ValueError(
                    f"`resize_to` must be at least `input_size`. Received: "
                    f"resize_to={self.resize_to}, input_size={self.input_size}"
                )
        if not isinstance(self.crop_margin, numbers.Real) or not 0 <= self.crop_margin <= 1:
            raise ValueError(
                "`crop_margin` must be a share of the input size in [0, 1]. "
                f"Received: crop_margin={self.crop_margin!r}"
            )
        if not isinstance(self.brightness, numbers.Real) or not 0 <= self.brightness <= 1:
            raise ValueError(
                "`brightness` must be a fraction of the value range in [0, 1]. "
                f"Received: brightness={self.brightness!r}"
            )
        if self.saturation is not None:
            set_(self, "saturation", tuple(float(f) for f in self.saturation))
        set_(self, "value_range", tuple(float(v) for v in self.value_range))

    @classmethod
    def from_dict(cls, config):
        """Builds settings from a mapping; unknown keys raise `ValueError` naming them."""
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(config) - known)
        if unknown:
            raise ValueError(
                f"Unknown augmentation setting(s) {unknown}; expected some of {sorted(known)}."
            )
        return cls(**dict(config))

    @property
    def resize_hw(self):
        """The `(h, w)` the images are resized to before cropping."""
        if self.resize_to is not None:
            return self.resize_to
        return tuple(round(side * (1 + self.crop_margin)) for side in self.input_size)


def as_augment_settings(settings_or_dict):
    """Returns `settings_or_dict` (an `AugmentSettings` or a dict of its fields) as settings."""
    if isinstance(settings_or_dict, AugmentSettings):
        return settings_or_dict
    if isinstance(settings_or_dict, Mapping):
        return AugmentSettings.from_dict(settings_or_dict)
    raise TypeError(
        "Expected an AugmentSettings or a dict of augmentation settings. "
        f"Received: {type(settings_or_dict).__name__}"
    )


def build_augmentation(settings_or_dict, training, *, resize=True):
    """Builds the augmentation (`training=True`) or evaluation (`training=False`) stack.

    Every random layer draws its parameters per image, so the stack can augment whole batches
    (one crop offset, flip, saturation factor and brightness delta per image).

    Args:
        settings_or_dict: `AugmentSettings` or a dict of its fields (e.g. the config's
            `augmentation` section).
        training: True for the random training stack; False for the deterministic evaluation
            stack (resize + centre crop).
        resize: start with the resize to `resize_hw`; False when the inputs already have that
            size (as in `roi_tf_dataset`, which resizes each ROI once when loading it).

    Returns:
        `keras.Sequential` mapping float images `(h, w, 3)` or `(batch, h, w, 3)` in
        `value_range` (any input size) to `(..., input_h, input_w, 3)`. The random layers act when
        the stack is called with `training=True` (their default when called directly, as in
        `tf.data`); inside a model they follow the model's training flag.

    Example:
        >>> import numpy as np
        >>> stack = build_augmentation({"input_size": [64, 256], "seed": 1}, training=True)
        >>> tuple(stack(np.zeros((4, 75, 320, 3)), training=True).shape)
        (4, 64, 256, 3)
    """
    s = as_augment_settings(settings_or_dict)
    seed = (lambda i: None) if s.seed is None else (lambda i: s.seed + i)
    height, width = s.input_size
    layers = [keras.layers.Resizing(*s.resize_hw, name="resize")] if resize else []
    if training and s.random_crop:
        layers.append(RandomCrop(height, width, seed=seed(0), name="random_crop"))
    else:
        layers.append(keras.layers.CenterCrop(height, width, name="centre_crop"))
    if training and s.random_flip:
        layers.append(keras.layers.RandomFlip("horizontal", seed=seed(1), name="random_flip"))
    if training and s.saturation is not None:
        layers.append(
            RandomSaturation(s.saturation, s.value_range, seed=seed(2), name="random_saturation")
        )
    if training and s.brightness > 0:
        layers.append(
            keras.layers.RandomBrightness(
                s.brightness, value_range=s.value_range, seed=seed(3), name="random_brightness"
            )
        )
    name = "augmentation" if training else "evaluation_crop"
    return keras.Sequential(layers, name=name)
