"""IoMProjection: harness, NumPy oracle with a loop over groups, modes, random IoM."""

import keras
import numpy as np
import pytest
from keras.src.testing import TestCase

from lateral_keras.layers import IoMProjection

pytestmark = pytest.mark.backend_agnostic


def iom_oracle(u, kernel, bias, m, q, temperature):
    """Soft index, soft one-hot and first-max hard codes, one group at a time."""
    z = u.astype("float64") @ kernel + bias
    n = u.shape[0]
    index, probs, codes = np.zeros((n, m)), np.zeros((n, m, q)), np.zeros((n, m), int)
    for b in range(n):
        for i in range(m):
            group = z[b, i * q : (i + 1) * q]
            e = np.exp(temperature * (group - group.max()))
            probs[b, i] = e / e.sum()
            index[b, i] = sum(k * probs[b, i, k] for k in range(q))
            best = 0
            for k in range(1, q):
                if group[k] > group[best]:
                    best = k
            codes[b, i] = best
    return index, probs, codes


def built_layer(input_dim, **kwargs):
    layer = IoMProjection(**kwargs)
    layer.build((None, input_dim))
    return layer


class IoMProjectionHarnessTest(TestCase):
    def test_soft(self):
        self.run_layer_test(
            IoMProjection,
            {"m": 4, "q": 3, "seed": 1},
            input_shape=(2, 8),
            expected_output_shape={"index": (2, 4), "probs": (2, 4, 3)},
            expected_output_dtype={"index": "float32", "probs": "float32"},
            expected_num_trainable_weights=2,
            expected_num_non_trainable_weights=0,
            # The harness's fit step sums y_pred, which a dict cannot be;
            # test_fit_step_on_soft_index trains on the soft output instead.
            run_training_check=False,
        )

    def test_logits(self):
        self.run_layer_test(
            IoMProjection,
            {"m": 4, "q": 3, "hidden_layer_remark": "2"},
            input_shape=(2, 8),
            call_kwargs={"mode": "logits"},
            expected_output_shape=(2, 4, 3),
            expected_num_trainable_weights=6,
            expected_num_non_trainable_weights=2,
            # The harness's fit step drops call_kwargs (so it would get the soft dict).
            run_training_check=False,
        )

    def test_hard(self):
        # The harness's mixed-precision check calls compute_output_spec without
        # call_kwargs; test_mixed_precision_hard_codes covers it instead.
        self.run_layer_test(
            IoMProjection,
            {"m": 5, "q": 4},
            input_shape=(2, 8),
            call_kwargs={"mode": "hard"},
            expected_output_shape=(2, 5),
            expected_output_dtype="int32",
            run_training_check=False,
            run_mixed_precision_check=False,
        )

    def test_hidden_layer_weight_counts(self):
        counts = {"1": (2, 0, 0), "T1": (2, 0, 0), "2": (6, 2, 0), "3": (10, 4, 0), "T2": (6, 2, 1)}
        for remark, (trainable, non_trainable, seeds) in counts.items():
            self.run_layer_test(
                IoMProjection,
                {"m": 3, "q": 2, "hidden_layer_remark": remark},
                input_shape=(2, 6),
                call_kwargs={"mode": "logits"},
                expected_output_shape=(2, 3, 2),
                expected_num_trainable_weights=trainable,
                expected_num_non_trainable_weights=non_trainable,
                expected_num_seed_generators=seeds,
                run_training_check=False,
                run_mixed_precision_check=False,
            )

    def test_random_iom(self):
        self.run_layer_test(
            IoMProjection,
            {"m": 4, "q": 3, "trainable_projection": False, "seed": 7},
            input_shape=(2, 8),
            call_kwargs={"mode": "logits"},
            expected_output_shape=(2, 4, 3),
            expected_num_trainable_weights=0,
            expected_num_non_trainable_weights=2,
            run_training_check=False,
        )


@pytest.mark.parametrize("temperature", [1.0, 3.5])
def test_soft_and_hard_match_numpy_loop(temperature):
    rng = np.random.default_rng(0)
    m, q = 6, 5
    u = rng.normal(size=(4, 7)).astype("float32")
    layer = built_layer(7, m=m, q=q, temperature=temperature)
    layer.bias.assign(rng.normal(size=(m * q,)).astype("float32"))
    kernel, bias = (keras.ops.convert_to_numpy(w) for w in (layer.kernel, layer.bias))
    index, probs, codes = iom_oracle(u, kernel, bias, m, q, temperature)
    soft = layer(u)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(soft["index"]), index, atol=1e-4)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(soft["probs"]), probs, atol=1e-5)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(layer(u, mode="hard")), codes)
    z = keras.ops.convert_to_numpy(layer(u, mode="logits"))
    np.testing.assert_allclose(z.reshape(4, -1), u @ kernel + bias, rtol=1e-4, atol=1e-4)


def test_hard_codes_take_the_first_maximum_on_ties():
    m, q = 4, 4
    layer = built_layer(3, m=m, q=q)
    layer.kernel.assign(np.zeros((3, m * q), "float32"))
    groups = [[1, 3, 3, 0], [5, 5, 5, 5], [0, 0, 0, 2], [-1, -2, -1, -3]]
    layer.bias.assign(np.array(groups, "float32").reshape(-1))
    u = np.random.default_rng(1).normal(size=(2, 3)).astype("float32")
    codes = keras.ops.convert_to_numpy(layer(u, mode="hard"))
    kernel, bias = (keras.ops.convert_to_numpy(w) for w in (layer.kernel, layer.bias))
    np.testing.assert_array_equal(codes, iom_oracle(u, kernel, bias, m, q, 1.0)[2])
    np.testing.assert_array_equal(codes, [[1, 0, 3, 0]] * 2)


@pytest.mark.parametrize("remark", ["2", "T2"])
def test_output_structure_does_not_depend_on_training(remark):
    layer = IoMProjection(m=3, q=4, hidden_layer_remark=remark, seed=2)
    u = np.random.default_rng(2).normal(size=(5, 6)).astype("float32")
    for mode in ("soft", "hard", "logits"):
        outputs = [layer(u, mode=mode, training=flag) for flag in (True, False)]
        spec = layer.compute_output_spec(keras.KerasTensor((None, 6)), mode=mode)
        for out in outputs:
            shapes = keras.tree.map_structure(lambda x: tuple(x.shape), out)
            dtypes = keras.tree.map_structure(
                lambda x: keras.backend.standardize_dtype(x.dtype), out
            )
            assert shapes == keras.tree.map_structure(lambda x: (5, *x.shape[1:]), spec)
            assert dtypes == keras.tree.map_structure(lambda x: x.dtype, spec)


def test_mixed_precision_hard_codes():
    layer = IoMProjection(m=3, q=4, dtype="mixed_float16")
    u = np.random.default_rng(3).normal(size=(2, 6)).astype("float32")
    assert keras.backend.standardize_dtype(layer(u, mode="hard").dtype) == "int32"
    assert layer.compute_output_spec(keras.KerasTensor((None, 6)), mode="hard").dtype == "int32"
    assert keras.backend.standardize_dtype(layer(u)["index"].dtype) == "float16"
    assert all(w.dtype == "float32" for w in layer.weights)


def _fit_one_step(layer, u):
    inputs = keras.Input((u.shape[1],))
    model = keras.Model(inputs, layer(inputs)["index"])
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    before = [keras.ops.convert_to_numpy(w) for w in layer.weights]
    model.fit(u, np.zeros((u.shape[0], layer.m), "float32"), epochs=1, verbose=0)
    return before, [keras.ops.convert_to_numpy(w) for w in layer.weights]


def test_fit_step_on_soft_index():
    u = np.random.default_rng(4).normal(size=(8, 6)).astype("float32")
    before, after = _fit_one_step(IoMProjection(m=3, q=4), u)
    assert not np.allclose(before[0], after[0])


def test_random_iom_is_fixed_seeded_and_standard_normal():
    u = np.random.default_rng(5).normal(size=(8, 6)).astype("float32")
    layer = IoMProjection(m=3, q=4, trainable_projection=False, seed=11)
    before, after = _fit_one_step(layer, u)
    assert not layer.trainable_weights
    for b, a in zip(before, after):
        np.testing.assert_array_equal(b, a)
    again = built_layer(6, m=3, q=4, trainable_projection=False, seed=11)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(again.kernel), before[0])
    big = keras.ops.convert_to_numpy(built_layer(64, m=64, q=8, seed=1).kernel)
    assert abs(big.mean()) < 0.02 and abs(big.std() - 1.0) < 0.02


def test_shared_layer_soft_and_hard_models_round_trip(keras_round_trip):
    inputs = keras.Input((6,))
    iom = IoMProjection(m=4, q=3, hidden_layer_remark="2", temperature=2.0, name="iom")
    soft = keras.Model(inputs, iom(inputs))
    hard = keras.Model(inputs, iom(inputs, mode="hard"))
    u = np.random.default_rng(6).normal(size=(3, 6)).astype("float32")
    loaded_soft = keras_round_trip(soft, u)
    loaded_hard = keras_round_trip(hard, u)
    assert set(loaded_soft(u)) == {"index", "probs"}
    codes = keras.ops.convert_to_numpy(loaded_hard(u))
    np.testing.assert_array_equal(
        codes, np.argmax(keras.ops.convert_to_numpy(soft(u)["probs"]), -1)
    )
    assert loaded_hard.get_layer("iom").get_config() == iom.get_config()


@pytest.mark.parametrize(
    "kwargs",
    [
        {"m": 0, "q": 4},
        {"m": 3, "q": 1},
        {"m": 3, "q": 4, "hidden_layer_remark": "4"},
        {"m": 3, "q": 4, "temperature": 0.0},
    ],
)
def test_invalid_arguments(kwargs):
    with pytest.raises(ValueError, match="Received: "):
        IoMProjection(**kwargs)


def test_invalid_mode():
    layer = IoMProjection(m=3, q=4)
    with pytest.raises(ValueError, match="Received: mode="):
        layer(np.zeros((1, 5), "float32"), mode="argmax")
