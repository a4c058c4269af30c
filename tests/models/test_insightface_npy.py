"""The InsightFace `.npy` loader against MXNet naming, layouts and convolution maths."""

import keras
import numpy as np
import pytest

from lateral_keras.models import (
    build_backbone,
    insight_resnet,
    insightface_weight_dict,
    load_insightface_npy,
)

UNITS, WIDTHS, STEM = (1, 2, 1, 1), (4, 8, 8, 16), 4
SHAPE = (16, 16, 3)


def _bn(prefix, channels):
    return {f"{prefix}_{k}": (channels,) for k in ("gamma", "beta", "moving_mean", "moving_var")}


def mxnet_shapes(units, widths, stem):
    """Key -> shape of an InsightFace fresnet body, written from its MXNet symbol."""
    shapes = {"conv0_weight": (stem, 3, 3, 3), "relu0_gamma": (stem,), **_bn("bn0", stem)}
    cin = stem
    for s, (count, width) in enumerate(zip(units, widths), start=1):
        for u in range(1, count + 1):
            p = f"stage{s}_unit{u}"
            shapes.update(_bn(f"{p}_bn1", cin))
            shapes[f"{p}_conv1_weight"] = (width, cin, 3, 3)
            shapes.update(_bn(f"{p}_bn2", width))
            shapes[f"{p}_relu1_gamma"] = (width,)
            shapes[f"{p}_conv2_weight"] = (width, width, 3, 3)
            shapes.update(_bn(f"{p}_bn3", width))
            if u == 1:
                shapes[f"{p}_conv1sc_weight"] = (width, cin, 1, 1)
                shapes.update(_bn(f"{p}_sc", width))
            cin = width
    return shapes


def random_dict(shapes, seed=0):
    rng = np.random.default_rng(seed)
    weights = {}
    for key, shape in shapes.items():
        low = 0.5 if key.endswith("moving_var") else -0.5  # variances stay positive
        weights[key] = rng.uniform(low, 1.0, shape).astype("float32")
    return weights


SUFFIXES = ("_moving_mean", "_moving_var", "_weight", "_gamma", "_beta")


def split_key(key):
    """`stage1_unit1_bn2_moving_var` -> (`stage1_unit1_bn2`, `_moving_var`)."""
    suffix = next(s for s in SUFFIXES if key.endswith(s))
    return key[: -len(suffix)], suffix


def keras_value(model, key):
    """The model's value for an MXNet key, in MXNet layout (test-side mapping)."""
    name, suffix = split_key(key)
    layer = model.get_layer(name)
    if suffix == "_weight":  # (kh, kw, in, out) -> (out, in, kh, kw)
        return np.transpose(keras.ops.convert_to_numpy(layer.kernel), (3, 2, 0, 1))
    attr = {"_moving_mean": "moving_mean", "_moving_var": "moving_variance", "_beta": "beta"}
    if suffix == "_gamma":
        attr["_gamma"] = "alpha" if isinstance(layer, keras.layers.PReLU) else "gamma"
    return keras.ops.convert_to_numpy(getattr(layer, attr[suffix])).reshape(-1)


def mx_conv(x, w, stride):
    """MXNet Convolution, NCHW, symmetric padding (k - 1) / 2, no bias, by loops."""
    k = w.shape[-1]
    pad = (k - 1) // 2
    x = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    n, _, h, wd = x.shape
    oh, ow = (h - k) // stride + 1, (wd - k) // stride + 1
    out = np.zeros((n, w.shape[0], oh, ow))
    for i in range(oh):
        for j in range(ow):
            patch = x[:, :, i * stride : i * stride + k, j * stride : j * stride + k]
            out[:, :, i, j] = np.einsum("nchw,ochw->no", patch, w)
    return out


@pytest.fixture
def model():
    return insight_resnet(SHAPE, units=UNITS, widths=WIDTHS, stem_width=STEM)


@pytest.fixture
def weights():
    return random_dict(mxnet_shapes(UNITS, WIDTHS, STEM))


def _save(tmp_path, weights, name="w.npy"):
    path = tmp_path / name
    np.save(path, weights, allow_pickle=True)
    return path


@pytest.mark.backend_agnostic
def test_loads_every_array_exactly(model, weights, tmp_path):
    report = load_insightface_npy(model, _save(tmp_path, weights))
    assert set(report.loaded) == set(weights)
    assert report.missing == report.unexpected == report.ignored == ()
    for key, value in weights.items():
        np.testing.assert_array_equal(keras_value(model, key), value, err_msg=key)


def test_layouts_follow_mxnet_convolution(model, weights, tmp_path):
    load_insightface_npy(model, _save(tmp_path, weights))
    images = np.random.default_rng(3).uniform(0, 255, (2, *SHAPE)).astype("float32")
    for conv, source, stride in (
        ("conv0", "input_scaling", 1),
        ("stage1_unit1_conv2", "stage1_unit1_relu1", 2),
        ("stage2_unit1_conv1sc", "stage1_unit1_plus", 2),
    ):
        outputs = [model.get_layer(source).output, model.get_layer(conv).output]
        probe = keras.Model(model.input, outputs)
        x, y = (np.asarray(t) for t in probe(images))
        expected = mx_conv(x.transpose(0, 3, 1, 2), weights[f"{conv}_weight"], stride)
        np.testing.assert_allclose(y.transpose(0, 3, 1, 2), expected, rtol=1e-4, atol=1e-4)


def _mx_bn(x, weights, prefix, eps=2e-5):
    """MXNet BatchNorm in inference mode, NCHW."""
    shape = (1, -1, 1, 1)
    mean = weights[f"{prefix}_moving_mean"].reshape(shape)
    var = weights[f"{prefix}_moving_var"].reshape(shape)
    gamma, beta = (
        weights[f"{prefix}_gamma"].reshape(shape),
        weights[f"{prefix}_beta"].reshape(shape),
    )
    return (x - mean) / np.sqrt(var + eps) * gamma + beta


def test_ir_unit_matches_a_numpy_fresnet_unit(model, weights, tmp_path):
    """stage2_unit1 (stride 2, projected shortcut) recomputed from the MXNet recipe."""
    load_insightface_npy(model, _save(tmp_path, weights))
    outputs = [
        model.get_layer("stage1_unit1_plus").output,
        model.get_layer("stage2_unit1_plus").output,
    ]
    probe = keras.Model(model.input, outputs)
    images = np.random.default_rng(5).uniform(0, 255, (2, *SHAPE)).astype("float32")
    data, result = (np.asarray(t).transpose(0, 3, 1, 2).astype("float64") for t in probe(images))
    p = "stage2_unit1"
    y = mx_conv(_mx_bn(data, weights, f"{p}_bn1"), weights[f"{p}_conv1_weight"], 1)
    y = _mx_bn(y, weights, f"{p}_bn2")
    y = np.where(y > 0, y, y * weights[f"{p}_relu1_gamma"].reshape(1, -1, 1, 1))
    y = _mx_bn(mx_conv(y, weights[f"{p}_conv2_weight"], 2), weights, f"{p}_bn3")
    shortcut = _mx_bn(mx_conv(data, weights[f"{p}_conv1sc_weight"], 2), weights, f"{p}_sc")
    np.testing.assert_allclose(result, y + shortcut, rtol=1e-3, atol=1e-3)


def test_export_round_trip_gives_identical_outputs(model, tmp_path):
    other = insight_resnet(SHAPE, units=UNITS, widths=WIDTHS, stem_width=STEM)
    for variable in model.weights:  # move the moving stats away from 0 / 1 too
        variable.assign(np.random.default_rng(7).uniform(0.5, 1.0, variable.shape))
    exported = insightface_weight_dict(model)
    assert set(exported) == set(mxnet_shapes(UNITS, WIDTHS, STEM))
    load_insightface_npy(other, _save(tmp_path, exported))
    images = np.random.default_rng(4).uniform(0, 255, (2, *SHAPE)).astype("float32")
    np.testing.assert_array_equal(np.asarray(model(images)), np.asarray(other(images)))


def test_output_block_and_input_constants_are_ignored(model, weights, tmp_path):
    extra = {
        **weights,
        **_bn("bn1", 16),
        "pre_fc1_weight": np.zeros((512, 16), "float32"),
        "pre_fc1_bias": np.zeros(512, "float32"),
        **_bn("fc1", 512),
    }
    extra = {k: np.zeros(v, "float32") if isinstance(v, tuple) else v for k, v in extra.items()}
    report = load_insightface_npy(model, _save(tmp_path, extra))
    assert "pre_fc1_weight" in report.ignored and "bn1_gamma" in report.ignored
    assert "fc1_moving_var" in report.ignored
    assert report.unexpected == ()


def test_missing_key_strict_raises_and_names_it(model, weights, tmp_path):
    del weights["stage2_unit2_relu1_gamma"]
    before = keras.ops.convert_to_numpy(model.get_layer("conv0").kernel).copy()
    with pytest.raises(ValueError, match="missing keys.*stage2_unit2_relu1_gamma"):
        load_insightface_npy(model, _save(tmp_path, weights))
    after = keras.ops.convert_to_numpy(model.get_layer("conv0").kernel)
    np.testing.assert_array_equal(after, before)  # nothing assigned


def test_missing_and_unexpected_reported_when_not_strict(model, weights, tmp_path):
    del weights["bn0_beta"]
    weights["stage9_unit1_conv1_weight"] = np.zeros((1, 1, 1, 1), "float32")
    report = load_insightface_npy(model, _save(tmp_path, weights), strict=False)
    assert report.missing == ("bn0_beta",)
    assert report.unexpected == ("stage9_unit1_conv1_weight",)
    np.testing.assert_array_equal(keras_value(model, "bn0_gamma"), weights["bn0_gamma"])


def test_unexpected_key_strict_raises(model, weights, tmp_path):
    weights["conv9_weight"] = np.zeros((1,), "float32")
    with pytest.raises(ValueError, match="unexpected keys.*conv9_weight"):
        load_insightface_npy(model, _save(tmp_path, weights))


def test_shape_mismatch_names_key_and_shapes(model, weights, tmp_path):
    weights["stage1_unit1_conv1_weight"] = np.zeros((4, 3, 3, 3), "float32")
    with pytest.raises(ValueError) as info:
        load_insightface_npy(model, _save(tmp_path, weights), strict=False)
    message = str(info.value)
    assert "stage1_unit1_conv1_weight" in message
    assert "(4, 3, 3, 3)" in message and "(4, 4, 3, 3)" in message


def test_mmdnn_nested_format(model, weights, tmp_path):
    nested = {}
    fields = {"_moving_mean": "mean", "_moving_var": "var", "_beta": "bias", "_weight": "weights"}
    for key, value in weights.items():
        layer, suffix = split_key(key)
        field = fields.get(suffix) or ("gamma" if "relu" in layer else "scale")
        if field == "weights":
            value = value.transpose(2, 3, 1, 0)  # MMdnn keeps TensorFlow's HWIO layout
        nested.setdefault(layer, {})[field] = value
    nested["minusscalar0_second"] = {"value": np.array([127.5], "float32")}
    report = load_insightface_npy(model, _save(tmp_path, nested))
    assert report.ignored == ("minusscalar0_second_value",)
    for key, value in weights.items():
        np.testing.assert_array_equal(keras_value(model, key), value, err_msg=key)


def test_bad_files(model, tmp_path):
    with pytest.raises(FileNotFoundError, match="nowhere.npy"):
        load_insightface_npy(model, tmp_path / "nowhere.npy")
    path = tmp_path / "array.npy"
    np.save(path, np.zeros(3))
    with pytest.raises(ValueError, match="array.npy"):
        load_insightface_npy(model, path)
    with pytest.raises(ValueError, match="strict"):
        load_insightface_npy(model, path, strict="yes")


@pytest.mark.slow
def test_full_resnet100_from_build_backbone(tmp_path):
    shapes = mxnet_shapes((3, 13, 30, 3), (64, 128, 256, 512), 64)
    assert len(shapes) == 6 + 49 * 15 + 4 * 5  # stem, 49 IR units, 4 shortcuts
    weights = random_dict(shapes, seed=1)
    path = str(_save(tmp_path, weights, "resnet100.npy"))
    backbone = build_backbone("Insight_ResNet100", (16, 32, 3), weights=path)
    assert backbone.count_params() == 52_376_128  # LResNet100E-IR without its 12.8 M fc block
    for key in ("conv0_weight", "stage3_unit30_conv2_weight", "stage4_unit1_sc_moving_var"):
        np.testing.assert_array_equal(keras_value(backbone, key), weights[key])
    assert set(insightface_weight_dict(backbone)) == set(shapes)
