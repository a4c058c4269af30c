"""`lateral export` on a run folder: writes the file, checks it against the Keras models."""

import cv2
import numpy as np
import pytest

from lateral_keras.cli import main


@pytest.fixture
def run_dir(run_models, tmp_path):
    from lateral_keras.config import dump_config, load_config

    embedder, codes, _ = run_models
    run = tmp_path / "runs" / "tiny"
    (run / "models").mkdir(parents=True)
    config = load_config([], ["preprocessing.input_size=[32, 96]", "sub_name=tiny"])
    (run / "config.yaml").write_text(dump_config(config))
    embedder.save(run / "models" / "embedder.keras")
    codes.save(run / "models" / "iom_codes.keras")
    (tmp_path / "rois").mkdir()
    rng = np.random.default_rng(3)
    for i in range(4):
        roi = rng.integers(0, 256, (35, 106, 3), dtype=np.uint8)
        assert cv2.imwrite(str(tmp_path / "rois" / f"roi_{i}.png"), roi)
    return run


@pytest.mark.slow
def test_export_writes_and_checks_the_model(run_dir, tmp_path, capsys):
    status = main(["export", "--run", str(run_dir), "--format", "keras", "--outputs", "both",
                   "--rois", str(tmp_path / "rois"), "--check-rois", "4", "--quiet"])
    out = capsys.readouterr().out
    assert status == 0, out
    assert (run_dir / "export" / "lateral_both.keras").is_file()
    assert "Check on 4 ROIs: codes identical: True (0 differing values)" in out


def test_export_records_how_the_run_cut_its_rois(run_dir, capsys):
    """The record beside the model rebuilds the run's extractor settings, not the defaults."""
    import json

    from lateral_keras.preprocessing import ExtractorSettings

    status = main(["export", "--run", str(run_dir), "--format", "keras", "--outputs",
                   "embedding", "--check-rois", "0", "--quiet"])
    assert status == 0, capsys.readouterr()
    path = run_dir / "export" / "lateral_embedding.keras.preprocessing.json"
    record = json.loads(path.read_text())
    settings = ExtractorSettings(**record["extractor_settings"])
    # The run's config: input 32 x 96 with 10 % crop room, the recipe's ROI depth.
    assert settings.roi_size == (35, 106)
    assert (settings.top_fraction, settings.bottom_fraction) == (0.05, 0.75)
    assert ExtractorSettings().bottom_fraction == 0.5  # what a deployment would get unaided
    assert record["input_size"] == [32, 96] and record["crop_margin"] == 0.1
    assert (record["roi_mode"], record["mirror_side"], record["flank"]) == (
        "extract", "none", "declared")
    assert str(path) in capsys.readouterr().out


def test_export_of_a_folder_that_is_no_run_fails_clearly(tmp_path, capsys):
    status = main(["export", "--run", str(tmp_path), "--format", "tflite"])
    assert status == 1
    assert "not a run folder" in capsys.readouterr().err
