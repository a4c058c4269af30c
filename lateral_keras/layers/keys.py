"""Secret keys for cancellable IoM codes: key -> permutations, key -> random projection.

A key is an int, `bytes` or `str`. It is hashed (SHA-256, with a purpose tag)
into the seed of a NumPy generator, so the key itself is never stored and
different purposes draw unrelated randomness from one key.
"""

import hashlib

import numpy as np

from lateral_keras.layers.code_size import check_code_size
from lateral_keras.layers.iom_projection import IoMProjection


def key_rng(key, purpose):
    """NumPy generator seeded by a hash of ``key`` and ``purpose``.

    Args:
        key: secret, an int, `bytes` or `str`.
        purpose: short tag naming what the randomness is for.

    Returns:
        A `numpy.random.Generator`.
    """
    if isinstance(key, bool) or not isinstance(key, (int, bytes, str)):
        # The key's value is deliberately left out of the message (logs).
        raise ValueError(
            f"`key` must be an int, bytes or str. Received: key of type {type(key).__name__}"
        )
    if isinstance(key, int):
        data = b"int:" + key.to_bytes(key.bit_length() // 8 + 1, "big", signed=True)
    elif isinstance(key, bytes):
        data = b"bytes:" + key
    else:
        data = b"str:" + key.encode("utf-8")
    digest = hashlib.sha256(b"lateral_keras/" + purpose.encode("utf-8") + b"/" + data).digest()
    return np.random.Generator(np.random.PCG64(int.from_bytes(digest, "big")))


def key_permutations(key, m, q, permute_positions=False):
    """Keyed permutations of the index values at each position, and of the positions.

    Args:
        key: secret, an int, `bytes` or `str`.
        m: code length, `int >= 1`.
        q: number of index values, `int >= 2`.
        permute_positions: also draw a permutation of the `m` positions.

    Returns:
        Tuple `(values, positions)` of int32 NumPy arrays: `values` `(m, q)`,
        row `i` a permutation of `0 .. q - 1` (keyed value of index `v` at
        position `i` is `values[i, v]`); `positions` `(m,)`, output position `j`
        takes input position `positions[j]` (the identity unless
        `permute_positions`).

    Example:
        >>> values, positions = key_permutations(1234, m=4, q=8)
        >>> sorted(values[0].tolist()) == list(range(8))
        True
    """
    check_code_size(m, q)
    rng = key_rng(key, f"permutations/{m}/{q}")
    values = rng.permuted(np.tile(np.arange(q), (m, 1)), axis=1)
    positions = rng.permutation(m) if permute_positions else np.arange(m)
    return values.astype("int32"), positions.astype("int32")


def random_iom_from_key(key, input_dim, m, q, **kwargs):
    """A built random (GRP) `IoMProjection` whose projection is drawn from ``key``.

    `W ~ N(0, 1)` comes from the key's generator (NumPy, so the same key gives
    the same projection on every backend); the bias is zero; both are
    non-trainable. The layer's config holds no key (`seed=None`), but its
    weights are key-derived: rebuild the layer from the key at run time rather
    than saving it.

    Args:
        key: secret, an int, `bytes` or `str`.
        input_dim: size of the input embedding, `int >= 1`.
        m: code length, `int >= 1`.
        q: group size, `int >= 2`.
        **kwargs: further `IoMProjection` arguments (`temperature`, `name`, ...).

    Returns:
        A built `IoMProjection` with `trainable_projection=False`.

    Example:
        >>> iom = random_iom_from_key(b"secret", input_dim=512, m=64, q=8)
        >>> codes = iom(embeddings, mode="hard")  # doctest: +SKIP
    """
    if not isinstance(input_dim, int) or input_dim < 1:
        raise ValueError(f"`input_dim` must be an int >= 1. Received: input_dim={input_dim}")
    layer = IoMProjection(m, q, trainable_projection=False, seed=None, **kwargs)
    layer.build((None, input_dim))
    shape = tuple(layer.kernel.shape)
    kernel = key_rng(key, f"random_iom/{shape[0]}/{m}/{q}").standard_normal(shape)
    layer.kernel.assign(kernel.astype("float32"))
    return layer
