"""Test-time crops: each photo's features are the mean over fixed crops of its ROI."""

import cv2
import keras
import numpy as np
import pytest

from lateral_keras.config import ConfigError, load_config
from lateral_keras.training.inputs import embed, image_dataset, roi_images
from tests.training.test_stage_two_end_to_end import roi_part

pytestmark = pytest.mark.skipif(
    keras.backend.backend() != "tensorflow", reason="the ROI pipeline is tf.data"
)

SMALL = ["input_size=[16, 32]"]  # the test ROIs are 18 x 35, the crop margin's size


def pixels_model():
    """Features = the crop's pixels, so the expected features are plain NumPy slices."""
    return keras.Sequential([keras.Input((16, 32, 3)), keras.layers.Flatten()])


def test_the_centre_crop_is_the_evaluation_stacks_crop(tmp_path):
    config = load_config(overrides=SMALL)
    part = roi_part(tmp_path)
    model = pixels_model()
    stack = image_dataset(config, part, training=False, batch_size=4, labels=False)
    expected = np.asarray(model.predict(stack, verbose=0))  # Resizing + CenterCrop layers
    np.testing.assert_array_equal(embed(model, config, part), expected)
    assert embed(model, config, part, crops=["top_left"]).shape == expected.shape


@pytest.mark.parametrize("batch_size", [2, 3, 7, 128])  # 1, 1, 2 and 42 photos per batch
def test_mean_of_crops_matches_numpy_slices(tmp_path, batch_size):
    config = load_config(overrides=SMALL + [f"evaluation.eval_batch_size={batch_size}"])
    part = roi_part(tmp_path, n_ids=3, per_id=3)
    crops = ["top_left", "centre", "bottom_right"]
    features = embed(pixels_model(), config, part, crops=crops)

    rois = [cv2.imread(r.roi_path)[:, :, ::-1].astype(np.float64) for r in part.records]
    corners = {"top_left": (0, 0), "centre": ((18 - 16) // 2, (35 - 32) // 2),
               "bottom_right": (18 - 16, 35 - 32)}
    expected = np.stack([
        np.mean([roi[top : top + 16, left : left + 32].ravel()
                 for top, left in (corners[c] for c in crops)], axis=0)
        for roi in rois
    ])
    assert features.shape == (9, 16 * 32 * 3) and features.dtype == np.float32
    np.testing.assert_allclose(features, expected, rtol=0, atol=1e-4)
    assert np.abs(features - embed(pixels_model(), config, part)).max() > 1  # not the centre


@pytest.mark.parametrize("crops", [["centre"], ["top_right", "bottom_left"]])
def test_rois_decoded_once_embed_as_decoding_them_again_does(tmp_path, crops):
    """Stage one's validation callback decodes its ROIs once for every epoch."""
    config = load_config(overrides=SMALL)
    part = roi_part(tmp_path)
    model = pixels_model()
    images = roi_images(config, part)
    np.testing.assert_array_equal(embed(model, config, part, images=images, crops=crops),
                                  embed(model, config, part, crops=crops))


@pytest.mark.parametrize("crops", ["[]", "[centre, centre]", "[middle]"])
def test_bad_crop_lists_are_refused(crops):
    with pytest.raises(ConfigError, match="test_time_crops"):
        load_config(overrides=[f"evaluation.test_time_crops={crops}"])
