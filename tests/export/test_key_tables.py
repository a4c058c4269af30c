"""`ApplyKeyTables`: the key as model inputs gives exactly the codes of `KeyedCodes`."""

import keras
import numpy as np
import pytest

from lateral_keras.export import ApplyKeyTables, key_inputs
from lateral_keras.layers.keys import key_permutations


def numpy_keyed(codes, key, m, q, permute):
    """Oracle: the rule of KeyedCodes written as loops over the key's permutations."""
    values, positions = key_permutations(key, m, q, permute)
    out = np.empty_like(codes)
    for i in range(codes.shape[0]):
        for j in range(m):
            p = positions[j]
            out[i, j] = values[p, codes[i, p]]
    return out


@pytest.mark.backend_agnostic
@pytest.mark.parametrize("permute", [False, True])
def test_matches_keyed_codes_rule(permute):
    m, q = 7, 5
    codes = np.random.default_rng(0).integers(0, q, (6, m)).astype("int32")
    tables = key_inputs(b"secret", m, q, permute)
    out = ApplyKeyTables(m, q)(codes, tables["key_values"], tables["key_positions"])
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(out),
                                  numpy_keyed(codes, b"secret", m, q, permute))


@pytest.mark.backend_agnostic
def test_no_key_gives_plain_codes_and_config_round_trips():
    codes = np.array([[0, 3, 1], [2, 2, 0]], "int32")
    layer = ApplyKeyTables(3, 4, name="codes")
    tables = key_inputs(None, 3, 4)
    out = layer(codes, tables["key_values"], tables["key_positions"])
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(out), codes)
    again = ApplyKeyTables.from_config(layer.get_config())
    assert (again.m, again.q, again.name) == (3, 4, "codes") and not again.weights


@pytest.mark.backend_agnostic
def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="`m`"):
        ApplyKeyTables(0, 4)
    with pytest.raises(ValueError, match="`q`"):
        ApplyKeyTables(3, 1)
