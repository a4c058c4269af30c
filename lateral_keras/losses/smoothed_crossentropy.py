"""Softmax cross-entropy from integer labels with label smoothing (for margin logits).

`keras.losses.SparseCategoricalCrossentropy` has no label smoothing, and one-hot targets
would need the labels twice in the input pipeline (ArcFace's margin layer takes them as ints).

Example:

```python
from lateral_keras.losses import sparse_smoothed_crossentropy

sparse_smoothed_crossentropy([0, 1], [[2.0, 0.0], [0.0, 2.0]], label_smoothing=0.1)
```

Reference:
- Szegedy et al., "Rethinking the Inception Architecture for Computer Vision", CVPR 2016.
"""

import keras
from keras import ops


def sparse_smoothed_crossentropy(labels, logits, label_smoothing=0.1):
    """Per-sample `-sum_j t_j log softmax(logits)_j` with `t = (1 - e) one_hot + e / C`.

    Args:
        labels: int class indices `(batch,)` or `(batch, 1)`.
        logits: float `(batch, C)` logits (e.g. `ArcMargin`'s scaled margin cosines).
        label_smoothing: `e` in [0, 1); 0 gives the plain sparse cross-entropy.

    Returns:
        Float tensor `(batch,)`.

    Example:

    >>> sparse_smoothed_crossentropy([0], [[1.0, 1.0]], 0.1)  # [log 2]
    """
    logits = ops.convert_to_tensor(logits)
    labels = ops.reshape(ops.cast(labels, "int32"), (-1,))
    targets = ops.one_hot(labels, logits.shape[-1], dtype=logits.dtype)
    return keras.losses.categorical_crossentropy(
        targets, logits, from_logits=True, label_smoothing=label_smoothing
    )


@keras.saving.register_keras_serializable(package="lateral_keras")
class SparseSmoothedCrossentropy(keras.losses.Loss):
    """Cross-entropy of logits against integer labels, with label smoothing.

    Args:
        label_smoothing: share `e` of each target spread evenly over all classes, in [0, 1).
        reduction: Keras reduction. Defaults to `"sum_over_batch_size"`.
        name: optional name.
        dtype: computation dtype; defaults to `keras.config.floatx()`.

    Call arguments:
        y_true: int class indices `(batch,)` or `(batch, 1)`.
        y_pred: logits `(batch, C)`.
        sample_weight: optional per-sample weights `(batch,)`.

    Returns:
        The reduced loss (a scalar), or `(batch,)` values for `reduction="none"`.

    Example:

    ```python
    model.compile(optimizer="adam", loss=SparseSmoothedCrossentropy(label_smoothing=0.1))
    ```
    """

    def __init__(self, label_smoothing=0.1, reduction="sum_over_batch_size",
                 name="sparse_smoothed_crossentropy", dtype=None):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        if not 0 <= label_smoothing < 1:
            raise ValueError(
                f"`label_smoothing` must be in [0, 1). Received: label_smoothing={label_smoothing}"
            )
        self.label_smoothing = float(label_smoothing)

    def call(self, y_true, y_pred):
        return sparse_smoothed_crossentropy(y_true, y_pred, self.label_smoothing)

    def get_config(self):
        config = super().get_config()
        config.update(label_smoothing=self.label_smoothing)
        return config
