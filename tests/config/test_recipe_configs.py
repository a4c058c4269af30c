"""Every config shipped in recipes/configs/ loads and validates (data.root pointed at tmp)."""

import os

import pytest

from lateral_keras.config import load_config

CONFIGS = os.path.join(os.path.dirname(__file__), "..", "..", "recipes", "configs")
FILES = sorted(f for f in os.listdir(CONFIGS) if f.endswith(".yaml"))


def test_the_ports_are_there():
    assert {"resnet50.yaml", "mobilenetv2.yaml", "vgg16.yaml", "iom_deep_stage_two.yaml"} <= set(
        FILES
    )


@pytest.mark.parametrize("name", FILES)
def test_config_loads(name, tmp_path):
    config = load_config(os.path.join(CONFIGS, name), [f"data.root={tmp_path}"])
    assert config.data.root == str(tmp_path)
    assert config.stage_two.batch_size == (
        config.stage_two.classes_per_batch * config.stage_two.samples_per_class
    )


def test_backbone_ports_keep_the_originals_settings(tmp_path):
    backbones = {}
    for name in ("resnet50.yaml", "mobilenetv2.yaml", "vgg16.yaml"):
        config = load_config(os.path.join(CONFIGS, name), [f"data.root={tmp_path}"])
        backbones[name] = config.stage_one.backbone_type
        assert config.stage_one.head_type == "ArcHead" and config.stage_one.embd_shape == 512
        assert (config.stage_two.q, config.stage_two.m) == (32, 256)
        assert config.stage_two.loss_fun == "batch_hard_arc_triplet_loss"
        assert config.stage_two.bin_lut_loss == "tanh"
    assert sorted(backbones.values()) == ["MobileNetV2", "ResNet50", "VGG16"]


def test_original_style_stage_two_file_pairs_with_a_stage_one_file(tmp_path):
    config = load_config(
        [os.path.join(CONFIGS, "resnet50.yaml"), os.path.join(CONFIGS, "iom_deep_stage_two.yaml")],
        [f"data.root={tmp_path}"],
    )
    assert config.stage_one.sub_name == "resnet50_iom"
    assert config.sub_name == "resnet50_iom_256x32"
    assert (config.stage_two.q, config.stage_two.m, config.stage_two.classes_per_batch) == (
        32, 256, 50,
    )
    assert any("batch_size=240" in notice for notice in config.notices)
