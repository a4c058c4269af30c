"""A run's templates embed each ROI as its evaluation does (the mean over its crops), and a
gallery records those crops."""

import importlib.util
import os

import keras
import numpy as np
import pytest

from lateral_keras.gallery.run_models import load_run
from lateral_keras.training.inputs import embed
from tests.training.test_stage_two_end_to_end import roi_part

_spec = importlib.util.spec_from_file_location(
    "tiny_run", os.path.join(os.path.dirname(__file__), "tiny_run.py"))
tiny_run = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(tiny_run)

pytestmark = pytest.mark.skipif(
    keras.backend.backend() != "tensorflow", reason="the ROI pipeline is tf.data"
)


def test_templates_are_the_mean_over_the_runs_test_time_crops(tmp_path):
    run_dir, _ = tiny_run.make_tiny_run(str(tmp_path), n_fish=2)
    models = load_run(run_dir)
    part = roi_part(tmp_path / "rois")
    assert models.config.evaluation.test_time_crops == ["centre"]  # the default
    centre = models.settings("codes")
    crops = ["centre", "top_left", "bottom_right"]
    models.config.evaluation.test_time_crops = crops
    # a gallery enrolled with the centre crop refuses probes embedded over three crops
    assert centre.differences(models.settings("codes")) == [
        "crops: ('centre',) -> ('centre', 'top_left', 'bottom_right')"]
    each = [embed(models.embedder, models.config, part, crops=[crop]) for crop in crops]
    templates = models.templates(part.records, "embeddings")
    np.testing.assert_allclose(templates, np.mean(each, axis=0), rtol=1e-5, atol=1e-5)
    assert np.abs(templates - each[0]).max() > 1e-3  # not the centre crop alone

    models.config.evaluation.test_time_crops = ["centre"]
    np.testing.assert_array_equal(models.templates(part.records, "embeddings"), each[0])
