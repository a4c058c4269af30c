"""``lateral synth`` options, progress bar and summary; the contact sheet."""

import argparse
import os

import cv2
import pytest

from lateral_keras.cli import synth
from lateral_keras.config import load_config


def _parse(argv):
    return synth.add_arguments(argparse.ArgumentParser()).parse_args(argv)


def test_parse_defaults_and_size():
    args = _parse(["--out", "d"])
    assert (args.n_fish, args.sessions, args.images_per_session) == (380, 4, 5)
    assert args.n_fish == load_config().data.synthetic.n_fish  # the recipe's dataset
    assert args.size == (800, 600) and args.difficulty == "default" and not args.both_flanks
    assert _parse(["--out", "d", "--size", "320x240", "--difficulty", "0.7"]).size == (320, 240)
    assert _parse(["--out", "d", "--difficulty", "0.7"]).difficulty == 0.7
    with pytest.raises(SystemExit):
        _parse(["--out", "d", "--size", "big"])


def test_run_writes_dataset_and_contact_sheet(tmp_path, capsys):
    sheet = tmp_path / "sheet.png"
    args = _parse(["--out", str(tmp_path / "ds"), "--n-fish", "2", "--sessions", "2",
                   "--images-per-session", "2", "--size", "160x120", "--workers", "1",
                   "--both-flanks", "--contact-sheet", str(sheet)])
    assert synth.run(args) == 0
    out, err = capsys.readouterr()
    assert "8/8" in err and "synthetic dataset" in out
    assert os.path.isfile(tmp_path / "ds" / "ground_truth.csv")
    image = cv2.imread(str(sheet))
    assert image is not None and image.shape[1] == 4 * 320


def test_run_reports_bad_settings(tmp_path, capsys):
    args = _parse(["--out", str(tmp_path / "ds"), "--n-fish", "0"])
    assert synth.run(args) == 2
    assert "n_fish" in capsys.readouterr().err
