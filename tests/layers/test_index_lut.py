"""IndexLUT: harness, bits against a NumPy loop, random rows, round trip."""

import keras
import numpy as np
import pytest
from keras.src.testing import TestCase

from lateral_keras.layers import IndexLUT, lut_table

pytestmark = pytest.mark.backend_agnostic


def bits_oracle(codes, bits):
    """Binary code of each index, most significant bit first, one position at a time."""
    n, m = codes.shape
    out = np.zeros((n, m * bits))
    for b in range(n):
        for i in range(m):
            value = int(codes[b, i])
            for j in range(bits):
                out[b, i * bits + j] = (value >> (bits - 1 - j)) & 1
    return out


class IndexLUTHarnessTest(TestCase):
    def test_harness(self):
        self.run_layer_test(
            IndexLUT,
            {"q": 8},
            input_data=np.array([[0, 7, 3], [5, 1, 2]], "int32"),
            expected_output_shape=(2, 9),
            expected_output_dtype="float32",
            expected_num_trainable_weights=0,
            expected_num_non_trainable_weights=1,
            run_training_check=False,
        )


@pytest.mark.parametrize("q,bits,width", [(8, None, 3), (5, None, 3), (4, 5, 5), (16, 4, 4)])
def test_binary_bits_match_numpy_loop(q, bits, width):
    codes = np.random.default_rng(0).integers(0, q, size=(6, 7))
    lut = IndexLUT(q, bits=bits)
    assert lut.bits == width
    got = keras.ops.convert_to_numpy(lut(codes.astype("int32")))
    np.testing.assert_array_equal(got, bits_oracle(codes, width))


def test_fewer_bits_than_log2_q_gives_seeded_random_rows():
    table = lut_table(16, 2, seed=3)
    assert table.shape == (16, 2) and set(np.unique(table)) <= {0, 1}
    np.testing.assert_array_equal(table, lut_table(16, 2, seed=3))
    assert not np.array_equal(table, lut_table(16, 2, seed=4))
    assert not np.array_equal(table, lut_table(16, 4)[:, 2:])  # not truncated binary
    codes = np.array([[3, 15, 0]], "int32")
    got = keras.ops.convert_to_numpy(IndexLUT(16, bits=2, seed=3)(codes))
    np.testing.assert_array_equal(got, table[codes[0]].reshape(1, -1))


def test_round_trip_keeps_the_table(keras_round_trip):
    inputs = keras.Input((4,), dtype="int32")
    model = keras.Model(inputs, IndexLUT(32, bits=3, seed=None)(inputs))
    codes = np.random.default_rng(1).integers(0, 32, size=(5, 4)).astype("int32")
    keras_round_trip(model, codes)


@pytest.mark.parametrize("kwargs", [{"q": 1}, {"q": 8, "bits": 0}])
def test_invalid_arguments(kwargs):
    with pytest.raises(ValueError, match="Received: "):
        IndexLUT(**kwargs)
