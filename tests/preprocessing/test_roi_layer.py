"""Tests of the `RoiExtractor` layer with a stand-in extractor (the layer's own logic)."""

import keras
import numpy as np
import pytest

from lateral_keras.preprocessing import roi_layer
from lateral_keras.preprocessing.result import RoiResult, failed
from lateral_keras.preprocessing.roi_layer import RoiExtractor
from lateral_keras.preprocessing.settings import ExtractorSettings


def _fake_extract(image, settings):
    """Fails on all-black photos; otherwise the ROI is the top-left corner at `roi_size`."""
    if image.max() == 0:
        return failed("no_fish", "black photo")
    height, width = settings.roi_size
    return RoiResult(ok=True, roi=image[:height, :width].copy())


@pytest.fixture
def fake_extractor(monkeypatch):
    calls = []

    def extract(image, settings, flank):
        calls.append((image.shape, flank))
        return _fake_extract(image, settings)

    monkeypatch.setattr(roi_layer, "_extract", extract)
    return calls


def _photos():
    rng = np.random.default_rng(0)
    photos = rng.integers(1, 256, (3, 20, 30, 3), dtype=np.uint8)
    photos[1] = 0
    return photos


def test_batch_gives_rois_and_ok_flags_zeros_on_failure(fake_extractor):
    photos = _photos()
    rois, ok = RoiExtractor({"roi_size": (8, 12)})(photos)
    rois, ok = np.asarray(rois), np.asarray(ok)
    assert rois.shape == (3, 8, 12, 3) and rois.dtype == np.float32
    np.testing.assert_array_equal(ok, [True, False, True])
    np.testing.assert_array_equal(rois[0], photos[0, :8, :12].astype(np.float32))
    np.testing.assert_array_equal(rois[1], 0)
    assert fake_extractor == [((20, 30, 3), None)] * 3


def test_a_known_flank_reaches_the_extractor_and_the_config(fake_extractor):
    layer = RoiExtractor({"roi_size": (8, 12)}, flank="right")
    layer(_photos())
    assert [flank for _, flank in fake_extractor] == ["right"] * 3
    assert RoiExtractor.from_config(layer.get_config()).flank == "right"
    with pytest.raises(ValueError, match="flank"):
        RoiExtractor(flank="both")


def test_single_image_gives_unbatched_outputs(fake_extractor):
    rois, ok = RoiExtractor({"roi_size": [8, 12]})(_photos()[0])
    assert tuple(rois.shape) == (8, 12, 3) and bool(ok)


def test_settings_are_validated_and_need_a_fixed_size():
    with pytest.raises(ValueError, match="roi_size"):
        RoiExtractor({"roi_size": None})
    with pytest.raises(ValueError, match="top_fraction"):
        RoiExtractor({"top_fraction": 0.9, "bottom_fraction": 0.5})
    with pytest.raises(TypeError, match="uint8"):
        RoiExtractor()(np.zeros((20, 30, 3), np.float32))


def test_runs_in_tf_data_and_keras_file_round_trip(fake_extractor, tmp_path):
    import tensorflow as tf

    settings = ExtractorSettings(roi_size=(8, 12), top_fraction=0.1)
    layer = RoiExtractor(settings, flank="left", name="roi")
    inputs = keras.Input((20, 30, 3), dtype="uint8")
    model = keras.Model(inputs, layer(inputs))
    path = tmp_path / "extractor.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert loaded.get_layer("roi").get_config() == layer.get_config()
    assert loaded.get_layer("roi").get_config()["settings"]["top_fraction"] == 0.1
    assert loaded.get_layer("roi").flank == "left"
    photos = _photos()
    expected_rois, expected_ok = model(photos)
    rois, ok = loaded(photos)
    np.testing.assert_array_equal(np.asarray(rois), np.asarray(expected_rois))
    np.testing.assert_array_equal(np.asarray(ok), np.asarray(expected_ok))
    dataset = tf.data.Dataset.from_tensor_slices(photos).map(layer).filter(lambda r, k: k)
    kept = [r.numpy() for r, _ in dataset]
    assert len(kept) == 2
    np.testing.assert_array_equal(kept[1], photos[2, :8, :12])


@pytest.mark.backend_agnostic
@pytest.mark.skipif(keras.backend.backend() == "tensorflow", reason="checks other backends")
def test_other_backends_get_a_clear_error():
    with pytest.raises(RuntimeError, match="TensorFlow backend"):
        RoiExtractor()(_photos()[0])


def test_real_extractor_matches_extract_roi_on_synthetic_photos():
    from lateral_keras.data.synthetic.render import render_image
    from lateral_keras.preprocessing.extractor import extract_roi

    photos = np.stack(
        [render_image(f, 0, 0, image_size=(360, 270), difficulty="easy")[0] for f in range(2)]
    )
    photos[1] = 0
    settings = ExtractorSettings(roi_size=(16, 64))
    rois, ok = RoiExtractor(settings)(photos)
    expected = extract_roi(photos[0], settings)
    assert expected.ok
    np.testing.assert_array_equal(np.asarray(ok), [True, False])
    np.testing.assert_array_equal(np.asarray(rois)[0], expected.roi.astype(np.float32))
    np.testing.assert_array_equal(np.asarray(rois)[1], 0)
