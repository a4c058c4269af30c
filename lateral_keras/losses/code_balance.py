"""Differentiable code-balance loss for soft Index-of-Max codes.

The original balanced codes through `round`/`bincount`, which has no gradient. This one works on
the soft one-hot `p` directly.

Example:

```python
import numpy as np
from lateral_keras.losses import code_balance_loss

p = np.full((4, 8, 3), 1 / 3, "float32")  # perfectly balanced soft codes
code_balance_loss(p)  # [0, 0, 0, 0]
```

Reference:
- Jin, Hwang, Lai, Kim, Teoh, "Ranking-Based Locality Sensitive Hashing-Enabled Cancelable
  Biometrics: Index-of-Max Hashing", IEEE TIFS 13(2), 2018.
"""

import keras
from keras import ops


def _check_epsilon(epsilon):
    if not epsilon > 0:
        raise ValueError(f"`epsilon` must be positive. Received: epsilon={epsilon}")


def code_balance_loss(soft_one_hot, epsilon=1e-7):
    """Per-sample code balance: centred mean index plus KL of index usage from uniform.

    With `p` of shape `(batch, m, q)` and the soft index `h_bi = sum_k k p_bik` (the soft
    Index-of-Max output, derived here from `p`), each sample gets

        |mean_i h_bi - (q - 1) / 2|  +  mean_i KL(pbar_i || uniform_q)

    where `pbar_i = mean_b p_bi` is the batch's average soft one-hot at position `i` and
    `KL(pbar_i || u) = sum_k pbar_ik log(q pbar_ik)`. The first term is per sample (a sample whose
    indices are on average mid-range scores 0); the second is batch-level (0 when each position
    uses every index value equally often over the batch) and is added to every sample.

    Args:
        soft_one_hot: float tensor `(batch, m, q)`, each `p_bi` a distribution over `q`.
        epsilon: positive float, floor inside the logarithm.

    Returns:
        Float tensor of shape `(batch,)`.

    Example:

    >>> code_balance_loss([[[1.0, 0.0]], [[0.0, 1.0]]])  # [0.5, 0.5]: |0 - .5|, |1 - .5|, KL 0
    """
    _check_epsilon(epsilon)
    p = ops.convert_to_tensor(soft_one_hot)
    if len(p.shape) != 3:
        raise ValueError(
            f"Expected soft_one_hot of shape (batch, m, q). Received: shape={p.shape}"
        )
    q = ops.shape(p)[-1]
    values = ops.cast(ops.arange(q), p.dtype)
    soft_index = ops.sum(p * values, axis=-1)
    centre = (ops.cast(q, p.dtype) - 1.0) / 2.0
    centring = ops.abs(ops.mean(soft_index, axis=-1) - centre)
    usage = ops.mean(p, axis=0)
    kl = ops.sum(usage * ops.log(ops.maximum(usage * ops.cast(q, p.dtype), epsilon)), axis=-1)
    return centring + ops.mean(kl)


@keras.saving.register_keras_serializable(package="lateral_keras")
class CodeBalanceLoss(keras.losses.Loss):
    """Code-balance loss on the soft one-hot codes; the labels are ignored.

    See `code_balance_loss`. With `"sum_over_batch_size"` it is the batch mean of the centring
    term plus the KL term; a `sample_weight` weights both per sample.

    Args:
        epsilon: positive float, floor inside the logarithm. Defaults to `1e-7`.
        reduction: Keras reduction. Defaults to `"sum_over_batch_size"`.
        name: optional name.
        dtype: computation dtype; defaults to `keras.config.floatx()`.

    Call arguments:
        y_true: ignored (any tensor with a batch dimension, e.g. the labels).
        y_pred: soft one-hot codes `(batch, m, q)` (softmax over the last axis).
        sample_weight: optional per-sample weights `(batch,)`.

    Returns:
        The reduced loss (a scalar), or `(batch,)` values for `reduction="none"`.

    Example:

    ```python
    CodeBalanceLoss()(labels, soft_one_hot)
    ```

    Reference:
    - Jin et al., IEEE TIFS 13(2), 2018.
    """

    def __init__(
        self, epsilon=1e-7, reduction="sum_over_batch_size", name="code_balance_loss", dtype=None
    ):
        _check_epsilon(epsilon)
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.epsilon = epsilon

    def call(self, y_true, y_pred):
        return code_balance_loss(y_pred, epsilon=self.epsilon)

    def get_config(self):
        config = super().get_config()
        config.update({"epsilon": self.epsilon})
        return config
