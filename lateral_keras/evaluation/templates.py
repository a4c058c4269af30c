"""IJB-style templates: one feature per fish, session and side, aggregating its images.

Embeddings: the mean of the L2-normalised embeddings (scored by cosine, so the mean's norm does
not matter). IoM codes (and LUT bits): the per-position mode of the images' codes, ties going to
the smallest value, so a template is itself a valid code and is matched by collisions like one.
The protocol run on templates gives 1:1 verification on template pairs and 1:N identification
with a gallery of enrolment-session templates.

Example:

```python
templates = build_templates(embeddings, identities, sessions, sides)
result = evaluate_protocol(templates.features, templates.identities, templates.sessions,
                           templates.sides, session_order=order)
```
"""

import dataclasses

import numpy as np

from lateral_keras.evaluation.pairs import UNKNOWN_SIDE
from lateral_keras.evaluation.similarity import is_code


@dataclasses.dataclass(frozen=True)
class Templates:
    """Aggregated features and the labels of each template.

    Attributes:
        features: float `(t, d)` (embeddings) or the codes' dtype `(t, m)`.
        identities, sessions, sides: arrays `(t,)`.
        members: list of int64 arrays, the image indices each template aggregates.
    """

    features: np.ndarray
    identities: np.ndarray
    sessions: np.ndarray
    sides: np.ndarray
    members: list


def build_templates(features, identities, sessions, sides=None):
    """One template per distinct `(identity, session, side)`, in sorted order of those keys.

    Args:
        features: float embeddings or integer codes, shape `(n, d)`.
        identities, sessions: array-likes, shape `(n,)`.
        sides: optional array-like `(n,)`; None means all unknown.

    Returns:
        `Templates`.

    Example:

    >>> build_templates(np.array([[0, 1], [0, 2], [0, 2]]), ["a"] * 3, [0] * 3).features
    ... # [[0, 2]]
    """
    features = np.asarray(features)
    identities = np.asarray(identities)
    sessions = np.asarray(sessions)
    sides = np.full(identities.size, UNKNOWN_SIDE) if sides is None else np.asarray(sides)
    keys = np.stack([identities.astype(str), sessions.astype(str), sides.astype(str)], axis=1)
    _, first, inverse = np.unique(keys, axis=0, return_index=True, return_inverse=True)
    inverse = inverse.reshape(-1)
    members = [np.flatnonzero(inverse == t) for t in range(first.size)]
    aggregate = _mode if is_code(features) else _mean_of_normalised
    stacked = np.stack([aggregate(features[rows]) for rows in members])
    return Templates(stacked, identities[first], sessions[first], sides[first], members)


def _mean_of_normalised(embeddings):
    embeddings = embeddings.astype(np.float64)
    norms = np.maximum(np.linalg.norm(embeddings, axis=1, keepdims=True), 1e-12)
    return (embeddings / norms).mean(axis=0)


def _mode(codes):
    """Per-position most frequent value, the smallest among equally frequent ones."""
    values = np.unique(codes)
    counts = (codes[:, :, None] == values[None, None, :]).sum(axis=0)
    return values[np.argmax(counts, axis=1)].astype(codes.dtype)
