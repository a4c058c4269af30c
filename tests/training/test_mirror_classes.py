import numpy as np
import pytest

from lateral_keras.config import load_config
from lateral_keras.training.mirror_classes import (
    AUTO_MIRROR_BELOW,
    mirror_batch,
    mirror_factor,
    resolve_mirror_mode,
)
from lateral_keras.training.stage_one_run import mirror_mode, stage_one_classes

NUMPY_MIRRORS = {
    0: lambda x: x,
    1: lambda x: x[:, ::-1],
    2: lambda x: x[::-1, :],
    3: lambda x: x[::-1, ::-1],
}


@pytest.mark.parametrize("mode, factor", [("none", 1), ("horizontal", 2), ("both", 4)])
def test_each_image_is_its_mirror_class(mode, factor):
    rng = np.random.default_rng(0)
    num_classes = 5
    images = rng.uniform(0, 255, (64, 6, 10, 3)).astype("float32")
    labels = rng.integers(0, num_classes, 64).astype("int32")
    out_images, out_labels = mirror_batch(images, labels, num_classes, mode, seed=1)
    out_images, out_labels = np.asarray(out_images), np.asarray(out_labels)
    draws = out_labels // num_classes
    np.testing.assert_array_equal(out_labels % num_classes, labels)
    assert set(draws) == set(range(factor))  # 64 draws: every class kind occurs
    for image, out, t in zip(images, out_images, draws):
        np.testing.assert_array_equal(out, NUMPY_MIRRORS[t](image))


def test_a_group_of_photos_shares_one_draw():
    rng = np.random.default_rng(3)
    images = rng.uniform(0, 255, (64, 6, 10, 3)).astype("float32")
    labels = np.repeat(np.arange(16), 4).astype("int32")  # P x K: 16 fish x 4 photos
    out_images, out_labels = mirror_batch(images, labels, 16, "both", seed=2, group=4)
    out_images, out_labels = np.asarray(out_images), np.asarray(out_labels)
    draws = (out_labels // 16).reshape(16, 4)
    assert (draws == draws[:, :1]).all()  # one class per fish
    assert len(set(draws[:, 0])) > 1  # but fish differ
    for image, out, t in zip(images, out_images, draws.ravel()):
        np.testing.assert_array_equal(out, NUMPY_MIRRORS[t](image))


def test_horizontal_never_flips_vertically():
    images = np.arange(2 * 3 * 4 * 1, dtype="float32").reshape(2, 3, 4, 1)
    images = np.repeat(images, 16, axis=0)
    out, labels = mirror_batch(images, np.zeros(32, "int32"), 1, "horizontal", seed=0)
    for image, o, t in zip(images, np.asarray(out), np.asarray(labels)):
        assert t in (0, 1)
        np.testing.assert_array_equal(o, NUMPY_MIRRORS[t](image))


def test_unknown_mode_names_the_value():
    with pytest.raises(ValueError, match="sideways"):
        mirror_factor("sideways")


def test_auto_mirrors_both_ways_only_below_the_threshold():
    assert resolve_mirror_mode("auto", 2) == "both"
    assert resolve_mirror_mode("auto", AUTO_MIRROR_BELOW - 1) == "both"
    assert resolve_mirror_mode("auto", AUTO_MIRROR_BELOW) == "none"
    for mode in ("none", "horizontal", "both"):
        assert resolve_mirror_mode(mode, 5) == resolve_mirror_mode(mode, 500) == mode
    with pytest.raises(ValueError, match="sideways"):
        resolve_mirror_mode("sideways", 60)


def test_the_default_config_resolves_auto_for_its_training_identities():
    config = load_config()
    assert config.stage_one.mirror_classes == "auto"
    config.data.num_classes = 60
    assert mirror_mode(config) == "both" and stage_one_classes(config) == 240
    config.data.num_classes = 260
    assert mirror_mode(config) == "none" and stage_one_classes(config) == 260
    config.stage_one.mirror_classes = "horizontal"
    assert stage_one_classes(config) == 520
