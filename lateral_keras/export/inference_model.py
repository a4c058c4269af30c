"""The deployable inference model: ROI image in, keyed IoM codes and/or embedding out."""

import keras

from lateral_keras.export.key_tables import ApplyKeyTables

OUTPUTS = ("codes", "embedding", "both")


def code_shape(code_model):
    """`(m, q)` of a run's code model (embedding -> argmax codes), read from its projection."""
    from lateral_keras.layers import IoMProjection

    for layer in code_model.layers:
        if isinstance(layer, IoMProjection):
            return layer.m, layer.q
    raise ValueError(f"The code model {code_model.name!r} holds no IoMProjection layer.")


def build_inference_model(embedder, code_model=None, outputs="codes"):
    """Chain a run's embedder and code model into one model to export.

    Inputs: `roi`, float32 `(batch, h, w, 3)` in [0, 255] at the embedder's input size (the
    cached ROI after the evaluation path's resize and centre crop); with codes, also the key
    tables `key_values` int32 `(m * q,)` and `key_positions` int32 `(m,)` from `key_inputs`
    (the key never enters the model or its file). Outputs: a dict with `codes` (int32
    `(batch, m)`, keyed) and/or `embedding` (float32 `(batch, d)`).

    Args:
        embedder: the stage-one embedder (`models/embedder.keras`).
        code_model: the stage-two code model (`models/iom_codes.keras`); needed for codes.
        outputs: `"codes"`, `"embedding"` or `"both"`.

    Returns:
        A functional `keras.Model` sharing the given models' weights.

    Raises:
        ValueError: unknown `outputs`, or codes asked without a code model.

    Example:
        >>> model = build_inference_model(embedder, codes, "both")  # doctest: +SKIP
        >>> model({"roi": rois, **key_inputs(key, 256, 8)})["codes"].shape  # doctest: +SKIP
        TensorShape([4, 256])
    """
    if outputs not in OUTPUTS:
        raise ValueError(f"`outputs` must be one of {OUTPUTS}. Received: outputs={outputs!r}")
    if outputs != "embedding" and code_model is None:
        raise ValueError(f"outputs={outputs!r} needs the stage-two code model.")
    roi = keras.Input(tuple(embedder.input_shape[1:]), name="roi")
    embedding = embedder(roi)
    inputs, results = {"roi": roi}, {}
    if outputs != "embedding":
        m, q = code_shape(code_model)
        values = keras.Input(batch_shape=(m * q,), dtype="int32", name="key_values")
        positions = keras.Input(batch_shape=(m,), dtype="int32", name="key_positions")
        inputs.update(key_values=values, key_positions=positions)
        codes = code_model(embedding)
        results["codes"] = ApplyKeyTables(m, q, name="codes")(codes, values, positions)
    if outputs != "codes":
        results["embedding"] = keras.layers.Identity(name="embedding")(embedding)
    return keras.Model(inputs, results, name=f"lateral_{outputs}")
