"""The one error type of gallery files and searches."""


class GalleryError(ValueError):
    """A gallery file or search that cannot be used, with the file and what to do.

    Raised for a corrupt or truncated file, an unknown format version, a search with codes of
    another model, other code settings or another key, and bad enrolment input. The message
    names the gallery (its file, or ``<in-memory gallery>``) and says how to fix it.

    Example:
        >>> raise GalleryError("fish.npz: not a lateral_keras gallery")  # doctest: +SKIP
    """
