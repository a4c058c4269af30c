"""The original project's "vote accuracy": one majority vote per fish (NumPy).

Reported only for comparability with the original results (SPEC section 1); prefer rank-k and
verification figures.
"""

import numpy as np


def vote_accuracy(pred_labels, true_labels, group_ids):
    """Share of groups (fish) whose most frequent predicted label is their true label.

    Each group gathers the images of one fish; its vote is the mode of the predicted labels over
    those images. Ties between equally frequent labels go to the smallest label (in NumPy sort
    order).

    Args:
        pred_labels: array-like, shape `(n,)`, predicted identity per image.
        true_labels: array-like, shape `(n,)`, true identity per image, constant within a group.
        group_ids: array-like, shape `(n,)`, the group (fish) of each image.

    Returns:
        Python float in `[0, 1]`.

    Example:

    >>> vote_accuracy([1, 1, 2, 3, 4], [1, 1, 1, 3, 3], [0, 0, 0, 1, 1])
    ... # fish 0 votes 1 (right); fish 1 ties 3/4 -> 3 (right): 1.0
    """
    pred_labels = np.asarray(pred_labels)
    true_labels = np.asarray(true_labels)
    group_ids = np.asarray(group_ids)
    if not (pred_labels.ndim == 1 and pred_labels.shape == true_labels.shape == group_ids.shape):
        raise ValueError(
            "`pred_labels`, `true_labels` and `group_ids` must be 1-D of one length. "
            f"Received: shapes={pred_labels.shape}, {true_labels.shape}, {group_ids.shape}"
        )
    if pred_labels.size == 0:
        raise ValueError(f"Need at least one image. Received: pred_labels={pred_labels}")
    correct = []
    for group in np.unique(group_ids):
        in_group = group_ids == group
        truth = np.unique(true_labels[in_group])
        if truth.size != 1:
            raise ValueError(
                "`true_labels` must be constant within a group. "
                f"Received: group_ids={group} with true_labels={truth.tolist()}"
            )
        values, counts = np.unique(pred_labels[in_group], return_counts=True)
        correct.append(values[np.argmax(counts)] == truth[0])
    return float(np.mean(correct))
