"""Type and range checks of single config values against the schema's field metadata."""

import types

from lateral_keras.config.errors import ConfigError


def _allows_none(annotation):
    return isinstance(annotation, types.UnionType) and type(None) in annotation.__args__


def _base_type(annotation):
    if isinstance(annotation, types.UnionType):
        return next(t for t in annotation.__args__ if t is not type(None))
    return annotation


def _type_name(annotation):
    name = _base_type(annotation).__name__
    return f"{name} or null" if _allows_none(annotation) else name


def _check_bounds(value, meta, where, key):
    lo, hi = meta.get("min"), meta.get("max")
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        lo_s = "-inf" if lo is None else lo
        hi_s = "inf" if hi is None else hi
        raise ConfigError(
            f"{where}: '{key}' must be in [{lo_s}, {hi_s}]. Received: {key}={value!r}"
        )


def _coerce_scalar(value, base, meta, where, key, expected):
    if base is bool:
        ok = isinstance(value, bool)
    elif base is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif base is float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        value = float(value) if ok else value
    elif base is str:
        ok = isinstance(value, str)
    else:
        ok = isinstance(value, base)
    if not ok:
        raise ConfigError(
            f"{where}: '{key}' must be {expected}. Received: {key}={value!r} "
            f"({type(value).__name__})"
        )
    if base in (int, float):
        _check_bounds(value, meta, where, key)
    return value


def _holds_whole_numbers(f):
    """Whether a list field's default is a non-empty list of ints (sizes, counts, grids)."""
    default = f.default_factory() if callable(f.default_factory) else f.default
    return bool(default) and isinstance(default, list) and all(
        isinstance(item, int) and not isinstance(item, bool) for item in default
    )


def check_value(key, value, f, where):
    """Validate and normalise ``value`` for the schema field ``f``.

    Args:
        key: dotted setting name, for messages.
        value: the value read from YAML or ``--set``.
        f: the ``dataclasses.Field`` of the schema.
        where: the file name (or ``--set``), for messages.

    Returns:
        The value, converted where lossless (int -> float; an int for a 2-list of sizes
        becomes ``[n, n]``).

    Raises:
        ConfigError: naming ``where``, the key, the value and what was expected.
    """
    meta = f.metadata
    if value is None:
        if _allows_none(f.type):
            return None
        raise ConfigError(f"{where}: '{key}' must not be empty; expected {_type_name(f.type)}.")
    base = _base_type(f.type)
    if base is list:
        length = meta.get("length")
        if length == 2 and isinstance(value, int) and not isinstance(value, bool):
            value = [value, value]
        if not isinstance(value, (list, tuple)):
            raise ConfigError(
                f"{where}: '{key}' must be a list{f' of {length} values' if length else ''}. "
                f"Received: {key}={value!r}"
            )
        if length is not None and len(value) != length:
            raise ConfigError(
                f"{where}: '{key}' must have {length} values. Received: {key}={list(value)!r}"
            )
        odd = meta.get("odd", False)
        whole = odd or _holds_whole_numbers(f)
        for item in value:
            if whole and (not isinstance(item, int) or isinstance(item, bool)):
                raise ConfigError(
                    f"{where}: every value of '{key}' must be a whole number. "
                    f"Received: {key}={list(value)!r}"
                )
            if odd and item % 2 == 0:
                raise ConfigError(
                    f"{where}: every value of '{key}' must be odd (a window centred on a "
                    f"pixel). Received: {key}={list(value)!r}"
                )
            if isinstance(item, (int, float)) and not isinstance(item, bool):
                _check_bounds(item, meta, where, key)
            if meta.get("choices") is not None and item not in meta["choices"]:
                raise ConfigError(
                    f"{where}: every value of '{key}' must be one of "
                    f"{', '.join(map(str, meta['choices']))}. Received: {key}={list(value)!r}"
                )
        return list(value)
    choices = meta.get("choices")
    if choices is not None:
        if value not in choices:
            raise ConfigError(
                f"{where}: '{key}' must be one of {', '.join(map(str, choices))}. "
                f"Received: {key}={value!r}"
            )
        return value
    return _coerce_scalar(value, base, meta, where, key, _type_name(f.type))
