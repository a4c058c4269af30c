"""``lateral prepare --config`` prepares exactly what the training recipe will read."""

import argparse

import cv2
import yaml

from lateral_keras.cli import prepare as cli
from lateral_keras.config import load_config
from lateral_keras.data.synthetic import generate_dataset
from lateral_keras.preprocessing import cache
from lateral_keras.training.data_setup import cache_dir


def parse(*argv):
    return cli.add_arguments(argparse.ArgumentParser()).parse_args(list(argv))


def test_config_mode_uses_the_recipe_cache_and_roi_size(tmp_path, capsys):
    root = generate_dataset(tmp_path / "fish", n_fish=2, n_sessions=1, images_per_session=2,
                            image_size=(360, 270), difficulty="easy", workers=1)
    config_file = tmp_path / "c.yaml"
    config_file.write_text(yaml.safe_dump({
        "runs_dir": str(tmp_path / "runs"),
        "data": {"root": root},
        "preprocessing": {"input_size": [32, 128], "workers": 1},
    }))
    assert cli.run(parse("--config", str(config_file), "--quiet")) == 0
    assert "4 ROIs" in capsys.readouterr().out
    folder = cache_dir(load_config(str(config_file)), root)
    rois = cache.load_roi_cache(folder)
    assert len(rois) == 4
    # Cached with the recipe's crop room: input size x (1 + crop_margin 0.1), rounded.
    assert cv2.imread(rois[0].roi_path).shape == (35, 141, 3)


def test_neither_config_nor_folders_is_an_error(capsys):
    assert cli.run(parse()) == 1
    assert "give --config FILE, or both --data and --cache" in capsys.readouterr().err


def test_config_mode_takes_the_flank_and_mirror_side_of_the_config(tmp_path, stub_prepare):
    seen = stub_prepare("lateral_keras.preprocessing.prepare.prepare_dataset")
    root = generate_dataset(tmp_path / "fish", n_fish=2, n_sessions=1, images_per_session=1,
                            image_size=(360, 270), difficulty="easy", workers=1)
    config_file = tmp_path / "c.yaml"
    config_file.write_text(yaml.safe_dump({
        "runs_dir": str(tmp_path / "runs"), "data": {"root": root},
        "preprocessing": {"flank": "left", "mirror_side": "right"},
    }))
    assert cli.run(parse("--config", str(config_file), "--quiet")) == 1
    assert (seen["flank"], seen["mirror_side"]) == ("left", "right")
    assert cli.run(parse("--data", root, "--cache", str(tmp_path / "c"))) == 1
    assert (seen["flank"], seen["mirror_side"]) == ("declared", "none")
    assert cli.run(parse("--data", root, "--cache", str(tmp_path / "c"), "--flank", "detect",
                         "--mirror-side", "left")) == 1
    assert (seen["flank"], seen["mirror_side"]) == ("detect", "left")
