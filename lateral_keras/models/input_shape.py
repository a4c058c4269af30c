"""Validation of a backbone's image input shape."""

import numbers


def check_input_shape(input_shape, *, min_size=1):
    """Checks an `(height, width, 3)` image shape and returns it as a tuple of ints.

    Args:
        input_shape: sequence `(height, width, channels)`; height and width
            are ints `>= min_size` (non-square allowed), channels must be 3.
        min_size: smallest allowed height and width, `int >= 1`.

    Returns:
        The shape as a tuple `(height, width, 3)` of Python ints.

    Example:
        >>> check_input_shape([64, 256, 3])
        (64, 256, 3)
    """
    try:
        shape = tuple(input_shape)
    except TypeError:
        raise ValueError(
            f"`input_shape` must be a sequence (height, width, 3). Received: "
            f"input_shape={input_shape!r}"
        ) from None
    valid = len(shape) == 3 and all(
        isinstance(d, numbers.Integral) and not isinstance(d, bool) for d in shape
    )
    if not valid or shape[2] != 3:
        raise ValueError(
            f"`input_shape` must be (height, width, 3) with int sizes. Received: "
            f"input_shape={input_shape!r}"
        )
    if min(shape[:2]) < min_size:
        raise ValueError(
            f"`input_shape` height and width must be >= {min_size} for this backbone. "
            f"Received: input_shape={input_shape!r}"
        )
    return tuple(int(d) for d in shape)
