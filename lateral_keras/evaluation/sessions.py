"""Session order and the enrolment (gallery) / probe split of the evaluation protocol."""

import numpy as np


def session_ranks(sessions, session_order=None):
    """Integer rank of each image's session (smaller = earlier).

    Args:
        sessions: array-like, shape `(n,)`: session names, or integer ranks when `session_order`
            is `None`.
        session_order: optional sequence of distinct session names, earliest first; every value
            of `sessions` must appear in it.

    Returns:
        int64 array of shape `(n,)`.

    Example:

    >>> session_ranks(["S2", "S1", "S2"], session_order=["S1", "S2"])  # [1, 0, 1]
    """
    sessions = np.asarray(sessions)
    if sessions.ndim != 1:
        raise ValueError(f"`sessions` must be 1-D. Received: sessions.shape={sessions.shape}")
    if session_order is None:
        if not np.issubdtype(sessions.dtype, np.integer):
            raise ValueError(
                "Without `session_order`, `sessions` must be integer ranks. "
                f"Received: sessions.dtype={sessions.dtype}"
            )
        return sessions.astype(np.int64)
    order = list(session_order)
    if len(set(order)) != len(order):
        raise ValueError(f"`session_order` must not repeat a session. Received: {order}")
    position = {session: rank for rank, session in enumerate(order)}
    unknown = sorted({str(s) for s in sessions.tolist() if s not in position})
    if unknown:
        raise ValueError(
            f"Every session must appear in `session_order`. Received: unknown sessions={unknown}"
        )
    return np.array([position[s] for s in sessions.tolist()], dtype=np.int64)


def enrolment_mask(identities, ranks):
    """Marks the images taken in their identity's earliest session (the enrolment images).

    Args:
        identities: array-like, shape `(n,)`.
        ranks: int array-like of session ranks, shape `(n,)`.

    Returns:
        bool array of shape `(n,)`: True for gallery images, False for probe images.

    Example:

    >>> enrolment_mask(["a", "a", "b", "b"], [0, 1, 1, 2])  # [True, False, True, False]
    """
    identities = np.asarray(identities)
    ranks = np.asarray(ranks)
    _, inverse = np.unique(identities, return_inverse=True)
    earliest = np.full(inverse.max() + 1, np.iinfo(np.int64).max)
    np.minimum.at(earliest, inverse, ranks)
    return ranks == earliest[inverse]
