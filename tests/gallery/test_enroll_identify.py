"""`lateral enroll` and `lateral identify` end to end on a tiny run folder (slow: ROI
extraction and model loading)."""

import csv
import importlib.util
import json
import os
import stat

import numpy as np
import pytest

from lateral_keras.cli import main

_spec = importlib.util.spec_from_file_location(
    "tiny_run", os.path.join(os.path.dirname(__file__), "tiny_run.py"))
tiny_run = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(tiny_run)

ENROLLED = [f"fish_{i:04d}" for i in range(4)]
VALIDATION = [f"fish_{i:04d}" for i in range(4, 9)]
NEVER_ENROLLED = "fish_0009"


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """A run, a gallery of 4 fish (2 photos each), and a validation threshold written as
    `lateral evaluate` writes it: chosen on fish never used below (FAR 0 among their best
    matches against the gallery)."""
    root = tmp_path_factory.mktemp("tiny")
    run_dir, data = tiny_run.make_tiny_run(str(root))
    enrol = tiny_run.copy_photos(data, str(root / "enrol"), ENROLLED, ["img_00.jpg",
                                                                        "img_01.jpg"])
    gallery = str(root / "out" / "fish.npz")
    assert main(["enroll", "--run", run_dir, "--images", enrol, "--gallery", gallery,
                 "--quiet", "--workers", "1"]) == 0
    validation = [os.path.join(data, "SESSION1", fish, f"img_0{i}.jpg")
                  for fish in VALIDATION for i in range(3)]
    report = root / "validation.json"
    assert main(["identify", "--gallery", gallery, *validation, "--json", str(report),
                 "--quiet", "--threshold", "1.0"]) == 0
    best = [r["matches"][0]["score"] for r in json.loads(report.read_text())["results"]]
    threshold = float(np.nextafter(max(best), 2.0))
    (root / "runs" / "tiny" / "thresholds.json").write_text(
        json.dumps({"codes": {"threshold": threshold, "far": 0.0}}))
    return {"root": root, "run": run_dir, "data": data, "gallery": gallery}


def photo(tiny, fish, image):
    return os.path.join(tiny["data"], "SESSION1", fish, image)


@pytest.mark.slow
def test_identify_finds_held_out_photos_and_says_unknown_for_a_new_fish(tiny, capsys):
    root = tiny["root"]
    probes = [photo(tiny, fish, "img_02.jpg") for fish in ENROLLED]
    unknown = [photo(tiny, NEVER_ENROLLED, f"img_0{i}.jpg") for i in range(3)]
    broken = root / "broken.jpg"
    broken.write_bytes(b"\xff\xd8 not really a jpeg")
    out_csv, out_json, sheet = root / "ids.csv", root / "ids.json", root / "sheet.png"
    status = main(["identify", "--gallery", tiny["gallery"], *probes, *unknown, str(broken),
                   "--top-k", "3", "--csv", str(out_csv), "--json", str(out_json),
                   "--sheet", str(sheet), "--quiet"])
    assert status == 0
    screen = capsys.readouterr().out
    assert "validation rule" in screen and "no ROI" in screen
    results = json.loads(out_json.read_text())["results"]
    assert [r["photo"] for r in results] == [os.path.abspath(p) for p in
                                             probes + unknown + [str(broken)]]
    for result, fish in zip(results[:4], ENROLLED):
        assert result["matches"][0]["identity"] == fish
        assert result["decision"] == "known"
        assert len(result["matches"]) == 3
        assert result["side"] in ("left", "right", "unknown")  # the extractor tells the flank
        for match in result["matches"]:  # same-side matching, and the side that matched is said
            assert "unknown" in (result["side"], match["gallery_side"]) or (
                match["gallery_side"] == result["side"])
    for result in results[4:7]:
        assert result["decision"] == "unknown"
    assert results[7]["status"] == "failed" and results[7]["reason"]
    rows = list(csv.DictReader(out_csv.open()))
    assert len(rows) == 7 * 3 + 1
    assert rows[0]["rank"] == "1" and rows[0]["identity"] == ENROLLED[0]
    assert sheet.stat().st_size > 1000 and (root / "out" / "fish.thumbs.npz").exists()


@pytest.mark.slow
def test_a_keyed_gallery_needs_its_key_and_matches_like_the_plain_one(tiny, capsys):
    root = tiny["root"]
    key = str(root / "secrets" / "fish.key")
    gallery = str(root / "out" / "keyed.npz")
    enrol = str(root / "enrol")
    assert main(["enroll", "--run", tiny["run"], "--images", enrol, "--gallery", gallery,
                 "--key", key, "--quiet", "--workers", "1"]) == 0
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
    key_hex = json.loads(open(key).read())["key"]
    assert key_hex.encode() not in open(gallery, "rb").read()
    assert not (root / "out" / "keyed.thumbs.npz").exists()  # no photos beside keyed codes
    probes = [photo(tiny, fish, "img_02.jpg") for fish in ENROLLED]
    capsys.readouterr()
    assert main(["identify", "--gallery", gallery, *probes, "--quiet"]) == 1
    assert "give its key file with --key" in capsys.readouterr().err
    other = str(root / "secrets" / "other.key")
    from lateral_keras.protection import write_key_file

    write_key_file(other)
    assert main(["identify", "--gallery", gallery, *probes, "--key", other, "--quiet"]) == 1
    assert "key_id" in capsys.readouterr().err
    keyed_json, plain_json = root / "keyed.json", root / "plain.json"
    assert main(["identify", "--gallery", gallery, *probes, "--key", key, "--quiet",
                 "--json", str(keyed_json)]) == 0
    assert main(["identify", "--gallery", tiny["gallery"], *probes, "--quiet",
                 "--json", str(plain_json)]) == 0
    keyed = json.loads(keyed_json.read_text())["results"]
    plain = json.loads(plain_json.read_text())["results"]
    # Keying permutes code values bijectively: every score is unchanged.
    assert [r["matches"] for r in keyed] == [r["matches"] for r in plain]


@pytest.mark.slow
def test_a_gallery_of_another_run_is_refused(tiny, tmp_path, capsys):
    other_run, _ = tiny_run.make_tiny_run(str(tmp_path), n_fish=1, seed=2)
    status = main(["identify", "--gallery", tiny["gallery"], "--run", other_run,
                   photo(tiny, ENROLLED[0], "img_02.jpg"), "--quiet"])
    assert status == 1
    err = capsys.readouterr().err
    assert "fish.npz" in err and "model_hash" in err


@pytest.mark.slow
def test_an_embedding_gallery_identifies_too_and_refuses_a_key(tiny, capsys):
    root = tiny["root"]
    gallery = str(root / "out" / "embeddings.npz")
    enrol = str(root / "enrol")
    assert main(["enroll", "--run", tiny["run"], "--images", enrol, "--gallery", gallery,
                 "--kind", "embeddings", "--quiet", "--workers", "1"]) == 0
    out = root / "embeddings.json"
    probes = [photo(tiny, fish, "img_02.jpg") for fish in ENROLLED]
    assert main(["identify", "--gallery", gallery, *probes, "--quiet", "--json", str(out)]) == 0
    results = json.loads(out.read_text())["results"]
    assert [r["matches"][0]["identity"] for r in results] == ENROLLED
    assert main(["enroll", "--run", tiny["run"], "--images", enrol, "--gallery",
                 str(root / "out" / "never.npz"), "--kind", "embeddings", "--key",
                 str(root / "secrets" / "e.key"), "--quiet"]) == 1
    assert "never stored in a protected gallery" in capsys.readouterr().err
