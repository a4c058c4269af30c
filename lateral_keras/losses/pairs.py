"""Label masks and distance selection shared by the metric-learning losses.

Example:

```python
from lateral_keras.losses import pairs

positive, negative = pairs.pair_masks([0, 0, 1])
# positive: [[F, T, F], [T, F, F], [F, F, F]]; negative: [[F, F, T], [F, F, T], [T, T, F]]
```
"""

from keras import ops

from lateral_keras import distances

DISTANCES = ("euclidean", "squared_euclidean", "angular")


def flatten_labels(labels):
    """Integer labels of shape `(batch,)` or `(batch, 1)` as an int32 vector `(batch,)`.

    Args:
        labels: integer (or integral float, as Keras passes `y_true`) tensor or array.

    Returns:
        int32 tensor of shape `(batch,)`.
    """
    labels = ops.convert_to_tensor(labels)
    if len(labels.shape) == 2 and labels.shape[-1] == 1:
        labels = ops.squeeze(labels, axis=-1)
    if len(labels.shape) != 1:
        raise ValueError(
            "Expected labels of shape (batch,) or (batch, 1). "
            f"Received: labels.shape={labels.shape}"
        )
    return ops.cast(labels, "int32")


def pair_masks(labels):
    """Boolean masks of positive pairs (same label, not the same sample) and negative pairs.

    Args:
        labels: integer labels, shape `(batch,)` or `(batch, 1)`.

    Returns:
        Tuple `(positive, negative)` of boolean tensors of shape `(batch, batch)`.
    """
    labels = flatten_labels(labels)
    same = ops.equal(ops.expand_dims(labels, 1), ops.expand_dims(labels, 0))
    not_self = ops.logical_not(ops.cast(ops.eye(ops.shape(labels)[0]), "bool"))
    return ops.logical_and(same, not_self), ops.logical_not(same)


def triplet_mask(labels):
    """Boolean mask of valid triplets `(a, p, n)`: `p != a`, `y_p == y_a`, `y_n != y_a`.

    Args:
        labels: integer labels, shape `(batch,)` or `(batch, 1)`.

    Returns:
        Boolean tensor of shape `(batch, batch, batch)` indexed `[a, p, n]`.
    """
    positive, negative = pair_masks(labels)
    return ops.logical_and(ops.expand_dims(positive, 2), ops.expand_dims(negative, 1))


def anchor_mask(positive, negative):
    """Anchors that have at least one positive and at least one negative.

    Args:
        positive: boolean tensor `(batch, batch)` from `pair_masks`.
        negative: boolean tensor `(batch, batch)` from `pair_masks`.

    Returns:
        Boolean tensor of shape `(batch,)`.
    """
    return ops.logical_and(ops.any(positive, axis=1), ops.any(negative, axis=1))


def check_distance(distance):
    """Raises `ValueError` unless `distance` is one of `DISTANCES`."""
    if distance not in DISTANCES:
        raise ValueError(f"`distance` must be one of {DISTANCES}. Received: distance={distance}")


def pairwise_distance(embeddings, distance):
    """Self-distance matrix of a batch under one of the named distances.

    Args:
        embeddings: float tensor of shape `(batch, d)`.
        distance: `"euclidean"`, `"squared_euclidean"` or `"angular"` (the angle between vectors,
            in radians, from the true cosine; see `lateral_keras.distances.pairwise_angle`).

    Returns:
        Float tensor of shape `(batch, batch)`.
    """
    check_distance(distance)
    if distance == "euclidean":
        return distances.pairwise_euclidean(embeddings)
    if distance == "squared_euclidean":
        return distances.pairwise_squared_euclidean(embeddings)
    return distances.pairwise_angle(embeddings)
