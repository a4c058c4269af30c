"""Each backbone scales [0, 255] pixels itself, in its first layer."""

import keras
import numpy as np
import pytest

from lateral_keras.models import CaffePreprocessing, build_backbone, insight_resnet

PIXELS = np.array([[[[0.0, 127.5, 255.0], [10.0, 20.0, 30.0]]]], "float32")  # (1, 1, 2, 3)


def _tf_mode(x):
    return x / 127.5 - 1.0


def _caffe_mode(x):
    return x[..., ::-1] - np.array([103.939, 116.779, 123.68])


def _insightface(x):
    return (x - 127.5) * 0.0078125


@pytest.mark.parametrize(
    "backbone_type, oracle",
    [
        ("SmallCNN", _tf_mode),
        ("ResNet18", _tf_mode),
        ("MobileNetV2", _tf_mode),
        ("ResNet50", _caffe_mode),
        ("VGG16", _caffe_mode),
    ],
)
def test_first_layer_scales_pixels(backbone_type, oracle):
    backbone = build_backbone(backbone_type, (32, 32, 3))
    scaling = backbone.get_layer("input_scaling")
    assert scaling.input is backbone.input
    np.testing.assert_allclose(np.asarray(scaling(PIXELS)), oracle(PIXELS), atol=1e-4)
    # The rest of the network, fed pre-scaled images, gives the backbone's output.
    rest = keras.Model(scaling.output, backbone.output)
    images = np.random.default_rng(1).uniform(0, 255, (2, 32, 32, 3)).astype("float32")
    np.testing.assert_allclose(
        np.asarray(rest(oracle(images).astype("float32"))),
        np.asarray(backbone(images)),
        rtol=1e-4,
        atol=1e-4,
    )


def test_insightface_scaling():
    backbone = insight_resnet((16, 16, 3), units=(1, 1, 1, 1), widths=(4, 4, 4, 4), stem_width=4)
    scaling = backbone.get_layer("input_scaling")
    assert scaling.input is backbone.input
    np.testing.assert_allclose(np.asarray(scaling(PIXELS)), _insightface(PIXELS), atol=1e-6)


def test_caffe_layer_matches_keras_preprocess_input():
    images = np.random.default_rng(0).uniform(0, 255, (2, 4, 5, 3)).astype("float32")
    expected = keras.applications.vgg16.preprocess_input(images.copy())
    np.testing.assert_allclose(np.asarray(CaffePreprocessing()(images)), expected, atol=1e-4)


@pytest.mark.backend_agnostic
def test_caffe_layer_serializes(tmp_path):
    inputs = keras.Input((2, 2, 3))
    model = keras.Model(inputs, CaffePreprocessing(name="caffe")(inputs))
    path = str(tmp_path / "caffe.keras")
    model.save(path)
    restored = keras.saving.load_model(path)
    assert isinstance(restored.get_layer("caffe"), CaffePreprocessing)
    images = np.full((1, 2, 2, 3), 200.0, "float32")
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(restored(images)), _caffe_mode(images), atol=1e-4
    )
