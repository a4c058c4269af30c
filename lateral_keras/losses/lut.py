"""Differentiable LUT loss: expected Hamming distances of LUT-encoded soft codes.

Each Index-of-Max index is turned into `b` bits by a look-up table `LUT` of shape `(q, b)`. Under
the soft one-hot `p` (batch, m, q) the expected bit vector of a sample is `e_i = sum_k p_ik LUT[k]`,
`m * b` bits. Treating the bits as independent Bernoulli variables, the expected Hamming distance
between samples `a` and `c` is `sum_j e_aj (1 - e_cj) + e_cj (1 - e_aj)`; dividing by `m * b` gives
`D_ac` in `[0, 1]`. With `f(D) = 0.5 * tanh(D)` (`"tanh"`) or `f(D) = sigmoid(D)` (`"sigmoid"`),
both in `[0, 1)`, each anchor `a` gets

    mean_{p positive} f(D_ap)  +  mean_{n negative} (1 - f(D_an))

so positives are pulled together and negatives pushed apart; a term without pairs is 0 (no
positive, or no negative, in the batch). Values lie in `[0, 2]`. The original's version went
through integer casts and had no gradient.

Example:

```python
import numpy as np
from lateral_keras.losses import LUTLoss

lut = [[0, 0], [0, 1], [1, 0], [1, 1]]          # binary of the index, q = 4, b = 2
p = np.full((4, 8, 4), 0.25, "float32")
LUTLoss(lut=lut)([0, 0, 1, 1], p)
```

Reference:
- Jin, Hwang, Lai, Kim, Teoh, "Ranking-Based Locality Sensitive Hashing-Enabled Cancelable
  Biometrics: Index-of-Max Hashing", IEEE TIFS 13(2), 2018.
"""

import keras
import numpy as np
from keras import ops

from lateral_keras.losses import pairs

ACTIVATIONS = ("tanh", "sigmoid")


def _check_lut(lut):
    table = np.asarray(lut)
    if table.ndim != 2 or table.size == 0 or not np.isin(table, (0, 1)).all():
        raise ValueError(f"`lut` must be a non-empty (q, b) table of 0/1 bits. Received: lut={lut}")
    return table


def _check_activation(activation):
    if activation not in ACTIVATIONS:
        raise ValueError(
            f"`activation` must be one of {ACTIVATIONS}. Received: activation={activation}"
        )


def expected_bits(soft_one_hot, lut):
    """Expected LUT bits of soft codes, `e_bij = sum_k p_bik LUT[k, j]`, flattened per sample.

    Args:
        soft_one_hot: float tensor `(batch, m, q)`.
        lut: 0/1 table `(q, b)`, array or nested list.

    Returns:
        Float tensor `(batch, m * b)`; position `i` occupies columns `i*b .. (i+1)*b - 1`.

    Example:

    >>> expected_bits([[[0.5, 0.5]]], [[0], [1]])  # [[0.5]]
    """
    table = _check_lut(lut)
    p = ops.convert_to_tensor(soft_one_hot)
    if len(p.shape) != 3 or p.shape[-1] not in (None, table.shape[0]):
        raise ValueError(
            f"Expected soft_one_hot of shape (batch, m, {table.shape[0]}) to match the LUT. "
            f"Received: shape={p.shape}"
        )
    bits = ops.einsum("bmq,qk->bmk", p, ops.convert_to_tensor(table, p.dtype))
    return ops.reshape(bits, (ops.shape(p)[0], -1))


def expected_hamming(bits):
    """Pairwise expected Hamming distance of independent Bernoulli bit vectors, per bit.

    Args:
        bits: float tensor `(batch, n_bits)` of bit probabilities.

    Returns:
        Float tensor `(batch, batch)`: `sum_j e_aj (1 - e_cj) + e_cj (1 - e_aj)` divided by
        `n_bits`, in `[0, 1]` (clipped at 0 against rounding).

    Example:

    >>> expected_hamming([[0.0, 1.0], [1.0, 1.0]])  # [[0, .5], [.5, 0]]
    """
    bits = ops.convert_to_tensor(bits)
    ones = ops.sum(bits, axis=1, keepdims=True)
    total = ones + ops.transpose(ones) - 2.0 * ops.matmul(bits, ops.transpose(bits))
    return ops.maximum(total, 0.0) / ops.cast(ops.shape(bits)[1], bits.dtype)


def lut_loss(y_true, soft_one_hot, lut, activation="tanh"):
    """Per-anchor LUT loss (formula in the module docstring).

    Args:
        y_true: integer labels, shape `(batch,)` or `(batch, 1)`.
        soft_one_hot: float tensor `(batch, m, q)`.
        lut: 0/1 table `(q, b)`, array or nested list.
        activation: `"tanh"` (`f = 0.5 tanh(D)`) or `"sigmoid"` (`f = sigmoid(D)`).

    Returns:
        Float tensor of shape `(batch,)`, values in `[0, 2]`.

    Example:

    >>> lut_loss([0, 1], [[[1.0, 0.0]], [[0.0, 1.0]]], [[0], [1]])  # [1 - .5 tanh(1)] * 2
    """
    _check_activation(activation)
    distance = expected_hamming(expected_bits(soft_one_hot, lut))
    if activation == "tanh":
        pulled = 0.5 * ops.tanh(distance)
    else:
        pulled = ops.sigmoid(distance)
    positive, negative = pairs.pair_masks(y_true)
    positive = ops.cast(positive, distance.dtype)
    negative = ops.cast(negative, distance.dtype)
    positive_term = ops.divide_no_nan(
        ops.sum(positive * pulled, axis=1), ops.sum(positive, axis=1)
    )
    negative_term = ops.divide_no_nan(
        ops.sum(negative * (1.0 - pulled), axis=1), ops.sum(negative, axis=1)
    )
    return positive_term + negative_term


@keras.saving.register_keras_serializable(package="lateral_keras")
class LUTLoss(keras.losses.Loss):
    """LUT loss on soft one-hot codes over a P x K batch (see `lut_loss`).

    Args:
        lut: 0/1 table `(q, b)` (array or nested list); stored in the config as a nested list.
        activation: `"tanh"` or `"sigmoid"`. Defaults to `"tanh"`.
        reduction: Keras reduction. Defaults to `"sum_over_batch_size"`.
        name: optional name.
        dtype: computation dtype; defaults to `keras.config.floatx()`.

    Call arguments:
        y_true: integer labels `(batch,)` or `(batch, 1)`.
        y_pred: soft one-hot codes `(batch, m, q)`.
        sample_weight: optional per-anchor weights `(batch,)`.

    Returns:
        The reduced loss (a scalar), or `(batch,)` values for `reduction="none"`.

    Example:

    ```python
    LUTLoss(lut=[[0, 0], [0, 1], [1, 0], [1, 1]])(labels, soft_one_hot)
    ```

    Reference:
    - Jin et al., IEEE TIFS 13(2), 2018.
    """

    def __init__(
        self,
        lut,
        activation="tanh",
        reduction="sum_over_batch_size",
        name="lut_loss",
        dtype=None,
    ):
        self.lut = _check_lut(lut).astype(int).tolist()
        _check_activation(activation)
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.activation = activation

    def call(self, y_true, y_pred):
        return lut_loss(y_true, y_pred, self.lut, activation=self.activation)

    def get_config(self):
        config = super().get_config()
        config.update({"lut": self.lut, "activation": self.activation})
        return config
