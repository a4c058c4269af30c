"""SmallCNN's structure: parameter count against a closed form, block naming, bad arguments."""

import pytest

from lateral_keras.models import small_cnn


def _expected_params(widths, convs_per_block, channels=3):
    """Conv3x3 kernels (no bias) plus 4 BatchNorm numbers per channel, counted by hand."""
    counts = [convs_per_block] * len(widths) if isinstance(convs_per_block, int) else (
        convs_per_block)
    total, previous = 0, channels
    for filters, count in zip(widths, counts):
        for _ in range(count):
            total += 9 * previous * filters + 4 * filters
            previous = filters
    return total


@pytest.mark.parametrize("convs_per_block", [1, 2, 3, (1, 2, 3), [3, 1, 1]])
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


@pytest.mark.parametrize("widths", [(16, 32, 64, 128), (4, 8), (4,)])
def test_the_default_first_block_has_one_convolution_and_the_others_two(widths):
    model = small_cnn((16, 32, 3), widths=widths)
    names = {layer.name for layer in model.layers}
    assert "block1_conv" in names and "block1_conv2" not in names
    later = {f"block{i}_conv2" for i in range(2, len(widths) + 1)}
    assert later <= names
    assert not any(name.endswith("_conv3") for name in names)
    expected = _expected_params(widths, [1] + [2] * (len(widths) - 1))
    assert model.count_params() == expected


@pytest.mark.parametrize("convs_per_block", [0, -1, 1.5, True, "2", (1, 2), (1, 2, 2, 0),
                                             (1, 2, True, 2)])
def test_bad_convs_per_block_is_named(convs_per_block):
    with pytest.raises(ValueError, match="convs_per_block"):
        small_cnn((16, 16, 3), convs_per_block=convs_per_block)
