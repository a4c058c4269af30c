"""Arc-triplet loss: triplet mining on angles, scored by two logistic margin terms.

With `theta` the angle from the true cosine (`lateral_keras.distances.pairwise_angle`), margin `m`,
scale `S` and `sigma` the logistic function, a positive angle `theta_p` and a negative angle
`theta_n` contribute

    S * [ sigma(cos(theta_n + m) - sin(theta_n)) + sigma(sin(theta_p + m) - cos(theta_p)) ]

(+ `theta_p` when `add_positive_angle`). The first term falls as the negative opens up, the
second rises with the positive angle, so minimising pushes negatives apart and pulls positives
together.

- `batch_hard`: per anchor, `theta_p` = its largest positive angle and `theta_n` = its smallest
  negative angle. Anchors without a positive or a negative get 0 and still count in the
  `"sum_over_batch_size"` denominator (as in `lateral_keras.losses.triplet`, which says how to
  average over valid anchors only).
- `batch_all`: the same terms for every valid triplet `(a, p, n)`, averaged over those triplets (a
  mean, so the scale does not depend on the batch size), broadcast to every anchor;
  `"sum_over_batch_size"` returns it unchanged and a `sample_weight` scales it by the mean weight.

Example:

```python
import numpy as np
from lateral_keras.losses import ArcTripletLoss

labels = np.repeat(np.arange(4), 2)
codes = np.random.default_rng(0).uniform(0, 3, size=(8, 16)).astype("float32")
ArcTripletLoss(mining="batch_hard", margin=0.1)(labels, codes)  # scalar
```

Reference:
- Deng, Guo, Xue, Zafeiriou, "ArcFace: Additive Angular Margin Loss for Deep Face Recognition",
  CVPR 2019 (the additive angular margin).
"""

import keras
from keras import ops

from lateral_keras import distances
from lateral_keras.losses import pairs

MININGS = ("batch_hard", "batch_all")


def _check_arguments(mining, margin, scale):
    if mining not in MININGS:
        raise ValueError(f"`mining` must be one of {MININGS}. Received: mining={mining}")
    if not margin >= 0:
        raise ValueError(f"`margin` must be a non-negative float. Received: margin={margin}")
    if not scale > 0:
        raise ValueError(f"`scale` must be positive. Received: scale={scale}")


def _negative_term(theta_n, margin):
    return ops.sigmoid(ops.cos(theta_n + margin) - ops.sin(theta_n))


def _positive_term(theta_p, margin):
    return ops.sigmoid(ops.sin(theta_p + margin) - ops.cos(theta_p))


def arc_triplet_loss(
    y_true, y_pred, mining="batch_hard", margin=0.0, scale=32.0, add_positive_angle=False
):
    """Arc-triplet loss with `batch_hard` or `batch_all` mining (formula in the module docstring).

    Args:
        y_true: integer labels, shape `(batch,)` or `(batch, 1)`.
        y_pred: float embeddings or soft codes, shape `(batch, d)`.
        mining: `"batch_hard"` or `"batch_all"`.
        margin: non-negative float, the angular margin `m` in radians (`triplet_margin`).
        scale: positive float `S`.
        add_positive_angle: bool, add the positive angle `theta_p` (not scaled by `S`).

    Returns:
        Float tensor `(batch,)`: per-anchor values (`batch_hard`, 0 at anchors lacking a positive
        or a negative) or the batch value broadcast (`batch_all`).

    Example:

    >>> arc_triplet_loss([0, 0, 1], [[1.0, 0.0], [1.0, 0.1], [0.0, 1.0]], scale=1.0)
    """
    _check_arguments(mining, margin, scale)
    theta = distances.pairwise_angle(y_pred)
    positive, negative = pairs.pair_masks(y_true)
    if mining == "batch_hard":
        theta_p = ops.max(ops.where(positive, theta, ops.zeros_like(theta)), axis=1)
        theta_n = ops.min(ops.where(negative, theta, ops.ones_like(theta) * ops.max(theta)), axis=1)
        values = scale * (_negative_term(theta_n, margin) + _positive_term(theta_p, margin))
        if add_positive_angle:
            values = values + theta_p
        valid = pairs.anchor_mask(positive, negative)
        return ops.where(valid, values, ops.zeros_like(values))
    theta_p = ops.expand_dims(theta, 2)
    theta_n = ops.expand_dims(theta, 1)
    triplets = scale * (_negative_term(theta_n, margin) + _positive_term(theta_p, margin))
    if add_positive_angle:
        triplets = triplets + theta_p
    valid = pairs.triplet_mask(y_true)
    total = ops.sum(ops.where(valid, triplets, ops.zeros_like(triplets)))
    value = ops.divide_no_nan(total, ops.sum(ops.cast(valid, theta.dtype)))
    return ops.ones_like(theta[:, 0]) * value


@keras.saving.register_keras_serializable(package="lateral_keras")
class ArcTripletLoss(keras.losses.Loss):
    """Arc-triplet loss over a P x K batch (see `arc_triplet_loss`).

    Args:
        mining: `"batch_hard"` or `"batch_all"`.
        margin: non-negative float, the angular margin `m` (`triplet_margin`). Defaults to `0.0`,
            the original configuration's value.
        scale: positive float `S`. Defaults to `32.0`.
        add_positive_angle: bool, add the positive angle term. Defaults to `False`.
        reduction: Keras reduction. Defaults to `"sum_over_batch_size"`.
        name: optional name.
        dtype: computation dtype; defaults to `keras.config.floatx()`.

    Call arguments:
        y_true: integer labels `(batch,)` or `(batch, 1)`.
        y_pred: embeddings or soft codes `(batch, d)`.
        sample_weight: optional per-anchor weights `(batch,)`.

    Returns:
        The reduced loss (a scalar), or `(batch,)` values for `reduction="none"`.

    Example:

    ```python
    model.compile(optimizer="adam", loss=ArcTripletLoss(mining="batch_hard", margin=0.1))
    ```

    Reference:
    - Deng et al., "ArcFace", CVPR 2019.
    """

    def __init__(
        self,
        mining="batch_hard",
        margin=0.0,
        scale=32.0,
        add_positive_angle=False,
        reduction="sum_over_batch_size",
        name="arc_triplet_loss",
        dtype=None,
    ):
        _check_arguments(mining, margin, scale)
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.mining = mining
        self.margin = margin
        self.scale = scale
        self.add_positive_angle = add_positive_angle

    def call(self, y_true, y_pred):
        return arc_triplet_loss(
            y_true,
            y_pred,
            mining=self.mining,
            margin=self.margin,
            scale=self.scale,
            add_positive_angle=self.add_positive_angle,
        )

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "mining": self.mining,
                "margin": self.margin,
                "scale": self.scale,
                "add_positive_angle": self.add_positive_angle,
            }
        )
        return config
