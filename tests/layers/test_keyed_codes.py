"""Keyed (cancellable) codes: NumPy loop, key invariance, cross-key collisions, no key on disk."""

import io
import json
import zipfile

import h5py
import keras
import numpy as np
import pytest
from keras.src.testing import TestCase

from lateral_keras.layers import (
    IndexLUT,
    IoMProjection,
    KeyedCodes,
    key_permutations,
    random_iom_from_key,
)

pytestmark = pytest.mark.backend_agnostic

KEY = b"correct horse battery staple"


@keras.saving.register_keras_serializable(package="lateral_keras_tests")
class PresetKeyCodes(KeyedCodes):
    """KeyedCodes keyed at build time with a public test key, for the harness."""

    def build(self, input_shape=None):
        super().build(input_shape)
        self.built = True  # set_key builds an unbuilt layer
        self.set_key(12345)


def keyed_oracle(codes, values, positions):
    n, m = codes.shape
    out = np.zeros_like(codes)
    for b in range(n):
        for j in range(m):
            p = positions[j]
            out[b, j] = values[p, codes[b, p]]
    return out


def keyed(codes, key, q, permute_positions=False):
    layer = KeyedCodes(codes.shape[1], q, permute_positions=permute_positions)
    layer.set_key(key)
    return keras.ops.convert_to_numpy(layer(codes.astype("int32")))


class KeyedCodesHarnessTest(TestCase):
    def test_harness(self):
        self.run_layer_test(
            PresetKeyCodes,
            {"m": 5, "q": 4, "permute_positions": True},
            input_data=np.array([[0, 1, 2, 3, 0], [3, 3, 2, 1, 1]], "int32"),
            expected_output_shape=(2, 5),
            expected_output_dtype="int32",
            expected_num_trainable_weights=0,
            expected_num_non_trainable_weights=2,
            run_training_check=False,
        )


@pytest.mark.parametrize("permute_positions", [False, True])
def test_layer_matches_numpy_loop(permute_positions):
    m, q = 12, 6
    codes = np.random.default_rng(0).integers(0, q, size=(5, m))
    values, positions = key_permutations(KEY, m, q, permute_positions)
    for row in values:
        np.testing.assert_array_equal(np.sort(row), np.arange(q))
    assert (positions != np.arange(m)).any() == permute_positions
    np.testing.assert_array_equal(
        keyed(codes, KEY, q, permute_positions), keyed_oracle(codes, values, positions)
    )


@pytest.mark.parametrize("permute_positions", [False, True])
def test_same_key_keeps_collisions(permute_positions):
    m, q = 64, 4
    rng = np.random.default_rng(1)
    a = rng.integers(0, q, size=m)
    b = np.where(rng.random(m) < 0.5, a, rng.integers(0, q, size=m))
    ka, kb = keyed(np.stack([a, b]), KEY, q, permute_positions)
    assert np.sum(ka == kb) == np.sum(a == b)
    if not permute_positions:
        np.testing.assert_array_equal(ka == kb, a == b)
    assert not np.array_equal(ka, a)


def test_two_keys_give_about_one_in_q_collisions():
    m, q = 4096, 8
    codes = np.random.default_rng(2).integers(0, q, size=(1, m))
    rate = np.mean(keyed(codes, 1, q) == keyed(codes, 2, q))
    assert abs(rate - 1 / q) < 5 * np.sqrt((1 / q) * (1 - 1 / q) / m)
    assert np.mean(keyed(codes, 1, q) == codes) < 0.2


def test_key_types_and_determinism():
    for key in (7, -7, "seven", b"seven"):
        np.testing.assert_array_equal(
            key_permutations(key, 8, 5)[0], key_permutations(key, 8, 5)[0]
        )
    tables = [key_permutations(key, 8, 5)[0] for key in (7, -7, "7", b"7")]
    assert len({t.tobytes() for t in tables}) == 4
    for bad in (True, 1.5, None):
        with pytest.raises(ValueError, match="Received: key of type"):
            key_permutations(bad, 8, 5)


def test_unkeyed_layer_refuses_to_run():
    with pytest.raises(ValueError, match="Received: keyed=False"):
        KeyedCodes(3, 4)(np.zeros((1, 3), "int32"))


def _datasets(h5_bytes):
    found = {}

    def collect(name, obj):
        if isinstance(obj, h5py.Dataset):
            found[name] = obj[()]

    with h5py.File(io.BytesIO(h5_bytes), "r") as f:
        f.visititems(collect)
    return found


def test_saved_model_holds_no_key_material_and_rekeying_works(tmp_path):
    m, q = 16, 8
    inputs = keras.Input((10,))
    codes = IoMProjection(m, q, name="iom")(inputs, mode="hard")
    keyed_codes = KeyedCodes(m, q, permute_positions=True, name="keyed")(codes)
    bits = IndexLUT(q, name="lut")(keyed_codes)
    model = keras.Model(inputs, {"codes": keyed_codes, "bits": bits})
    model.get_layer("keyed").set_key(KEY)
    u = np.random.default_rng(3).normal(size=(4, 10)).astype("float32")
    under_key = keras.tree.map_structure(keras.ops.convert_to_numpy, model.predict(u, verbose=0))
    raw = keras.ops.convert_to_numpy(model.get_layer("iom")(u, mode="hard"))
    values, positions = key_permutations(KEY, m, q, permute_positions=True)
    np.testing.assert_array_equal(under_key["codes"], keyed_oracle(raw, values, positions))

    path = tmp_path / "keyed.keras"
    model.save(path)
    with zipfile.ZipFile(path) as archive:
        config = archive.read("config.json").decode()
        stored = _datasets(archive.read("model.weights.h5"))
    layer_configs = {
        layer["name"]: layer["config"] for layer in json.loads(config)["config"]["layers"]
    }
    assert set(layer_configs["keyed"]) == {
        "name",
        "trainable",
        "dtype",
        "m",
        "q",
        "permute_positions",
    }
    assert sorted(stored) == [
        "layers/index_lut/vars/0",  # the unkeyed binary LUT, no secret
        "layers/io_m_projection/vars/0",
        "layers/io_m_projection/vars/1",
    ]

    loaded = keras.saving.load_model(path)
    with pytest.raises(ValueError, match="keyed=False"):
        loaded.get_layer("keyed")(raw)
    loaded.get_layer("keyed").set_key(KEY)
    again = keras.tree.map_structure(keras.ops.convert_to_numpy, loaded.predict(u, verbose=0))
    keras.tree.map_structure(np.testing.assert_array_equal, under_key, again)

    model.get_layer("keyed").set_key(b"another key")  # compiled predict sees the new key
    rekeyed = keras.ops.convert_to_numpy(model.predict(u, verbose=0)["codes"])
    values2, positions2 = key_permutations(b"another key", m, q, permute_positions=True)
    np.testing.assert_array_equal(rekeyed, keyed_oracle(raw, values2, positions2))


def test_random_iom_from_key():
    a = random_iom_from_key(KEY, input_dim=6, m=8, q=4)
    b = random_iom_from_key(KEY, input_dim=6, m=8, q=4)
    c = random_iom_from_key(b"other", input_dim=6, m=8, q=4)
    ka, kb, kc = (keras.ops.convert_to_numpy(layer.kernel) for layer in (a, b, c))
    np.testing.assert_array_equal(ka, kb)
    assert not np.allclose(ka, kc)
    assert not a.trainable_weights and a.get_config()["seed"] is None
    assert {**a.get_config(), "name": ""} == {**c.get_config(), "name": ""}
    u = np.random.default_rng(4).normal(size=(3, 6)).astype("float32")
    codes = keras.ops.convert_to_numpy(a(u, mode="hard"))
    np.testing.assert_array_equal(codes, np.argmax((u @ ka).reshape(3, 8, 4), axis=-1))
