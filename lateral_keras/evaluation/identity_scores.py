"""Probe-to-identity scores: the best match over each enrolled identity's gallery images."""

import numpy as np


def max_over_identity(similarity, gallery_identities):
    """Reduces probe-by-gallery-image scores to probe-by-identity scores by the maximum.

    Args:
        similarity: float array `(n_probe, n_gallery)`; `-inf` marks pairs that may not be
            compared (an identity with only such images scores `-inf`).
        gallery_identities: array-like, shape `(n_gallery,)`.

    Returns:
        `(scores, identities)`: float64 array `(n_probe, u)` and the `u` distinct gallery
        identities in sorted order (the columns of `scores`).

    Example:

    >>> max_over_identity(np.array([[0.2, 0.9, 0.4]]), ["a", "b", "a"])
    ... # ([[0.4, 0.9]], ["a", "b"])
    """
    similarity = np.asarray(similarity, dtype=np.float64)
    gallery_identities = np.asarray(gallery_identities)
    if similarity.ndim != 2 or similarity.shape[1] != gallery_identities.size:
        raise ValueError(
            "`similarity` must have shape (n_probe, len(gallery_identities)). "
            f"Received: similarity.shape={similarity.shape}, "
            f"gallery_identities.shape={gallery_identities.shape}"
        )
    identities, inverse = np.unique(gallery_identities, return_inverse=True)
    scores = np.full((similarity.shape[0], identities.size), -np.inf)
    for column, identity in enumerate(inverse):
        np.maximum(scores[:, identity], similarity[:, column], out=scores[:, identity])
    return scores, identities
