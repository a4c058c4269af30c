"""`weights=` loads a user-supplied local file; nothing is downloaded."""

import keras
import numpy as np
import pytest

from lateral_keras.models import build_backbone, load_local_weights

IMAGES = np.random.default_rng(0).uniform(0, 255, (2, 32, 64, 3)).astype("float32")


@pytest.mark.parametrize("backbone_type", ["SmallCNN", "ResNet18"])
@pytest.mark.parametrize("suffix", [".weights.h5", ".keras"])
def test_round_trip_gives_identical_outputs(backbone_type, suffix, tmp_path):
    source = build_backbone(backbone_type, (32, 64, 3))
    path = str(tmp_path / f"backbone{suffix}")
    source.save_weights(path) if suffix == ".weights.h5" else source.save(path)
    fresh = build_backbone(backbone_type, (32, 64, 3))
    assert not np.allclose(np.asarray(fresh(IMAGES)), np.asarray(source(IMAGES)))
    loaded = build_backbone(backbone_type, (32, 64, 3), weights=path)
    np.testing.assert_array_equal(np.asarray(loaded(IMAGES)), np.asarray(source(IMAGES)))


def test_application_takes_its_own_notop_file(tmp_path):
    application = keras.applications.MobileNetV2(
        include_top=False, weights=None, input_shape=(32, 64, 3)
    )
    path = str(tmp_path / "mobilenet_v2_notop.weights.h5")
    application.save_weights(path)
    backbone = build_backbone("MobileNetV2", (32, 64, 3), weights=path)
    expected = application(IMAGES / 127.5 - 1.0)
    np.testing.assert_allclose(np.asarray(backbone(IMAGES)), np.asarray(expected), atol=1e-5)


def test_file_of_another_architecture_names_the_file(tmp_path):
    path = str(tmp_path / "small.weights.h5")
    build_backbone("SmallCNN", (32, 64, 3)).save_weights(path)
    with pytest.raises(ValueError, match="small.weights.h5.*resnet18"):
        build_backbone("ResNet18", (32, 64, 3), weights=path)


def test_missing_file_and_bad_suffix(tmp_path):
    with pytest.raises(FileNotFoundError, match="absent.weights.h5"):
        build_backbone("SmallCNN", (32, 32, 3), weights=str(tmp_path / "absent.weights.h5"))
    with pytest.raises(ValueError, match="model.pt"):
        load_local_weights(build_backbone("SmallCNN", (32, 32, 3)), tmp_path / "model.pt")
