"""`build_backbone`: the backbone named by the config's `backbone_type`."""

import os

from lateral_keras.models.applications import APPLICATIONS, application_backbone
from lateral_keras.models.insight_resnet import insight_resnet
from lateral_keras.models.insightface_npy import load_insightface_npy
from lateral_keras.models.local_weights import load_local_weights
from lateral_keras.models.resnet18 import resnet18
from lateral_keras.models.small_cnn import small_cnn

BACKBONE_TYPES = ("ResNet50", "MobileNetV2", "VGG16", "ResNet18", "SmallCNN", "Insight_ResNet100")

_OWN_BUILDERS = {
    "ResNet18": (resnet18, "resnet18"),
    "SmallCNN": (small_cnn, "small_cnn"),
    "Insight_ResNet100": (insight_resnet, "insight_resnet100"),
}


def build_backbone(backbone_type, input_shape, *, weights=None, name=None):
    """Builds the feature extractor named `backbone_type` (no pooling, no top).

    Every backbone takes RGB images as float32 in [0, 255] and scales them
    itself (first layer `"input_scaling"`). Feature map for a `(h, w, 3)` input
    (64x256 in brackets):

    | type | output shape | params |
    | --- | --- | --- |
    | `SmallCNN` | `(ceil(h/16), ceil(w/16), 128)` [(4, 16, 128)] | 0.3 M |
    | `ResNet18` | `(ceil(h/16), ceil(w/16), 256)` [(4, 16, 256)] | 2.8 M |
    | `MobileNetV2` | `(ceil(h/32), ceil(w/32), 1280)` [(2, 8, 1280)] | 2.3 M |
    | `ResNet50` | `(ceil(h/32), ceil(w/32), 2048)` [(2, 8, 2048)] | 23.6 M |
    | `VGG16` | `(floor(h/32), floor(w/32), 512)` [(2, 8, 512)] | 14.7 M |
    | `Insight_ResNet100` | `(ceil(h/16), ceil(w/16), 512)` [(4, 16, 512)] | 52.4 M |

    `ResNet50`, `MobileNetV2` and `VGG16` need height and width >= 32.
    `Insight_ResNet100` stops before InsightFace's "E" output block, which the
    embedding head replaces; load its converted MXNet weights with
    `load_insightface_npy`.

    Args:
        backbone_type: one of `BACKBONE_TYPES`.
        input_shape: `(height, width, 3)`; non-square allowed.
        weights: `None` (random initialisation) or the path of a local
            `.weights.h5` / `.keras` / `.h5` file: one saved from a backbone of
            the same type and input channels or, for the `keras.applications`
            types, the application's own `include_top=False` file; for
            `Insight_ResNet100` also InsightFace's converted `.npy` dict
            (loaded strictly with `load_insightface_npy`). Nothing is ever
            downloaded.
        name: model name; defaults to the lower-cased type.

    Returns:
        A `keras.Model` from `(batch, h, w, 3)` to `(batch, h', w', channels)`.

    Raises:
        ValueError: unknown `backbone_type`, bad `input_shape`, or a weight file
            that does not fit (the message names the file).

    Example:
        >>> build_backbone("SmallCNN", (64, 256, 3)).output_shape
        (None, 4, 16, 128)
    """
    if backbone_type not in BACKBONE_TYPES:
        raise ValueError(
            f"Unknown `backbone_type`; valid names are {list(BACKBONE_TYPES)}. "
            f"Received: backbone_type={backbone_type!r}"
        )
    if weights is not None and not isinstance(weights, (str, os.PathLike)):
        raise ValueError(
            f"`weights` must be None or the path of a local weight file. "
            f"Received: weights={weights!r}"
        )
    if backbone_type in APPLICATIONS:
        model = application_backbone(backbone_type, input_shape, name=name)
        fallback = model.get_layer("application")
    else:
        builder, default_name = _OWN_BUILDERS[backbone_type]
        model = builder(input_shape, name=name or default_name)
        fallback = None
    if weights is None:
        return model
    if backbone_type == "Insight_ResNet100" and os.fspath(weights).endswith(".npy"):
        load_insightface_npy(model, weights)
    else:
        load_local_weights(model, weights, fallback=fallback)
    return model
