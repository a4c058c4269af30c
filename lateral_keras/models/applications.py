"""ResNet50, MobileNetV2 and VGG16 from `keras.applications` as backbones."""

import keras

from lateral_keras.models.caffe_preprocessing import CaffePreprocessing
from lateral_keras.models.input_shape import check_input_shape

# backbone type -> (application constructor name, input scaling mode)
APPLICATIONS = {
    "ResNet50": ("ResNet50", "caffe"),
    "MobileNetV2": ("MobileNetV2", "tf"),
    "VGG16": ("VGG16", "caffe"),
}


def application_backbone(backbone_type, input_shape, *, name=None):
    """Builds a randomly initialised `keras.applications` feature extractor.

    The application is built with `include_top=False, weights=None` (never
    downloaded) and nested as the layer named `"application"`, behind its own
    input scaling, so the backbone takes RGB pixels in [0, 255]:
    `ResNet50` and `VGG16` use the `caffe` mode (BGR minus ImageNet means),
    `MobileNetV2` the `tf` mode (scaled to [-1, 1]). A local ImageNet file for
    the bare application can be loaded into `backbone.get_layer("application")`.

    Output feature map, no pooling (`ceil` = round up, `floor` = round down):
        ResNet50: `(ceil(h / 32), ceil(w / 32), 2048)`, e.g. 64x256 -> (2, 8, 2048).
        MobileNetV2: `(ceil(h / 32), ceil(w / 32), 1280)`, e.g. 64x256 -> (2, 8, 1280).
        VGG16: `(floor(h / 32), floor(w / 32), 512)`, e.g. 75x320 -> (2, 10, 512).

    Args:
        backbone_type: one of `"ResNet50"`, `"MobileNetV2"`, `"VGG16"`.
        input_shape: `(height, width, 3)`, height and width `>= 32`.
        name: model name; defaults to the lower-cased backbone type.

    Returns:
        A `keras.Model` from `(batch, h, w, 3)` float pixels to the feature map.

    Example:
        >>> application_backbone("MobileNetV2", (64, 256, 3)).output_shape
        (None, 2, 8, 1280)
    """
    if backbone_type not in APPLICATIONS:
        raise ValueError(
            f"`backbone_type` must be one of {sorted(APPLICATIONS)}. "
            f"Received: backbone_type={backbone_type!r}"
        )
    shape = check_input_shape(input_shape, min_size=32)
    constructor, mode = APPLICATIONS[backbone_type]
    application = getattr(keras.applications, constructor)(
        include_top=False, weights=None, input_shape=shape, name="application"
    )
    inputs = keras.Input(shape, name="image")
    if mode == "caffe":
        scaled = CaffePreprocessing(name="input_scaling")(inputs)
    else:
        scaled = keras.layers.Rescaling(1 / 127.5, offset=-1.0, name="input_scaling")(inputs)
    return keras.Model(inputs, application(scaled), name=name or backbone_type.lower())
