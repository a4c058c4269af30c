"""Export a run's inference model for deployment: `.keras`, SavedModel or TFLite.

The exported model maps ROI images to keyed IoM codes and/or the embedding; the protection key
is an input (its permutation tables, `key_inputs`), never part of the file. `check_export`
compares an export with the run's Keras models on the same ROIs.
"""

from lateral_keras.export.check import check_export, reference_outputs
from lateral_keras.export.formats import (
    FORMATS,
    UnsupportedOpsError,
    export_model,
    load_exported,
)
from lateral_keras.export.inference_model import OUTPUTS, build_inference_model, code_shape
from lateral_keras.export.key_tables import ApplyKeyTables, key_inputs

__all__ = [
    "FORMATS",
    "OUTPUTS",
    "ApplyKeyTables",
    "UnsupportedOpsError",
    "build_inference_model",
    "check_export",
    "code_shape",
    "export_model",
    "key_inputs",
    "load_exported",
    "reference_outputs",
]
