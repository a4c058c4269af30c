"""Triplet loss with online mining: batch-hard, batch-all and semi-hard.

All three functions take integer labels `(batch,)` (or `(batch, 1)`) and embeddings or soft codes
`(batch, d)` and return one value per anchor, shape `(batch,)`, so the Keras reductions and
`sample_weight` apply.

- `batch_hard` and `semi_hard`: anchors without a positive or without a negative get the value 0
  (they cannot form a triplet). They still count in the denominator of `"sum_over_batch_size"`,
  which is `sum_a(w_a * l_a) / batch`; `"sum"` is `sum_a(w_a * l_a)` and `"none"` returns the
  per-anchor values. In a P x K batch with P, K >= 2 every anchor is valid and this is the plain
  mean over anchors. To average over valid anchors only, pass
  `sample_weight = anchor_mask(*pair_masks(labels))` (times any own weights) with
  `reduction="mean_with_sample_weight"`.
- `batch_all` is a batch-level quantity (a mean over triplets); its value is broadcast to every
  anchor, so `"sum_over_batch_size"` returns it unchanged, `"sum"` returns `batch *` it and a
  `sample_weight` scales it by the mean weight (it does not re-weight triplets).

Example:

```python
import numpy as np
from lateral_keras.losses import TripletLoss

labels = np.repeat(np.arange(4), 2)
embeddings = np.random.default_rng(0).normal(size=(8, 16)).astype("float32")
TripletLoss(mining="semi_hard", margin=0.5)(labels, embeddings)  # scalar
```

Reference:
- Hermans, Beyer, Leibe, "In Defense of the Triplet Loss for Person Re-Identification",
  arXiv:1703.07737, 2017 (batch-hard, batch-all).
- Schroff, Kalenichenko, Philbin, "FaceNet", CVPR 2015 (semi-hard; the fallback follows
  `tfa.losses.TripletSemiHardLoss`).
"""

import keras
from keras import ops

from lateral_keras.losses import pairs

MININGS = ("batch_hard", "batch_all", "semi_hard")


def _check_margin(margin):
    if not margin >= 0:
        raise ValueError(f"`margin` must be a non-negative float. Received: margin={margin}")


def _valid_anchor_values(values, positive, negative):
    """Zeros `values` at anchors lacking a positive or a negative."""
    return ops.where(pairs.anchor_mask(positive, negative), values, ops.zeros_like(values))


def batch_hard_triplet_loss(y_true, y_pred, margin=1.0, distance="euclidean"):
    """Batch-hard triplet loss per anchor: `[max_pos d(a, p) - min_neg d(a, n) + margin]_+`.

    Args:
        y_true: integer labels, shape `(batch,)` or `(batch, 1)`.
        y_pred: float embeddings or soft codes, shape `(batch, d)`.
        margin: non-negative float, `alpha`.
        distance: `"euclidean"`, `"squared_euclidean"` or `"angular"`.

    Returns:
        Float tensor `(batch,)`; 0 at anchors lacking a positive or a negative.

    Example:

    >>> batch_hard_triplet_loss([0, 0, 1], [[0.0], [1.0], [3.0]], margin=0.5)  # [0, 0, 0]
    """
    _check_margin(margin)
    d = pairs.pairwise_distance(y_pred, distance)
    positive, negative = pairs.pair_masks(y_true)
    hardest_positive = ops.max(ops.where(positive, d, ops.zeros_like(d)), axis=1)
    hardest_negative = ops.min(ops.where(negative, d, ops.ones_like(d) * ops.max(d)), axis=1)
    values = ops.relu(hardest_positive - hardest_negative + margin)
    return _valid_anchor_values(values, positive, negative)


def semi_hard_triplet_loss(y_true, y_pred, margin=1.0, distance="euclidean"):
    """Semi-hard triplet loss, averaged per anchor over its positive pairs.

    For each positive pair `(a, p)` the negative is the closest one farther than the positive,
    `min {d(a, n) : d(a, n) > d(a, p)}`; when every negative is closer than the positive, the
    farthest negative `max_n d(a, n)` is used instead (the `tfa.losses.TripletSemiHardLoss` rule).
    Semi-hard negatives inside the margin are exactly the ones this picks first: if any negative
    lies in `(d_ap, d_ap + margin)`, the closest one beyond `d_ap` does. The pair's value is
    `[d(a, p) - d(a, n) + margin]_+`; an anchor's value is the mean over its positives.

    Args:
        y_true: integer labels, shape `(batch,)` or `(batch, 1)`.
        y_pred: float embeddings or soft codes, shape `(batch, d)`.
        margin: non-negative float, `alpha`.
        distance: `"euclidean"`, `"squared_euclidean"` or `"angular"`.

    Returns:
        Float tensor `(batch,)`; 0 at anchors lacking a positive or a negative.

    Example:

    >>> semi_hard_triplet_loss([0, 0, 1], [[0.0], [1.0], [1.5]], margin=1.0)  # [0.5, 1.5, 0]
    """
    _check_margin(margin)
    d = pairs.pairwise_distance(y_pred, distance)
    positive, negative = pairs.pair_masks(y_true)
    d_ap = ops.expand_dims(d, 2)
    d_an = ops.expand_dims(d, 1)
    beyond = ops.logical_and(ops.expand_dims(negative, 1), d_an > d_ap)
    big = ops.ones_like(d_an) * ops.max(d)
    closest_beyond = ops.min(ops.where(beyond, d_an, big), axis=2)
    farthest = ops.max(ops.where(negative, d, ops.zeros_like(d)), axis=1, keepdims=True)
    chosen = ops.where(ops.any(beyond, axis=2), closest_beyond, farthest)
    pair_values = ops.where(positive, ops.relu(d - chosen + margin), ops.zeros_like(d))
    num_positives = ops.sum(ops.cast(positive, d.dtype), axis=1)
    values = ops.divide_no_nan(ops.sum(pair_values, axis=1), num_positives)
    return _valid_anchor_values(values, positive, negative)


def batch_all_triplet_loss(y_true, y_pred, margin=1.0, distance="euclidean"):
    """Batch-all triplet loss: mean of `[d(a, p) - d(a, n) + margin]_+` over active triplets.

    Valid triplets have `p != a`, `y_p == y_a`, `y_n != y_a`; the mean is over those with a
    strictly positive value (0 when there are none). The batch-level value is broadcast to every
    anchor (see the module docstring for what the Keras reductions then do).

    Args:
        y_true: integer labels, shape `(batch,)` or `(batch, 1)`.
        y_pred: float embeddings or soft codes, shape `(batch, d)`.
        margin: non-negative float, `alpha`.
        distance: `"euclidean"`, `"squared_euclidean"` or `"angular"`.

    Returns:
        Float tensor `(batch,)` with the same value in every entry.

    Example:

    >>> batch_all_triplet_loss([0, 0, 1], [[0.0], [1.0], [1.5]], margin=1.0)  # [1, 1, 1]
    """
    _check_margin(margin)
    d = pairs.pairwise_distance(y_pred, distance)
    valid = pairs.triplet_mask(y_true)
    triplets = ops.expand_dims(d, 2) - ops.expand_dims(d, 1) + margin
    triplets = ops.where(valid, ops.relu(triplets), ops.zeros_like(triplets))
    num_active = ops.sum(ops.cast(triplets > 0, d.dtype))
    value = ops.divide_no_nan(ops.sum(triplets), num_active)
    return ops.ones_like(d[:, 0]) * value


_MINERS = {
    "batch_hard": batch_hard_triplet_loss,
    "batch_all": batch_all_triplet_loss,
    "semi_hard": semi_hard_triplet_loss,
}


def triplet_loss(y_true, y_pred, mining="batch_hard", margin=1.0, distance="euclidean"):
    """Triplet loss with the named online mining strategy.

    Args:
        y_true: integer labels, shape `(batch,)` or `(batch, 1)`.
        y_pred: float embeddings or soft codes, shape `(batch, d)`.
        mining: `"batch_hard"`, `"batch_all"` or `"semi_hard"`.
        margin: non-negative float, `alpha`.
        distance: `"euclidean"`, `"squared_euclidean"` or `"angular"`.

    Returns:
        Float tensor `(batch,)`, as the chosen strategy's function returns it.

    Example:

    >>> triplet_loss([0, 0, 1], [[0.0], [1.0], [3.0]], mining="batch_all", margin=0.0)
    """
    if mining not in _MINERS:
        raise ValueError(f"`mining` must be one of {MININGS}. Received: mining={mining}")
    return _MINERS[mining](y_true, y_pred, margin=margin, distance=distance)


@keras.saving.register_keras_serializable(package="lateral_keras")
class TripletLoss(keras.losses.Loss):
    """Triplet loss with online mining over a P x K batch of integer labels.

    Args:
        mining: `"batch_hard"`, `"batch_all"` or `"semi_hard"` (see the module docstring for how
            each interacts with the reduction and `sample_weight`).
        margin: non-negative float, `alpha`. Defaults to `1.0`.
        distance: `"euclidean"`, `"squared_euclidean"` or `"angular"`.
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
    model.compile(optimizer="adam", loss=TripletLoss(mining="batch_hard", margin=0.3))
    ```

    Reference:
    - Hermans, Beyer, Leibe, arXiv:1703.07737, 2017; Schroff et al., FaceNet, CVPR 2015.
    """

    def __init__(
        self,
        mining="batch_hard",
        margin=1.0,
        distance="euclidean",
        reduction="sum_over_batch_size",
        name="triplet_loss",
        dtype=None,
    ):
        if mining not in MININGS:
            raise ValueError(f"`mining` must be one of {MININGS}. Received: mining={mining}")
        _check_margin(margin)
        pairs.check_distance(distance)
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.mining = mining
        self.margin = margin
        self.distance = distance

    def call(self, y_true, y_pred):
        return triplet_loss(
            y_true, y_pred, mining=self.mining, margin=self.margin, distance=self.distance
        )

    def get_config(self):
        config = super().get_config()
        config.update({"mining": self.mining, "margin": self.margin, "distance": self.distance})
        return config
