"""The one check of an IoM code size, shared by every layer and function that takes m and q."""


def check_code_size(m, q):
    """Raise ``ValueError`` unless ``m`` is an int >= 1 and ``q`` an int >= 2.

    Args:
        m: number of IoM groups (code length).
        q: group size (codes take values ``0..q-1``).

    Example:
        >>> check_code_size(256, 8)
    """
    if isinstance(m, bool) or not isinstance(m, int) or m < 1:
        raise ValueError(f"`m` must be an int >= 1. Received: m={m}")
    if isinstance(q, bool) or not isinstance(q, int) or q < 2:
        raise ValueError(f"`q` must be an int >= 2. Received: q={q}")
