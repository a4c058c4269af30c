"""SmallCNN's structure: parameter count against a closed form, block naming, bad arguments."""

import pytest

from lateral_keras.models import small_cnn


def _expected_params(widths, convs_per_block, channels=3):
    """Conv3x3 kernels (no bias) plus 4 BatchNorm numbers per channel, counted by hand."""
    total, previous = 0, channels
    for filters in widths:
        for _ in range(convs_per_block):
            total += 9 * previous * filters + 4 * filters
            previous = filters
    return total


@pytest.mark.parametrize("convs_per_block", [1, 2, 3])
def test_parameter_count_matches_the_closed_form(convs_per_block):
    widths = (4, 8, 16)
    model = small_cnn((32, 64, 3), widths=widths, convs_per_block=convs_per_block)
    assert model.count_params() == _expected_params(widths, convs_per_block)
    assert model.output_shape == (None, 4, 8, 16)


def test_only_the_first_convolution_of_a_block_strides():
    model = small_cnn((16, 16, 3), widths=(4, 8), convs_per_block=2)
    assert model.get_layer("block1_conv").strides == (2, 2)
    assert model.get_layer("block1_conv2").strides == (1, 1)
    assert model.get_layer("block2_conv2").output.shape[1:3] == (4, 4)


@pytest.mark.parametrize("convs_per_block", [0, -1, 1.5, True, "2"])
def test_bad_convs_per_block_is_named(convs_per_block):
    with pytest.raises(ValueError, match="convs_per_block"):
        small_cnn((16, 16, 3), convs_per_block=convs_per_block)
