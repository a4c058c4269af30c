"""Loading InsightFace's converted MXNet weights (`resnet100.npy`) into a backbone."""

import dataclasses
import os

import keras
import numpy as np

from lateral_keras.models.insightface_mmdnn import flatten_mmdnn_dict

# Keys of InsightFace's "E" output block and input constants: the embedding
# head replaces the block (its `pre_fc1` size is tied to a 112x112 input) and
# the backbone's "input_scaling" layer does `(x - 127.5) / 128` itself.
IGNORED_PREFIXES = ("bn1_", "pre_fc1_", "fc1_", "minusscalar0", "mulscalar0")
_SHOWN_KEYS = 10


@dataclasses.dataclass(frozen=True)
class InsightFaceLoadReport:
    """What `load_insightface_npy` did, as sorted tuples of key names.

    Attributes:
        loaded: keys copied into the model.
        missing: model keys absent from the file (left as they were).
        unexpected: file keys that match nothing in the model.
        ignored: output-block and input-constant keys, skipped on purpose.
    """

    loaded: tuple
    missing: tuple
    unexpected: tuple
    ignored: tuple


def insightface_variable_map(model):
    """Maps MXNet InsightFace key names to the model's variables.

    Conv2D `X` -> `X_weight`; BatchNormalization `X` -> `X_gamma`, `X_beta`,
    `X_moving_mean`, `X_moving_var`; PReLU `X` -> `X_gamma` (per channel).
    Other layers carry no InsightFace weights.

    Args:
        model: a backbone from `insight_resnet` / `build_backbone("Insight_ResNet100", ...)`.

    Returns:
        Dict key -> `(variable, to_mxnet, to_keras)`, the last two being numpy
        transposes for conv kernels (Keras `(kh, kw, in, out)` <-> MXNet
        `(out, in, kh, kw)`) or `None` for a reshape only.

    Example:
        >>> sorted(insightface_variable_map(backbone))[:2]
        ['bn0_beta', 'bn0_gamma']
    """
    mapping = {}
    for layer in model._flatten_layers(include_self=False, recursive=True):
        name = layer.name
        if isinstance(layer, keras.layers.Conv2D):
            mapping[f"{name}_weight"] = (layer.kernel, (3, 2, 0, 1), (2, 3, 1, 0))
        elif isinstance(layer, keras.layers.BatchNormalization):
            for key, variable in (
                ("gamma", layer.gamma),
                ("beta", layer.beta),
                ("moving_mean", layer.moving_mean),
                ("moving_var", layer.moving_variance),
            ):
                mapping[f"{name}_{key}"] = (variable, None, None)
        elif isinstance(layer, keras.layers.PReLU):
            mapping[f"{name}_gamma"] = (layer.alpha, None, None)
    return mapping


def insightface_weight_dict(model):
    """Exports the model's weights as a flat MXNet-named dict (the inverse of loading).

    Args:
        model: an InsightFace-style backbone (see `insightface_variable_map`).

    Returns:
        Dict key -> numpy array in MXNet layout (conv `(out, in, kh, kw)`,
        PReLU and BatchNorm `(channels,)`), ready for `np.save(path, d)`.

    Example:
        >>> np.save("r100.npy", insightface_weight_dict(backbone))
    """
    exported = {}
    for key, (variable, to_mxnet, _) in insightface_variable_map(model).items():
        value = keras.ops.convert_to_numpy(variable)
        exported[key] = value.transpose(to_mxnet) if to_mxnet else value.reshape(-1)
    return exported


def _read_npy(path):
    if not os.path.isfile(path):
        raise FileNotFoundError(f"InsightFace weight file not found. Received: path={path!r}")
    try:
        loaded = np.load(path, allow_pickle=True)
    except UnicodeError:  # a Python 2 pickle, as some MMdnn conversions are
        loaded = np.load(path, allow_pickle=True, encoding="latin1")
    if isinstance(loaded, np.ndarray) and loaded.dtype == object and loaded.shape == ():
        loaded = loaded.item()
    if not isinstance(loaded, dict):
        raise ValueError(
            f"{path!r} must hold a pickled dict of name -> array (np.save of a dict). "
            f"Received: {type(loaded).__name__}"
        )
    loaded = {k.decode() if isinstance(k, bytes) else k: v for k, v in loaded.items()}
    if any(isinstance(v, dict) for v in loaded.values()):
        loaded = flatten_mmdnn_dict(loaded)
    return loaded


def _shown(keys):
    more = f" and {len(keys) - _SHOWN_KEYS} more" if len(keys) > _SHOWN_KEYS else ""
    return f"{list(keys[:_SHOWN_KEYS])}{more}"


def load_insightface_npy(model, path, *, strict=True):
    """Loads InsightFace MXNet weights, converted to a `.npy` dict, into `model`.

    The file is `np.save(path, weights)` of a dict (read with
    `np.load(path, allow_pickle=True).item()`; pickle runs code, so only load
    files you trust). Flat MXNet keys and layouts, as in InsightFace's
    `fresnet.py` (LResNet100E-IR: stages 1-4 with 3, 13, 30, 3 units):

    - stem: `conv0_weight` `(64, 3, 3, 3)`; `bn0_{gamma,beta,moving_mean,moving_var}`
      `(64,)`; `relu0_gamma` `(64,)` (PReLU slopes);
    - unit `u` of stage `s` (`stage{s}_unit{u}_` + ...): `bn1_*` `(in,)`,
      `conv1_weight` `(out, in, 3, 3)`, `bn2_*` `(out,)`, `relu1_gamma` `(out,)`,
      `conv2_weight` `(out, out, 3, 3)`, `bn3_*` `(out,)`; first unit of each
      stage also `conv1sc_weight` `(out, in, 1, 1)` and `sc_*` `(out,)` (BN of
      the shortcut);
    - ignored (reported in `ignored`): the "E" output block `bn1_*`,
      `pre_fc1_weight` `(512, 512*7*7)`, `pre_fc1_bias`, `fc1_*` (BatchNorm of
      the embedding), which the embedding head replaces and whose size fits a
      112x112 input only; and MMdnn's input constants `minusscalar0_second`,
      `mulscalar0_second`.

    Conv weights go from MXNet `(out, in, kh, kw)` to Keras `(kh, kw, in, out)`.
    A dict in MMdnn's nested format (`{layer: {"weights", "mean", ...}}`) is
    accepted too (see `flatten_mmdnn_dict`). Nothing is assigned unless every
    shape fits (and, when `strict`, no key is missing or unexpected).

    Args:
        model: a backbone from `build_backbone("Insight_ResNet100", ...)` or
            `insight_resnet(...)`; any input size (the body is convolutional).
        path: path of the `.npy` file.
        strict: bool; when True, missing or unexpected keys raise.

    Returns:
        An `InsightFaceLoadReport`.

    Raises:
        ValueError: a shape mismatch (names the key and both shapes in MXNet
            layout), or with `strict` missing / unexpected keys (listed).
        FileNotFoundError: no file at `path`.

    Example:
        >>> backbone = build_backbone("Insight_ResNet100", (112, 112, 3))
        >>> report = load_insightface_npy(backbone, "pre_models/resnet100/resnet100.npy")
        >>> report.missing
        ()
    """
    if not isinstance(strict, bool):
        raise ValueError(f"`strict` must be a bool. Received: strict={strict!r}")
    path = os.fspath(path)
    weights = _read_npy(path)
    mapping = insightface_variable_map(model)
    ignored = sorted(k for k in weights if k.startswith(IGNORED_PREFIXES))
    unexpected = sorted(k for k in weights if k not in mapping and k not in ignored)
    missing = sorted(k for k in mapping if k not in weights)
    if strict and (missing or unexpected):
        raise ValueError(
            f"{path!r} does not match the backbone {model.name!r}: "
            f"missing keys {_shown(missing)}; unexpected keys {_shown(unexpected)}. "
            "Pass strict=False to load the keys that match."
        )
    updates = []
    for key in sorted(k for k in mapping if k in weights):
        variable, to_mxnet, to_keras = mapping[key]
        value = np.asarray(weights[key])
        if to_mxnet:
            expected = tuple(variable.shape[i] for i in to_mxnet)
        else:
            expected = (int(np.prod(variable.shape)),)
        if value.shape != expected:
            raise ValueError(
                f"InsightFace weight {key!r} in {path!r} has shape {value.shape}; the "
                f"backbone expects {expected} (MXNet layout)."
            )
        value = value.transpose(to_keras) if to_keras else value.reshape(variable.shape)
        updates.append((variable, value))
    for variable, value in updates:
        variable.assign(value.astype(variable.dtype))
    return InsightFaceLoadReport(
        loaded=tuple(sorted(k for k in mapping if k in weights)),
        missing=tuple(missing),
        unexpected=tuple(unexpected),
        ignored=tuple(ignored),
    )
