"""An exclusive lock file, so concurrent tuner workers train a shared stage one only once."""

import contextlib
import fcntl
import os


@contextlib.contextmanager
def file_lock(path):
    """Hold an exclusive ``flock`` on ``path`` (created) for the ``with`` block.

    The lock is released when the block ends or the process dies, so a killed worker never
    leaves a stale lock behind.

    Args:
        path: the lock file.

    Example:
        >>> with file_lock("/tmp/stage_one.lock"):  # doctest: +SKIP
        ...     train_once()
    """
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
