"""Tests of the augmentation layers and stack against NumPy / OpenCV oracles."""

import cv2
import keras
import numpy as np
import pytest

from lateral_keras.preprocessing.augment import AugmentSettings, build_augmentation
from lateral_keras.preprocessing.augment_crop import RandomCrop
from lateral_keras.preprocessing.augment_saturation import RandomSaturation


def _images(n=4, h=20, w=30, seed=0):
    return np.random.default_rng(seed).uniform(0, 255, (n, h, w, 3)).astype("float32")


def _find_window(big, small):
    """Returns every (top, left) where `small` equals a window of `big` exactly."""
    h, w = small.shape[:2]
    return [
        (t, left)
        for t in range(big.shape[0] - h + 1)
        for left in range(big.shape[1] - w + 1)
        if np.array_equal(big[t : t + h, left : left + w], small)
    ]


@pytest.mark.backend_agnostic
def test_random_crop_training_is_a_window_of_the_input_and_moves():
    x = _images(1, 20, 30)
    layer = RandomCrop(12, 16, seed=3)
    offsets = set()
    for _ in range(12):
        y = keras.ops.convert_to_numpy(layer(x, training=True))
        assert y.shape == (1, 12, 16, 3)
        found = _find_window(x[0], y[0])
        assert len(found) == 1
        offsets.add(found[0])
    assert len(offsets) > 1
    assert all(0 <= t <= 8 and 0 <= left <= 14 for t, left in offsets)


@pytest.mark.backend_agnostic
def test_random_crop_inference_is_keras_centre_crop():
    x = _images(2, 21, 30)
    ours = keras.ops.convert_to_numpy(RandomCrop(12, 17)(x, training=False))
    expected = x[:, 4:16, 6:23]
    np.testing.assert_array_equal(ours, expected)
    centre = keras.ops.convert_to_numpy(keras.layers.CenterCrop(12, 17)(x))
    np.testing.assert_array_equal(ours, centre)


@pytest.mark.backend_agnostic
def test_random_crop_rejects_small_inputs_and_bad_sizes():
    with pytest.raises(ValueError, match="at least that large"):
        RandomCrop(40, 10)(_images(1, 20, 30))
    with pytest.raises(ValueError, match="height=0"):
        RandomCrop(0, 10)


def _hsv(rgb_0_255):
    return cv2.cvtColor((rgb_0_255 / 255.0).astype("float32"), cv2.COLOR_RGB2HSV)


@pytest.mark.backend_agnostic
def test_random_saturation_scales_opencv_saturation_within_factor_range():
    rng = np.random.default_rng(1)
    # Saturation at most 0.5 so that factor <= 1.4 never clips: the ratio is then exact.
    value = rng.uniform(120, 255, (6, 8, 10, 1))
    x = np.concatenate(
        [value, value * rng.uniform(0.5, 1.0, (6, 8, 10, 1)), value * 0.5], axis=-1
    ).astype("float32")
    x = x[..., rng.permutation(3)]
    y = keras.ops.convert_to_numpy(RandomSaturation((0.6, 1.4), seed=2)(x, training=True))
    factors = []
    for before, after in zip(x, y):
        hsv_in, hsv_out = _hsv(before), _hsv(after)
        ratio = hsv_out[..., 1] / hsv_in[..., 1]
        np.testing.assert_allclose(ratio, ratio.mean(), atol=2e-3)
        np.testing.assert_allclose(hsv_out[..., 2], hsv_in[..., 2], atol=1e-4)
        hue_diff = np.abs(hsv_out[..., 0] - hsv_in[..., 0])
        assert np.minimum(hue_diff, 360 - hue_diff).max() < 0.1
        factors.append(ratio.mean())
    assert all(0.6 - 1e-3 <= f <= 1.4 + 1e-3 for f in factors)
    assert np.ptp(factors) > 0.05


@pytest.mark.backend_agnostic
def test_random_saturation_honours_value_range_and_clips():
    x = _images(3, 6, 6, seed=4) / 255.0
    y = keras.ops.convert_to_numpy(
        RandomSaturation((1.5, 2.0), value_range=(0, 1), seed=0)(x, training=True)
    )
    assert y.min() >= -1e-6 and y.max() <= 1 + 1e-6
    assert _hsv(y[0] * 255)[..., 1].mean() > _hsv(x[0] * 255)[..., 1].mean()
    np.testing.assert_array_equal(RandomSaturation()(x, training=False), x)


def test_random_saturation_rejects_bad_factor():
    with pytest.raises(ValueError, match="factor"):
        RandomSaturation((1.4, 0.6))


@pytest.mark.backend_agnostic
def test_stack_brightness_delta_is_a_fraction_of_the_range():
    settings = dict(
        input_size=(20, 30), crop_margin=0, random_flip=False, saturation=None, brightness=0.2,
        seed=5,
    )
    x = np.full((16, 20, 30, 3), 127.5, dtype="float32")
    y = keras.ops.convert_to_numpy(build_augmentation(settings, training=True)(x, training=True))
    delta = y - x
    for d in delta:
        np.testing.assert_allclose(d, d.flat[0], atol=1e-3)
    per_image = delta[:, 0, 0, 0]
    assert np.abs(per_image).max() <= 0.2 * 255 + 1e-3
    assert np.abs(per_image).max() > 5.0


@pytest.mark.backend_agnostic
def test_stack_flip_is_an_exact_mirror_or_identity():
    settings = dict(
        input_size=(20, 30), crop_margin=0, saturation=None, brightness=0.0, seed=6
    )
    x = _images(16, 20, 30, seed=7)
    y = keras.ops.convert_to_numpy(build_augmentation(settings, training=True)(x, training=True))
    flipped = [np.array_equal(b, a[:, ::-1]) for a, b in zip(x, y)]
    kept = [np.array_equal(b, a) for a, b in zip(x, y)]
    assert all(f or k for f, k in zip(flipped, kept))
    assert any(flipped) and any(kept)


@pytest.mark.backend_agnostic
def test_evaluation_stack_is_deterministic_resize_and_centre_crop():
    stack = build_augmentation({"input_size": (16, 24), "crop_margin": 0.25}, training=False)
    assert [type(layer).__name__ for layer in stack.layers] == ["Resizing", "CenterCrop"]
    x = _images(2, 40, 60, seed=8)
    first = keras.ops.convert_to_numpy(stack(x, training=True))
    second = keras.ops.convert_to_numpy(stack(x, training=True))
    np.testing.assert_array_equal(first, second)
    resized = keras.ops.convert_to_numpy(keras.layers.Resizing(20, 30)(x))
    np.testing.assert_allclose(first, resized[:, 2:18, 3:27], atol=1e-4)


@pytest.mark.backend_agnostic
def test_training_stack_output_shape_range_and_variation():
    stack = build_augmentation({"input_size": 16, "seed": 9}, training=True)
    x = _images(4, 40, 60, seed=10)
    a = keras.ops.convert_to_numpy(stack(x, training=True))
    b = keras.ops.convert_to_numpy(stack(x, training=True))
    assert a.shape == (4, 16, 16, 3)
    assert a.min() >= 0 and a.max() <= 255
    assert not np.allclose(a, b)


def test_settings_validation_names_the_key():
    with pytest.raises(ValueError, match="colour"):
        AugmentSettings.from_dict({"colour": 1})
    with pytest.raises(ValueError, match="brightness"):
        AugmentSettings(brightness=2.0)
    with pytest.raises(ValueError, match="resize_to"):
        AugmentSettings(input_size=64, resize_to=(32, 80))
    assert AugmentSettings(input_size=(56, 224), crop_margin=0.125).resize_hw == (63, 252)
    assert AugmentSettings().resize_hw == (70, 282)
    assert AugmentSettings(input_size=10, resize_to=(12, 14)).resize_hw == (12, 14)


def test_stack_runs_inside_tf_data_map():
    import tensorflow as tf

    stack = build_augmentation({"input_size": (12, 20), "seed": 11}, training=True)
    x = _images(6, 30, 40, seed=12)
    dataset = (
        tf.data.Dataset.from_tensor_slices(x)
        .map(lambda im: stack(im[None], training=True)[0], num_parallel_calls=tf.data.AUTOTUNE)
        .batch(3)
    )
    epoch_one = np.concatenate([b.numpy() for b in dataset])
    epoch_two = np.concatenate([b.numpy() for b in dataset])
    assert epoch_one.shape == (6, 12, 20, 3)
    assert 0 <= epoch_one.min() and epoch_one.max() <= 255
    assert not np.allclose(epoch_one, epoch_two)


@pytest.mark.backend_agnostic
@pytest.mark.parametrize(
    "layer",
    [RandomCrop(8, 10, seed=1, name="crop"), RandomSaturation((0.5, 1.5), (0, 1), seed=2)],
    ids=["crop", "saturation"],
)
def test_layers_config_and_keras_file_round_trip(layer, tmp_path):
    config = layer.get_config()
    clone = type(layer).from_config(config)
    assert clone.get_config() == config
    inputs = keras.Input((12, 12, 3))
    model = keras.Model(inputs, layer(inputs, training=False))
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    x = _images(2, 12, 12, seed=13) / 255.0
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(loaded(x)), keras.ops.convert_to_numpy(model(x)), atol=1e-6
    )
    assert loaded.layers[-1].get_config() == config


@pytest.mark.backend_agnostic
def test_tta_views_are_fixed_crops_and_mirrors():
    from lateral_keras.preprocessing.augment_tta import tta_views

    settings = {"input_size": (16, 24), "crop_margin": 0.25}
    x = _images(2, 40, 60, seed=14)
    views = keras.ops.convert_to_numpy(tta_views(x, settings))
    assert views.shape == (10, 2, 16, 24, 3)
    evaluation = keras.ops.convert_to_numpy(build_augmentation(settings, training=False)(x))
    np.testing.assert_array_equal(views[0], evaluation)
    resized = keras.ops.convert_to_numpy(keras.layers.Resizing(20, 30)(x))
    np.testing.assert_array_equal(views[1], resized[:, :16, :24])
    np.testing.assert_array_equal(views[4], resized[:, 4:, 6:])
    np.testing.assert_array_equal(views[5:], views[:5, :, :, ::-1])
    no_flip = tta_views(x, {**settings, "random_flip": False}, positions=["top_right"])
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(no_flip)[0], resized[:, :16, 6:])
    with pytest.raises(ValueError, match="positions"):
        tta_views(x, settings, positions=["middle"])


@pytest.mark.backend_agnostic
def test_crop_offsets_round_the_centre_down_and_touch_the_edges():
    from lateral_keras.preprocessing.augment_tta import crop_offsets

    offsets = crop_offsets((21, 31), (16, 24), ["centre", "top_right", "bottom_left"])
    assert offsets == [(2, 3), (0, 7), (5, 0)]
    with pytest.raises(ValueError, match="positions"):
        crop_offsets((21, 31), (16, 24), [])


@pytest.mark.backend_agnostic
def test_layers_train_inside_a_model_fit_step():
    model = keras.Sequential(
        [
            keras.Input((20, 30, 3)),
            RandomCrop(16, 24, seed=1),
            RandomSaturation(seed=2),
            keras.layers.Flatten(),
            keras.layers.Dense(2),
        ]
    )
    model.compile("sgd", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    x = _images(4, 20, 30, seed=15)
    history = model.fit(x, np.array([0, 1, 0, 1]), batch_size=2, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])
    assert model.predict(x, verbose=0).shape == (4, 2)


@pytest.mark.backend_agnostic
def test_random_crop_draws_one_window_per_image_of_a_batch():
    x = np.repeat(_images(1, 20, 30, seed=16), 12, axis=0)
    y = keras.ops.convert_to_numpy(RandomCrop(12, 16, seed=4)(x, training=True))
    offsets = []
    for crop in y:
        found = _find_window(x[0], crop)
        assert len(found) == 1
        offsets.append(found[0])
    assert len(set(offsets)) > 4
    assert all(0 <= t <= 8 and 0 <= left <= 14 for t, left in offsets)


def _roi_files(tmp_path, image, count):
    paths = []
    for i in range(count):
        path = str(tmp_path / f"roi_{i}.png")
        cv2.imwrite(path, cv2.cvtColor(image, cv2.COLOR_RGB2BGR))
        paths.append(path)
    return paths


def _pipeline_batch(paths, settings, batch_size):
    from lateral_keras.preprocessing.augment_pipeline import roi_tf_dataset

    dataset = roi_tf_dataset(paths, list(range(len(paths))), training=True,
                             batch_size=batch_size, augmentation=settings)
    images, labels = next(iter(dataset))
    return images.numpy(), labels.numpy()


tf_only = pytest.mark.skipif(
    keras.backend.backend() != "tensorflow", reason="training pipeline augments in tf.data"
)


@tf_only
def test_pipeline_crops_and_flips_each_image_of_a_batch_on_its_own(tmp_path):
    from lateral_keras.preprocessing.augment_pipeline import roi_tf_dataset

    roi = np.random.default_rng(17).integers(0, 256, (22, 33, 3), dtype=np.uint8)
    paths = _roi_files(tmp_path, roi, 16)
    settings = dict(input_size=(16, 24), resize_to=(22, 33), random_flip=True,
                    saturation=None, brightness=0.0, seed=1)
    images, labels = _pipeline_batch(paths, settings, 16)
    assert images.shape == (16, 16, 24, 3) and sorted(labels) == list(range(16))
    windows = []
    for crop in images:
        found = _find_window(roi.astype("float32"), crop)
        mirrored = _find_window(roi.astype("float32"), crop[:, ::-1])
        assert len(found) + len(mirrored) == 1
        windows.append(("kept", *found[0]) if found else ("flipped", *mirrored[0]))
    assert len({window[1:] for window in windows}) > 5
    assert {window[0] for window in windows} == {"kept", "flipped"}
    evaluation = roi_tf_dataset(paths[:3], None, training=False, batch_size=2,
                                augmentation=dict(settings, input_size=(8, 14), resize_to=(12, 20)))
    crops = np.concatenate([batch.numpy() for batch in evaluation])
    resized = cv2.resize(roi, (20, 12), interpolation=cv2.INTER_LINEAR).astype("float32")
    np.testing.assert_allclose(crops, np.repeat(resized[None, 2:10, 3:17], 3, 0), atol=1.0)


@tf_only
def test_pipeline_saturation_and_brightness_are_drawn_per_image_in_range(tmp_path):
    rng = np.random.default_rng(18)
    value = rng.uniform(120, 200, (10, 12, 1))
    roi = np.concatenate([value, value * rng.uniform(0.6, 1.0, (10, 12, 1)), value * 0.6], -1)
    roi = np.round(roi).astype(np.uint8)
    paths = _roi_files(tmp_path, roi, 16)
    settings = dict(input_size=(10, 12), crop_margin=0.0, random_flip=False,
                    saturation=(0.7, 1.3), brightness=0.1, seed=2)
    images, _ = _pipeline_batch(paths, settings, 16)
    # Saturation keeps each pixel's max channel (HSV value); brightness then adds one delta
    # per image (no clipping here: values stay within [0, 255]).
    deltas = images.max(-1) - roi.max(-1)
    np.testing.assert_allclose(deltas, deltas[:, :1, :1] + 0 * deltas, atol=1e-3)
    per_image = deltas[:, 0, 0]
    assert np.abs(per_image).max() <= 0.1 * 255 + 1e-3 and np.std(per_image) > 3.0
    before = _hsv(roi.astype("float32"))
    factors = []
    for image, delta in zip(images, per_image):
        after = _hsv(image - delta)
        ratio = after[..., 1] / before[..., 1]
        np.testing.assert_allclose(ratio, ratio.mean(), atol=2e-3)
        np.testing.assert_allclose(after[..., 2], before[..., 2], atol=1e-4)
        factors.append(ratio.mean())
    assert all(0.7 - 1e-3 <= f <= 1.3 + 1e-3 for f in factors)
    assert np.std(factors) > 0.05
