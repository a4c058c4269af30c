"""Flattening an MMdnn-converted InsightFace weight dict to MXNet key names."""

import numpy as np


def flatten_mmdnn_dict(nested):
    """Converts MMdnn's `{layer: {"weights", "bias", ...}}` dict to flat MXNet keys.

    `mmtoir -f mxnet ...` (how InsightFace models were usually brought to
    TensorFlow, and the likely origin of the original `resnet100.npy`) stores
    one dict per layer: convolutions `{"weights": (kh, kw, in, out)}`, dense
    layers `{"weights": (in, out), "bias"}`, BatchNorm `{"mean", "var",
    "scale", "bias"}` (no `"scale"` when MXNet fixed gamma to 1), PReLU
    `{"gamma"}`, and the input constants `{"value"}`. The result uses the flat
    MXNet names and layouts documented in `load_insightface_npy`.

    Args:
        nested: dict of layer name -> dict of arrays.

    Returns:
        Flat dict of MXNet key -> array (conv weights as `(out, in, kh, kw)`,
        dense weights as `(out, in)`); `{"value"}` entries become `<name>_value`.

    Example:
        >>> flatten_mmdnn_dict({"relu0": {"gamma": np.ones(64)}})
        {'relu0_gamma': array([1., ...])}
    """
    flat = {}
    for layer, params in nested.items():
        if not isinstance(params, dict):
            raise ValueError(
                f"An MMdnn weight dict maps layer names to dicts of arrays. "
                f"Received: {layer!r} -> {type(params).__name__}"
            )
        if "mean" in params:
            mean = np.asarray(params["mean"])
            flat[f"{layer}_moving_mean"] = mean
            flat[f"{layer}_moving_var"] = np.asarray(params["var"])
            flat[f"{layer}_gamma"] = np.asarray(params.get("scale", np.ones_like(mean)))
            flat[f"{layer}_beta"] = np.asarray(params.get("bias", np.zeros_like(mean)))
            continue
        for field, value in params.items():
            value = np.asarray(value)
            if field == "weights" and value.ndim == 4:
                value = value.transpose(3, 2, 0, 1)
            elif field == "weights" and value.ndim == 2:
                value = value.T
            suffix = {"weights": "weight"}.get(field, field)
            flat[f"{layer}_{suffix}"] = value
    return flat
