"""Quantization loss: pulls the soft Index-of-Max indices towards integers.

Example:

```python
from lateral_keras.losses import quantization_loss

quantization_loss([[0.25, 2.0], [1.5, 0.9]])  # [0.0625, 0.26]
```

Reference:
- Jin, Hwang, Lai, Kim, Teoh, "Ranking-Based Locality Sensitive Hashing-Enabled Cancelable
  Biometrics: Index-of-Max Hashing", IEEE TIFS 13(2), 2018.
"""

import keras
from keras import ops


def quantization_loss(soft_index):
    """Per-sample `sum_i (round(h_i) - h_i)^2`, with `round(h)` held constant.

    The rounded value goes through `stop_gradient`, so the gradient is `2 (h - round(h))`.

    Args:
        soft_index: float tensor `(batch, m)` of soft indices `h_i = sum_k k p_ik` (any rank >= 2
            works: every axis but the first is summed).

    Returns:
        Float tensor of shape `(batch,)`.

    Example:

    >>> quantization_loss([[0.25, 2.0]])  # [0.0625]
    """
    soft_index = ops.convert_to_tensor(soft_index)
    if len(soft_index.shape) < 2:
        raise ValueError(
            f"Expected soft_index of rank >= 2 (batch, m). Received: shape={soft_index.shape}"
        )
    residual = ops.stop_gradient(ops.round(soft_index)) - soft_index
    return ops.sum(ops.reshape(ops.square(residual), (ops.shape(soft_index)[0], -1)), axis=1)


@keras.saving.register_keras_serializable(package="lateral_keras")
class QuantizationLoss(keras.losses.Loss):
    """Quantization loss on the soft indices; the labels are ignored.

    With the default `"sum_over_batch_size"` reduction this is the mean over the batch of
    `sum_i (round(h_i) - h_i)^2`.

    Args:
        reduction: Keras reduction. Defaults to `"sum_over_batch_size"`.
        name: optional name.
        dtype: computation dtype; defaults to `keras.config.floatx()`.

    Call arguments:
        y_true: ignored (any tensor with a batch dimension, e.g. the labels).
        y_pred: soft indices `(batch, m)`.
        sample_weight: optional per-sample weights `(batch,)`.

    Returns:
        The reduced loss (a scalar), or `(batch,)` values for `reduction="none"`.

    Example:

    ```python
    QuantizationLoss()(labels, soft_index)
    ```

    Reference:
    - Jin et al., IEEE TIFS 13(2), 2018.
    """

    def __init__(self, reduction="sum_over_batch_size", name="quantization_loss", dtype=None):
        super().__init__(name=name, reduction=reduction, dtype=dtype)

    def call(self, y_true, y_pred):
        return quantization_loss(y_pred)
