"""Write an inference model as `.keras`, TensorFlow SavedModel or TFLite; load it back to run.

TFLite is converted with the built-in op set only (no Flex / TF Select delegate), so the file
runs on the plain TFLite (LiteRT) runtime. When a model holds an op TFLite cannot express,
`export_model` raises `UnsupportedOpsError` naming the ops; the SavedModel export of the same
model runs them (TensorFlow Serving, `tf.saved_model.load`).
"""

import os
import re
import shutil
import tempfile

import numpy as np

from lateral_keras.utils.atomic import write_bytes

FORMATS = ("keras", "savedmodel", "tflite")
SUFFIXES = {"keras": ".keras", "savedmodel": "", "tflite": ".tflite"}


class UnsupportedOpsError(ValueError):
    """TFLite's built-in op set cannot express some of the model's ops (named in the message)."""


def _check_format(fmt):
    if fmt not in FORMATS:
        raise ValueError(f"`fmt` must be one of {FORMATS}. Received: fmt={fmt!r}")


def _saved_model(model, path):
    if os.path.exists(path):
        shutil.rmtree(path)
    model.export(path, format="tf_saved_model", verbose=False)


def _tflite_bytes(model):
    import tensorflow as tf

    with tempfile.TemporaryDirectory(prefix="lateral-export-") as folder:
        _saved_model(model, os.path.join(folder, "saved_model"))
        converter = tf.lite.TFLiteConverter.from_saved_model(os.path.join(folder, "saved_model"))
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS]
        try:
            return converter.convert()
        except Exception as err:  # the converter raises its own ConverterError / RuntimeError
            ops = re.findall(r"TF Select ops: ([^\n]+)", str(err))
            named = ops[0] if ops else str(err).splitlines()[0][:300]
            raise UnsupportedOpsError(
                f"TFLite's built-in ops cannot express: {named}. Export --format savedmodel "
                "instead (it runs every TensorFlow op), or replace these ops in the model."
            ) from err


def export_model(model, path, fmt):
    """Write `model` in format `fmt` at `path` (a `.keras` / `.tflite` file, or a folder).

    Args:
        model: the inference model (`build_inference_model`).
        path: output file (`keras`, `tflite`) or folder (`savedmodel`); replaced if present.
        fmt: one of `FORMATS`.

    Returns:
        `path`.

    Raises:
        ValueError: unknown `fmt`, or a `.keras` path without that suffix.
        UnsupportedOpsError: `tflite` with an op outside TFLite's built-in set.

    Example:
        >>> export_model(model, "fish.tflite", "tflite")  # doctest: +SKIP
        'fish.tflite'
    """
    _check_format(fmt)
    if fmt == "keras":
        if not str(path).endswith(".keras"):
            raise ValueError(f"A Keras export needs a .keras file name. Received: path={path!r}")
        tmp = f"{path}.tmp.keras"
        model.save(tmp)
        os.replace(tmp, path)
    elif fmt == "savedmodel":
        _saved_model(model, path)
    else:
        write_bytes(path, _tflite_bytes(model))
    return path


def load_exported(path, fmt):
    """Load an exported model as a function `inputs dict -> outputs dict of NumPy arrays`.

    Args:
        path: what `export_model` wrote.
        fmt: its format.

    Returns:
        A function taking `{"roi": ..., "key_values": ..., "key_positions": ...}` (the key
        inputs only when the model outputs codes).

    Example:
        >>> run = load_exported("fish.tflite", "tflite")  # doctest: +SKIP
        >>> run({"roi": rois, **key_inputs(key, 256, 8)})["codes"].shape  # doctest: +SKIP
        (4, 256)
    """
    _check_format(fmt)
    if fmt == "keras":
        import lateral_keras.export  # noqa: F401  (registers ApplyKeyTables)
        from lateral_keras.saving import load_model

        model = load_model(path)
        return lambda inputs: {k: np.asarray(v) for k, v in model(inputs).items()}
    import tensorflow as tf

    if fmt == "savedmodel":
        serve = tf.saved_model.load(path).signatures["serving_default"]
        return lambda inputs: {
            k: v.numpy() for k, v in serve(**{n: tf.constant(a) for n, a in inputs.items()}).items()
        }
    try:
        from ai_edge_litert.interpreter import Interpreter
    except ImportError:  # TensorFlow's own copy (deprecated, still shipped with TF 2.21)
        Interpreter = tf.lite.Interpreter
    interpreter = Interpreter(model_path=str(path))
    runner = interpreter.get_signature_runner("serving_default")
    return lambda inputs: {k: np.asarray(v) for k, v in runner(**inputs).items()}
