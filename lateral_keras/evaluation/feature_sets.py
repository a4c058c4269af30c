"""The feature kinds a run is evaluated with: raw embeddings, IoM argmax codes, LUT bits.

LUT bits are added when the run trained with a LUT loss (`stage_two.bin_lut_loss` not
`"none"`): each code value becomes its `ceil(log2 q)`-bit binary row of `lut_table`, and two
bit strings are compared by the share of equal bits, `1 - Hamming / (m * bits)`.

Example:

```python
sets = feature_sets(config, embeddings, code_model)  # {"embeddings": ..., "codes": ...}
```
"""

import math

import numpy as np

from lateral_keras.layers import lut_table

LABELS = {"embeddings": "embeddings", "codes": "IoM codes", "codes_lut": "IoM LUT bits"}


def lut_bits(codes, q):
    """LUT bits of IoM codes, as the stage-two LUT loss defines them.

    Args:
        codes: int array `(n, m)` in `{0..q-1}`.
        q: the IoM group size.

    Returns:
        int8 array `(n, m * ceil(log2 q))` of 0/1.

    Example:

    >>> lut_bits(np.array([[0, 3]]), q=4)  # [[0, 0, 1, 1]]
    """
    codes = np.asarray(codes)
    table = lut_table(q, max(1, math.ceil(math.log2(q))))
    return table[codes].reshape(codes.shape[0], -1).astype(np.int8)


def feature_sets(config, embeddings, code_model):
    """Every feature kind of the run for the images whose embeddings are given.

    Args:
        config: the run's `Config` (`stage_two.q`, `stage_two.bin_lut_loss`).
        embeddings: float32 `(n, d)` stage-one embeddings.
        code_model: the `embedding -> codes` model.

    Returns:
        dict kind -> features, kinds in `LABELS` order (`codes_lut` only with a LUT loss).
    """
    codes = np.asarray(code_model.predict(embeddings, verbose=0))
    sets = {"embeddings": np.asarray(embeddings), "codes": codes}
    if config.stage_two.bin_lut_loss != "none":
        sets["codes_lut"] = lut_bits(codes, config.stage_two.q)
    return sets
