"""Backbones: image batch in [0, 255] -> feature map, plus weight loading and fine-tuning.

`build_backbone(backbone_type, input_shape, *, weights=None, name=None)` is the
entry point; the builders behind it (`small_cnn`, `resnet18`, `insight_resnet`,
`application_backbone`) take extra architecture arguments.
"""

from lateral_keras.models.applications import application_backbone
from lateral_keras.models.backbone import BACKBONE_TYPES, build_backbone
from lateral_keras.models.caffe_preprocessing import CaffePreprocessing
from lateral_keras.models.insight_resnet import insight_resnet
from lateral_keras.models.insightface_mmdnn import flatten_mmdnn_dict
from lateral_keras.models.insightface_npy import (
    InsightFaceLoadReport,
    insightface_variable_map,
    insightface_weight_dict,
    load_insightface_npy,
)
from lateral_keras.models.local_weights import load_local_weights
from lateral_keras.models.resnet18 import resnet18
from lateral_keras.models.small_cnn import small_cnn
from lateral_keras.models.trainable import set_backbone_trainable
from lateral_keras.models.unfreeze_backbone import UnfreezeBackbone

__all__ = [
    "BACKBONE_TYPES",
    "CaffePreprocessing",
    "InsightFaceLoadReport",
    "UnfreezeBackbone",
    "application_backbone",
    "build_backbone",
    "flatten_mmdnn_dict",
    "insight_resnet",
    "insightface_variable_map",
    "insightface_weight_dict",
    "load_insightface_npy",
    "load_local_weights",
    "resnet18",
    "set_backbone_trainable",
    "small_cnn",
]
