"""Preprocessing: skin-ROI extraction, the ROI cache and report, and augmentation (SPEC 2).

Names are imported on first use (PEP 562), so the extractor's process-pool workers and the
`lateral prepare` command never import Keras or TensorFlow; the Keras layers (`RandomCrop`,
`RandomSaturation`, `RoiExtractor`) register themselves for `.keras` loading once imported.

Example:
    >>> from lateral_keras.preprocessing import ExtractorSettings, prepare_dataset
    >>> summary = prepare_dataset("data/fish", "cache/fish", ExtractorSettings())  # doctest: +SKIP
"""

import importlib

_EXPORTS = {
    "extract_roi": "extractor",
    "extract_roi_from_file": "extractor",
    "ExtractorSettings": "settings",
    "RoiResult": "result",
    "ROI_REASONS": "result",
    "load_manual_overrides": "manual",
    "ManualEntry": "manual",
    "AugmentSettings": "augment",
    "as_augment_settings": "augment",
    "build_augmentation": "augment",
    "RandomCrop": "augment_crop",
    "RandomSaturation": "augment_saturation",
    "roi_tf_dataset": "augment_pipeline",
    "tta_views": "augment_tta",
    "TTA_POSITIONS": "augment_tta",
    "RoiExtractor": "roi_layer",
    "prepare_dataset": "prepare",
    "PrepareSummary": "summary",
    "CachedRoi": "cache",
    "ROI_MODES": "cache",
    "load_roi_cache": "cache",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name):
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_EXPORTS))
