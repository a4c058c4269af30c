"""Loading a user-supplied weight file into a backbone (never downloading)."""

import os
import warnings

WEIGHT_SUFFIXES = (".weights.h5", ".keras", ".h5")
_MESSAGE_CHARS = 400


def load_local_weights(model, path, *, fallback=None):
    """Loads a local Keras weight file into `model`, or else into `fallback`.

    Args:
        model: the `keras.Model` to load into first (a file written by its own
            `save_weights`, or a `.keras` file of the same architecture).
        path: path of an existing `.weights.h5`, `.keras` or `.h5` file.
        fallback: optional sub-model tried when the file does not fit `model`,
            e.g. the nested `keras.applications` model, which fits the
            application's own `include_top=False` ImageNet `.h5` file.

    Returns:
        The model the weights went into (`model` or `fallback`).

    Raises:
        ValueError: unsupported suffix, or the file fits neither model (the
            message names the file and the loader's complaints).
        FileNotFoundError: no file at `path`.

    Example:
        >>> backbone.save_weights("/tmp/b.weights.h5")
        >>> load_local_weights(new_backbone, "/tmp/b.weights.h5")
    """
    path = os.fspath(path)
    if not path.endswith(WEIGHT_SUFFIXES):
        raise ValueError(
            f"`weights` must be a local file ending in one of {WEIGHT_SUFFIXES} "
            f"(nothing is downloaded). Received: weights={path!r}"
        )
    if not os.path.isfile(path):
        raise FileNotFoundError(f"Backbone weight file not found. Received: weights={path!r}")
    errors = []
    for target in (model, fallback):
        if target is None:
            continue
        try:
            with warnings.catch_warnings():
                # Keras 3.15 warns on every Functional model it loads, while the
                # weights do load; real mismatches raise below.
                warnings.filterwarnings("ignore", message="Skipping nested container")
                target.load_weights(path)
        except (ValueError, KeyError, TypeError) as error:
            errors.append(f"{target.name}: {str(error)[:_MESSAGE_CHARS]}")
            continue
        return target
    raise ValueError(
        f"The weight file {path!r} does not fit the backbone {model.name!r}. "
        f"Loader messages: {' | '.join(errors)}"
    )
