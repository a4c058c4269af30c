"""ROC figures from fixed-bin score histograms, in `keras.ops` (the core of the streaming metrics).

Scores in `[low, high]` fall into `num_bins` equal bins; bin `b` holds scores in
`[low + b w, low + (b + 1) w)` with `w = (high - low) / num_bins` (the top score `high` goes to
the last bin). Accepting every score in bins `>= b` is the threshold `low + b w`, so the bin edges
give `num_bins + 1` exact ROC points, from "accept nothing" `(0, 0)` to "accept all" `(1, 1)`.
Figures interpolated on that coarser polyline differ from the exact ones by at most the ROC change
within one bin.

Example:

```python
from lateral_keras.metrics import histogram_roc

genuine = [0.0, 0.0, 1.0, 1.0]   # counts per bin
impostor = [1.0, 1.0, 0.0, 0.0]
far, tar = histogram_roc.histogram_roc(genuine, impostor)
histogram_roc.roc_eer(far, tar)  # 0.0
```
"""

from keras import ops

# Added to the bin position before flooring, so that a score lying exactly on a bin edge (such as
# a collision similarity c / m) is not pushed into the bin below by rounding.
_EDGE_TOLERANCE = 1e-3


def score_bins(scores, num_bins, low, high):
    """Bin index of each score.

    Args:
        scores: float tensor, any shape.
        num_bins: positive int.
        low: float, lower end of the score range.
        high: float, upper end of the score range, `> low`.

    Returns:
        int32 tensor of the shape of `scores`, values in `[0, num_bins - 1]` (scores outside the
        range are clipped into the end bins).

    Example:

    >>> score_bins([-1.0, 0.0, 1.0], num_bins=4, low=-1.0, high=1.0)  # [0, 2, 3]
    """
    scores = ops.convert_to_tensor(scores)
    position = (scores - low) / (high - low) * num_bins + _EDGE_TOLERANCE
    return ops.cast(ops.clip(ops.floor(position), 0, num_bins - 1), "int32")


def pair_histograms(labels, similarity, num_bins, low, high, sample_weight=None):
    """Histograms of the genuine and impostor scores of all pairs `i < j` of one batch.

    Args:
        labels: tensor of identity labels, shape `(n,)`.
        similarity: float tensor, shape `(n, n)`, symmetric; only the upper triangle is read.
        num_bins: positive int.
        low: float, lower end of the score range.
        high: float, upper end of the score range.
        sample_weight: optional float tensor, shape `(n,)`; pair `(i, j)` weighs `w_i * w_j`.

    Returns:
        `(genuine_counts, impostor_counts)`: float tensors of shape `(num_bins,)` in the dtype of
        `similarity`.

    Example:

    >>> pair_histograms([0, 0, 1], [[1, .9, .1], [.9, 1, .2], [.1, .2, 1]], 2, 0.0, 1.0)
    ... # genuine [0, 1], impostor [2, 0]
    """
    similarity = ops.convert_to_tensor(similarity)
    dtype = similarity.dtype
    labels = ops.reshape(ops.convert_to_tensor(labels), (-1,))
    index = ops.arange(ops.shape(labels)[0])
    upper = ops.expand_dims(index, 1) < ops.expand_dims(index, 0)
    same = ops.equal(ops.expand_dims(labels, 1), ops.expand_dims(labels, 0))
    weight = ops.cast(upper, dtype)
    if sample_weight is not None:
        sample_weight = ops.reshape(ops.cast(sample_weight, dtype), (-1,))
        weight = weight * ops.expand_dims(sample_weight, 1) * ops.expand_dims(sample_weight, 0)
    genuine_weight = ops.reshape(weight * ops.cast(same, dtype), (1, -1))
    impostor_weight = ops.reshape(weight * ops.cast(ops.logical_not(same), dtype), (1, -1))
    bins = ops.reshape(score_bins(similarity, num_bins, low, high), (-1,))
    one_hot = ops.one_hot(bins, num_bins, dtype=dtype)
    genuine = ops.reshape(ops.matmul(genuine_weight, one_hot), (num_bins,))
    impostor = ops.reshape(ops.matmul(impostor_weight, one_hot), (num_bins,))
    return genuine, impostor


def histogram_roc(genuine_counts, impostor_counts):
    """ROC points at the bin edges, from the highest threshold to the lowest.

    Args:
        genuine_counts: float tensor, shape `(num_bins,)`, genuine scores per bin.
        impostor_counts: float tensor, shape `(num_bins,)`, impostor scores per bin.

    Returns:
        `(far, tar)`: float tensors of shape `(num_bins + 1,)`, non-decreasing from 0 to 1
        (NaN when a histogram is empty).

    Example:

    >>> histogram_roc([0.0, 2.0], [1.0, 1.0])  # far [0, .5, 1], tar [0, 1, 1]
    """
    genuine = ops.convert_to_tensor(genuine_counts)
    impostor = ops.cast(impostor_counts, genuine.dtype)
    zero = ops.zeros((1,), dtype=genuine.dtype)
    accepted_genuine = ops.concatenate([zero, ops.cumsum(ops.flip(genuine, 0))])
    accepted_impostor = ops.concatenate([zero, ops.cumsum(ops.flip(impostor, 0))])
    return accepted_impostor / ops.sum(impostor), accepted_genuine / ops.sum(genuine)


def roc_eer(far, tar):
    """EER on a ROC polyline: the FAR = FRR crossing, linearly interpolated.

    Args:
        far: float tensor, shape `(p,)`, non-decreasing from 0 to 1.
        tar: float tensor, shape `(p,)`, non-decreasing from 0 to 1.

    Returns:
        Scalar float tensor (NaN when `far` or `tar` holds NaN).

    Example:

    >>> roc_eer([0.0, 0.0, 0.5, 0.5, 1.0], [0.0, 0.5, 0.5, 1.0, 1.0])  # 0.5
    """
    far = ops.convert_to_tensor(far)
    tar = ops.cast(tar, far.dtype)
    d = far + tar - 1.0
    i = ops.argmax(ops.cast(d[1:] >= 0.0, "int32"))
    d_low, d_high = ops.take(d, i), ops.take(d, i + 1)
    far_low, far_high = ops.take(far, i), ops.take(far, i + 1)
    alpha = -d_low / (d_high - d_low)
    value = far_low + alpha * (far_high - far_low)
    invalid = ops.any(ops.isnan(far)) | ops.any(ops.isnan(tar))
    return ops.where(invalid, ops.convert_to_tensor(float("nan"), far.dtype), value)


def roc_auc(far, tar):
    """Area under a ROC polyline by the trapezoid rule.

    Args:
        far: float tensor, shape `(p,)`.
        tar: float tensor, shape `(p,)`.

    Returns:
        Scalar float tensor.

    Example:

    >>> roc_auc([0.0, 0.0, 1.0], [0.0, 1.0, 1.0])  # 1.0
    """
    far = ops.convert_to_tensor(far)
    tar = ops.cast(tar, far.dtype)
    return ops.sum((far[1:] - far[:-1]) * (tar[1:] + tar[:-1]) / 2.0)


def roc_tar_at_far(far, tar, num_impostor, target):
    """Largest TAR among the ROC points with FAR at most `target`.

    Args:
        far: float tensor, shape `(p,)`, with `far[0] = 0`.
        tar: float tensor, shape `(p,)`.
        num_impostor: scalar float tensor, the (weighted) number of impostor pairs.
        target: float in `(0, 1]`.

    Returns:
        Scalar float tensor; NaN when `target < 1 / num_impostor` (not resolvable).

    Example:

    >>> roc_tar_at_far([0.0, 0.25, 1.0], [0.0, 0.75, 1.0], 4.0, 0.3)  # 0.75
    """
    far = ops.convert_to_tensor(far)
    tar = ops.cast(tar, far.dtype)
    best = ops.max(ops.where(far <= target, tar, ops.zeros_like(tar)))
    resolvable = target >= 1.0 / ops.cast(num_impostor, far.dtype)
    return ops.where(resolvable, best, ops.convert_to_tensor(float("nan"), far.dtype))
