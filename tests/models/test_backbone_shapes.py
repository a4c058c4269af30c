"""Every backbone type builds for square and non-square inputs with the documented shape."""

import keras
import numpy as np
import pytest

from lateral_keras.models import BACKBONE_TYPES, build_backbone

# Expected feature maps, worked out by hand from each architecture's strides.
CASES = [
    ("SmallCNN", (64, 64, 3), (4, 4, 128)),
    ("SmallCNN", (32, 128, 3), (2, 8, 128)),
    ("SmallCNN", (75, 320, 3), (5, 20, 128)),
    ("ResNet18", (64, 64, 3), (4, 4, 256)),
    ("ResNet18", (32, 128, 3), (2, 8, 256)),
    ("ResNet18", (75, 320, 3), (5, 20, 256)),
    ("MobileNetV2", (64, 64, 3), (2, 2, 1280)),
    ("MobileNetV2", (32, 128, 3), (1, 4, 1280)),
    ("ResNet50", (32, 32, 3), (1, 1, 2048)),
    ("ResNet50", (32, 128, 3), (1, 4, 2048)),
    ("VGG16", (32, 32, 3), (1, 1, 512)),
    ("VGG16", (75, 320, 3), (2, 10, 512)),
    pytest.param("Insight_ResNet100", (32, 32, 3), (2, 2, 512), marks=pytest.mark.slow),
    pytest.param("Insight_ResNet100", (16, 64, 3), (1, 4, 512), marks=pytest.mark.slow),
]


@pytest.mark.parametrize("backbone_type, input_shape, feature_shape", CASES)
def test_output_shape(backbone_type, input_shape, feature_shape):
    backbone = build_backbone(backbone_type, input_shape)
    assert backbone.output_shape == (None, *feature_shape)
    images = np.random.default_rng(0).uniform(0, 255, (2, *input_shape)).astype("float32")
    assert tuple(backbone(images).shape) == (2, *feature_shape)


def test_every_config_type_is_covered():
    covered = {case.values[0] if hasattr(case, "values") else case[0] for case in CASES}
    assert covered == set(BACKBONE_TYPES)


def test_types_match_the_config_choices():
    from lateral_keras.config.schema import BACKBONES

    assert tuple(BACKBONE_TYPES) == tuple(BACKBONES)


def test_name_argument():
    assert build_backbone("SmallCNN", (32, 32, 3), name="trunk").name == "trunk"
    assert build_backbone("SmallCNN", (32, 32, 3)).name == "small_cnn"


def test_unknown_type_lists_valid_names():
    with pytest.raises(ValueError, match="ResNet5") as info:
        build_backbone("ResNet5", (32, 32, 3))
    for valid in BACKBONE_TYPES:
        assert valid in str(info.value)


@pytest.mark.parametrize(
    "input_shape", [(32, 32), (32, 32, 1), (32.0, 32, 3), "32x32", (0, 32, 3), None]
)
def test_bad_input_shape(input_shape):
    with pytest.raises(ValueError, match="input_shape"):
        build_backbone("SmallCNN", input_shape)


def test_applications_need_32_pixels():
    with pytest.raises(ValueError, match=">= 32"):
        build_backbone("MobileNetV2", (16, 64, 3))


def test_weights_must_be_a_path():
    with pytest.raises(ValueError, match="weights"):
        build_backbone("SmallCNN", (32, 32, 3), weights="imagenet")
    with pytest.raises(ValueError, match="weights"):
        build_backbone("SmallCNN", (32, 32, 3), weights=3)


@pytest.mark.backend_agnostic
def test_small_nets_on_any_backend():
    for backbone_type in ("SmallCNN", "ResNet18"):
        backbone = build_backbone(backbone_type, (16, 48, 3))
        out = backbone(np.zeros((1, 16, 48, 3), "float32"))
        assert tuple(out.shape)[:3] == (1, 1, 3)
        assert np.all(np.isfinite(keras.ops.convert_to_numpy(out)))
