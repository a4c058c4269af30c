"""What a gallery search returns: top-k images per probe, or top-k fish per probe."""

import dataclasses

import numpy as np


@dataclasses.dataclass(frozen=True)
class SearchResult:
    """The `k` best gallery images of each probe, best first.

    Attributes:
        scores: float64 `(n, k)`, similarity (codes: collisions / m; embeddings: cosine);
            `-inf` where a probe has fewer than `k` comparable gallery images.
        indices: int64 `(n, k)`, gallery rows; -1 where there is none.
        identities: str `(n, k)`, the fish of each row ("" for none).
        image_ids: str `(n, k)`, the image id of each row ("" for none).
    """

    scores: np.ndarray
    indices: np.ndarray
    identities: np.ndarray
    image_ids: np.ndarray


@dataclasses.dataclass(frozen=True)
class Match:
    """One candidate fish for a probe: its best-scoring gallery image.

    Attributes:
        identity: the fish.
        score: the best similarity over the fish's gallery images.
        image_id: the gallery image that gave it.
        session: that image's session.
        side: that image's flank (`left` / `right` / `unknown`): the side that matched.
    """

    identity: str
    score: float
    image_id: str
    session: str
    side: str = "unknown"
