"""Stage two's validation codes by direct calls in blocks: what predict and a NumPy loop give."""

import keras
import numpy as np
import pytest

from lateral_keras.layers import IoMProjection
from lateral_keras.training.stage_two_run import code_model, codes_in_blocks

pytestmark = pytest.mark.backend_agnostic


def first_max_codes(u, kernel, bias, m, q):
    """Index of the first largest of each group's q scores, one image and group at a time."""
    z = u.astype("float64") @ kernel + bias
    codes = np.zeros((len(u), m), int)
    for b in range(len(u)):
        for i in range(m):
            group = list(z[b, i * q:(i + 1) * q])
            codes[b, i] = group.index(max(group))
    return codes


@pytest.mark.parametrize("block", [1, 4, 10, 64])
def test_codes_in_blocks_match_a_numpy_loop_and_predict(block):
    rng = np.random.default_rng(3)
    m, q = 5, 4
    projection = IoMProjection(m=m, q=q, seed=0)
    codes = code_model(projection, 6)
    projection.bias.assign(rng.normal(size=(m * q,)).astype("float32"))
    u = rng.normal(size=(10, 6)).astype("float32")
    kernel, bias = (keras.ops.convert_to_numpy(w) for w in (projection.kernel, projection.bias))
    got = codes_in_blocks(codes, u, block)
    np.testing.assert_array_equal(got, first_max_codes(u, kernel, bias, m, q))
    np.testing.assert_array_equal(got, codes.predict(u, verbose=0))


def test_codes_in_blocks_of_no_rows():
    codes = code_model(IoMProjection(m=3, q=2, seed=0), 4)
    assert codes_in_blocks(codes, np.zeros((0, 4), "float32"), 8).shape == (0, 3)
