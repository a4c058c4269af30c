"""Session ordering: natural sort by default, or an explicit list from the config."""

import re

_DIGITS = re.compile(r"(\d+)")


def natural_sort_key(name):
    """A sort key that compares digit runs as numbers: ``SESSION2`` < ``SESSION10``.

    Letters compare case-insensitively; the name itself breaks remaining ties.

    Args:
        name: a string.

    Returns:
        A tuple usable as ``key=`` in ``sorted``.

    Example:
        >>> sorted(["SESSION10", "SESSION2", "SESSION1_ST"], key=natural_sort_key)
        ['SESSION1_ST', 'SESSION2', 'SESSION10']
    """
    parts = _DIGITS.split(name)
    return tuple(int(p) if i % 2 else p.lower() for i, p in enumerate(parts)), name


def order_sessions(names, session_order=None, *, source):
    """Order session names by ``session_order``, or naturally when it is None.

    Args:
        names: the session names found in the data (any order, duplicates allowed).
        session_order: optional list of session names, earliest first; it may name
            sessions absent from the data, but every session in the data must be in it.
        source: the folder or file the names come from, named in errors.

    Returns:
        A tuple of the distinct names, earliest first.

    Raises:
        ValueError: ``session_order`` has duplicates or misses a session of the data.

    Example:
        >>> order_sessions(["S2", "S1_LT", "S1_ST"], ["S1_ST", "S1_LT", "S2"], source="data/")
        ('S1_ST', 'S1_LT', 'S2')
    """
    found = set(names)
    if session_order is None:
        return tuple(sorted(found, key=natural_sort_key))
    if isinstance(session_order, str) or not all(isinstance(s, str) for s in session_order):
        raise ValueError(
            f"`session_order` must be a list of session names. Received: {session_order!r}"
        )
    duplicates = sorted({s for s in session_order if list(session_order).count(s) > 1})
    if duplicates:
        raise ValueError(f"`session_order` names sessions more than once: {duplicates}")
    missing = sorted(found - set(session_order), key=natural_sort_key)
    if missing:
        raise ValueError(
            f"{source} has sessions that `session_order` does not list: {missing}. "
            f"Add them to `session_order` (now {list(session_order)})."
        )
    return tuple(s for s in session_order if s in found)
