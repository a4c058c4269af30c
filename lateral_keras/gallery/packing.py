"""One-hot packed bits of Index-of-Max codes, and Hamming distance <-> collision similarity.

Packing a code of `m` indices into `m` one-hot blocks of `q` bits makes two codes differ by
exactly 2 bits at each position where they disagree, so Hamming distance = `2 (m - c)` with `c`
the collisions (`lateral_keras.distances.hamming_from_collisions`). Rows are zero-padded to a
multiple of 8 bytes (64-bit words for NumPy popcount; FAISS wants whole bytes); padding never
changes a distance.
"""

import numpy as np

_CHUNK_ROWS = 8192


def packed_width(m, q):
    """Bytes per packed code: `m * q` bits rounded up to a multiple of 64 bits.

    Example:
        >>> packed_width(512, 8)
        512
    """
    return -(-(m * q) // 64) * 8


def pack_onehot(codes, q):
    """Pack integer codes `(n, m)` in `{0..q-1}` into one-hot bits, `uint8 (n, packed_width)`.

    Bit `i * q + codes[:, i]` (most significant bit of each byte first, as `np.packbits`) is set
    at each position `i`; all other bits are 0.

    Args:
        codes: integer array `(n, m)`.
        q: number of index values, `int >= 2`.

    Returns:
        C-contiguous `uint8` array `(n, packed_width(m, q))`.

    Raises:
        ValueError: codes not rank 2, not integers, or out of `[0, q)`.

    Example:
        >>> pack_onehot(np.array([[0, 3]]), q=4)[0, :1]  # bits 1000 0001
        array([129], dtype=uint8)
    """
    codes = np.asarray(codes)
    if codes.ndim != 2 or not np.issubdtype(codes.dtype, np.integer):
        raise ValueError(
            f"`codes` must be an integer array (n, m). Received: shape={codes.shape}, "
            f"dtype={codes.dtype}"
        )
    if codes.size and (codes.min() < 0 or codes.max() >= q):
        raise ValueError(
            f"`codes` must lie in [0, {q - 1}] for q={q}. "
            f"Received: min={codes.min()}, max={codes.max()}"
        )
    n, m = codes.shape
    out = np.zeros((n, packed_width(m, q)), np.uint8)
    for start in range(0, n, _CHUNK_ROWS):
        block = codes[start : start + _CHUNK_ROWS]
        onehot = np.zeros((len(block), m, q), bool)
        np.put_along_axis(onehot, block[..., None].astype(np.intp), True, axis=2)
        packed = np.packbits(onehot.reshape(len(block), m * q), axis=1)
        out[start : start + len(block), : packed.shape[1]] = packed
    return out


def similarity_from_hamming(hamming, m):
    """Collision similarity `c / m` from the one-hot Hamming distance `2 (m - c)`.

    Computed as float32 `c / m` then widened to float64, exactly as the protocol's
    `lateral_keras.evaluation.similarity_matrix` scores codes, so gallery and protocol scores
    are equal bit for bit.

    Args:
        hamming: integer array of distances, any shape.
        m: code length.

    Returns:
        float64 array of the same shape.

    Example:
        >>> similarity_from_hamming(np.array([0, 2, 8]), m=4).tolist()
        [1.0, 0.75, 0.0]
    """
    collisions = m - np.asarray(hamming, dtype=np.int64) // 2
    return (collisions.astype(np.float32) / np.float32(m)).astype(np.float64)
