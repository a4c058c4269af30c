"""Loading ``.keras`` files that hold lateral_keras components."""

import keras


def load_model(path, **kwargs):
    """Load a ``.keras`` model after registering every lateral_keras layer, loss and metric.

    ``keras.models.load_model`` finds custom classes only once their modules were imported;
    this imports them first, so a saved embedder or code model loads in a fresh process.

    Args:
        path: the ``.keras`` file.
        **kwargs: passed to ``keras.models.load_model``.

    Returns:
        The model.

    Example:
        >>> embedder = load_model("runs/synthetic_default/models/embedder.keras")  # doctest: +SKIP
    """
    import lateral_keras.export  # noqa: F401
    import lateral_keras.layers  # noqa: F401
    import lateral_keras.losses  # noqa: F401
    import lateral_keras.metrics  # noqa: F401
    import lateral_keras.models  # noqa: F401
    from lateral_keras.preprocessing import augment_crop, augment_saturation  # noqa: F401

    return keras.models.load_model(path, **kwargs)
