"""Does an exported model give the same codes as the run's Keras models on the same ROIs?"""

import secrets

import numpy as np

from lateral_keras.export.formats import load_exported
from lateral_keras.export.inference_model import code_shape
from lateral_keras.export.key_tables import key_inputs


def reference_outputs(embedder, code_model, rois, key):
    """The run's own Keras path: embedder, code model, then `KeyedCodes` with `key`.

    Args:
        embedder: the stage-one embedder.
        code_model: the stage-two code model, or None (embedding only).
        rois: float32 `(n, h, w, 3)` in [0, 255].
        key: the key of the codes.

    Returns:
        `{"embedding": (n, d)}` and, with a code model, `"codes": (n, m)` int32.
    """
    from lateral_keras.layers import KeyedCodes

    embedding = np.asarray(embedder.predict(rois, verbose=0))
    out = {"embedding": embedding}
    if code_model is not None:
        m, q = code_shape(code_model)
        keyed = KeyedCodes(m=m, q=q)
        keyed.set_key(key)
        codes = code_model.predict(embedding, verbose=0)
        out["codes"] = np.asarray(keyed(codes), dtype=np.int32)
    return out


def check_export(path, fmt, embedder, code_model, rois, *, key=None, atol=1e-4):
    """Run the exported model and the Keras models on `rois`; compare codes and embeddings.

    Args:
        path: the exported file or folder.
        fmt: its format (`keras`, `savedmodel`, `tflite`).
        embedder: the run's stage-one embedder.
        code_model: the run's code model, or None when only the embedding was exported.
        rois: float32 `(n, h, w, 3)` in [0, 255] (the evaluation path's ROIs).
        key: the key for the comparison (default: a fresh random key, never stored).
        atol: tolerance on the embedding.

    Returns:
        Dict: `rois`, `codes_identical` (bool or None without codes), `code_mismatches`
        (differing code values), `embedding_max_abs_diff` (or None), `ok`.

    Example:
        >>> check_export("fish.tflite", "tflite", embedder, codes, rois)["ok"]  # doctest: +SKIP
        True
    """
    key = secrets.token_bytes(16) if key is None else key
    rois = np.asarray(rois, dtype=np.float32)
    reference = reference_outputs(embedder, code_model, rois, key)
    run = load_exported(path, fmt)
    inputs = {"roi": rois}
    if code_model is not None:
        inputs.update(key_inputs(key, *code_shape(code_model)))
    exported = run(inputs)
    result = {"rois": len(rois), "codes_identical": None, "code_mismatches": 0,
              "embedding_max_abs_diff": None}
    if "codes" in exported:
        mismatches = int(np.sum(exported["codes"] != reference["codes"]))
        result.update(codes_identical=mismatches == 0, code_mismatches=mismatches)
    if "embedding" in exported:
        diff = np.abs(exported["embedding"] - reference["embedding"])
        result["embedding_max_abs_diff"] = float(diff.max())
    result["ok"] = result["codes_identical"] is not False and (
        result["embedding_max_abs_diff"] is None or result["embedding_max_abs_diff"] <= atol
    )
    return result
