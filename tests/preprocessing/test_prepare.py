"""Tests of `prepare_dataset`: cache, report, contact sheets, resuming, `roi_mode='none'`."""

import csv
import json
import os

import cv2
import numpy as np
import pytest

from lateral_keras.data.synthetic.render import render_image
from lateral_keras.preprocessing import cache, extractor
from lateral_keras.preprocessing.prepare import prepare_dataset
from lateral_keras.preprocessing.settings import ExtractorSettings

SETTINGS = ExtractorSettings(roi_size=(32, 128))


def _write_rgb(path, rgb):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    assert cv2.imwrite(str(path), cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))


@pytest.fixture(scope="module")
def fish_tree(tmp_path_factory):
    """2 sessions x 2 fish x 2 synthetic photos, plus a zero-byte, a text and a non-image file."""
    root = tmp_path_factory.mktemp("fish")
    for session in range(2):
        for fish in range(2):
            for image in range(2):
                photo, truth = render_image(
                    fish, session, image, image_size=(360, 270), difficulty="easy"
                )
                _write_rgb(root / truth["path"].replace(".jpg", ".png"), photo)
    (root / "SESSION1" / "fish_0000" / "empty.png").write_bytes(b"")
    (root / "SESSION2" / "fish_0001" / "text.png").write_text("not an image\n")
    (root / "SESSION2" / "fish_0001" / "notes.txt").write_text("hello\n")
    return root


@pytest.fixture
def count_extractions(monkeypatch):
    """Counts calls of the real extractor (prepare runs it in-process with workers=1)."""
    calls = []
    real = extractor.extract_roi_from_file

    def counting(path, settings=None, *, manual=None, flank=None):
        calls.append(os.path.basename(path))
        return real(path, settings, manual=manual, flank=flank)

    monkeypatch.setattr(extractor, "extract_roi_from_file", counting)
    return calls


def _read_csv(path):
    with open(path, newline="", encoding="utf-8") as stream:
        return list(csv.DictReader(stream))


def test_prepare_writes_cache_report_and_contact_sheets(fish_tree, tmp_path, count_extractions):
    progress = []
    summary = prepare_dataset(
        fish_tree, tmp_path / "cache", SETTINGS, workers=1,
        progress=lambda done, total: progress.append((done, total)),
    )
    assert len(count_extractions) == 10
    assert progress[0] == (0, 10) and progress[-1] == (10, 10)
    rows = _read_csv(tmp_path / "cache" / "quality.csv")
    assert len(rows) == 11
    by_name = {os.path.basename(r["path"]): r for r in rows}
    assert (by_name["empty.png"]["status"], by_name["empty.png"]["reason"]) == (
        "failed", "empty_file"
    )
    assert by_name["text.png"]["reason"] == "not_an_image"
    assert (by_name["notes.txt"]["status"], by_name["notes.txt"]["reason"]) == (
        "skipped", "not_an_image_extension"
    )
    photos = sorted(fish_tree.glob("SESSION*/fish_*/img_*.png"))
    index = {r["path"]: r for r in _read_csv(tmp_path / "cache" / "index.csv")}
    n_ok = 0
    for photo in photos:
        expected = extractor.extract_roi(
            cv2.cvtColor(cv2.imread(str(photo)), cv2.COLOR_BGR2RGB), SETTINGS
        )
        entry = index[str(photo)]
        assert entry["session"] == photo.parts[-3] and entry["identity"] == photo.parts[-2]
        assert entry["status"] == ("ok" if expected.ok else "failed")
        if expected.ok:
            n_ok += 1
            cached = cv2.cvtColor(
                cv2.imread(str(tmp_path / "cache" / entry["roi_file"])), cv2.COLOR_BGR2RGB
            )
            np.testing.assert_array_equal(cached, expected.roi)
    assert n_ok >= 6
    assert (summary.total, summary.ok, summary.skipped) == (11, n_ok, 1)
    assert summary.failed == 10 - n_ok and summary.processed == 10 and summary.reused == 0
    saved = json.loads((tmp_path / "cache" / "summary.json").read_text())
    assert saved["reasons"]["empty_file"] == 1 and saved["reasons"]["not_an_image"] == 1
    assert saved["sessions"]["SESSION1"]["ok"] + saved["sessions"]["SESSION1"].get("failed", 0) == 5
    assert "empty_file" in (tmp_path / "cache" / "summary.md").read_text()
    for name in ("rois.png", "failures.png"):
        sheet = cv2.imread(str(tmp_path / "cache" / name))
        assert sheet is not None and sheet.shape[0] > 50
    assert len(cache.load_roi_cache(tmp_path / "cache")) == n_ok


def test_second_run_reuses_every_entry(fish_tree, tmp_path, count_extractions):
    first = prepare_dataset(fish_tree, tmp_path / "cache", SETTINGS, workers=1)
    before = (tmp_path / "cache" / "index.csv").read_text()
    count_extractions.clear()
    second = prepare_dataset(fish_tree, tmp_path / "cache", SETTINGS, workers=1)
    assert count_extractions == []
    assert (second.processed, second.reused) == (0, 10)
    assert (second.ok, second.failed, second.reasons) == (first.ok, first.failed, first.reasons)
    assert (tmp_path / "cache" / "index.csv").read_text() == before


def test_changed_settings_redo_everything(fish_tree, tmp_path, count_extractions):
    prepare_dataset(fish_tree, tmp_path / "cache", SETTINGS, workers=1)
    count_extractions.clear()
    other = ExtractorSettings(roi_size=(32, 128), bottom_fraction=0.45)
    assert prepare_dataset(fish_tree, tmp_path / "cache", other, workers=1).processed == 10
    assert len(count_extractions) == 10


class _Interrupt(BaseException):
    """Stands for Ctrl-C / a killed run: not an `Exception`, so it stops the batch."""


def test_interrupted_run_resumes_without_redoing_finished_images(
    fish_tree, tmp_path, monkeypatch
):
    real = extractor.extract_roi_from_file
    calls, die_after = [], [4]

    def dying(path, settings=None, *, manual=None, flank=None):
        if len(calls) == die_after[0]:
            raise _Interrupt
        calls.append(path)
        return real(path, settings, manual=manual, flank=flank)

    monkeypatch.setattr(extractor, "extract_roi_from_file", dying)
    with pytest.raises(_Interrupt):
        prepare_dataset(fish_tree, tmp_path / "cache", SETTINGS, workers=1)
    assert len(list((tmp_path / "cache" / "results").iterdir())) == 4
    assert not (tmp_path / "cache" / "index.csv").exists()
    done_first = set(calls)

    calls.clear()
    die_after[0] = None
    summary = prepare_dataset(fish_tree, tmp_path / "cache", SETTINGS, workers=1)
    assert len(calls) == 6 and not done_first & set(calls)
    assert (summary.processed, summary.reused, summary.total) == (6, 4, 11)


def test_deleted_entries_are_redone_alone(fish_tree, tmp_path, count_extractions):
    prepare_dataset(fish_tree, tmp_path / "cache", SETTINGS, workers=1)
    rows = _read_csv(tmp_path / "cache" / "index.csv")
    lost = [r for r in rows if r["status"] == "ok"][:3]
    os.remove(tmp_path / "cache" / "results" / f"{lost[0]['key']}.json")
    os.remove(tmp_path / "cache" / lost[0]["roi_file"])
    os.remove(tmp_path / "cache" / "results" / f"{lost[1]['key']}.json")
    os.remove(tmp_path / "cache" / lost[2]["roi_file"])
    count_extractions.clear()
    summary = prepare_dataset(fish_tree, tmp_path / "cache", SETTINGS, workers=1)
    assert sorted(count_extractions) == sorted(os.path.basename(r["path"]) for r in lost)
    assert summary.processed == 3
    assert all((tmp_path / "cache" / r["roi_file"]).is_file() for r in lost)


def test_unexpected_exception_is_reported_not_cached(fish_tree, tmp_path, monkeypatch):
    real = extractor.extract_roi_from_file

    def broken_on_empty(path, settings=None, *, manual=None, flank=None):
        if path.endswith("empty.png"):
            raise RuntimeError("extractor bug")
        return real(path, settings, manual=manual, flank=flank)

    monkeypatch.setattr(extractor, "extract_roi_from_file", broken_on_empty)
    summary = prepare_dataset(fish_tree, tmp_path / "cache", SETTINGS, workers=1)
    assert summary.error == 1 and summary.reasons["internal_error"] == 1
    rows = _read_csv(tmp_path / "cache" / "quality.csv")
    row = [r for r in rows if r["path"].endswith("empty.png")]
    assert row[0]["status"] == "error" and "extractor bug" in row[0]["message"]
    monkeypatch.setattr(extractor, "extract_roi_from_file", real)
    again = prepare_dataset(fish_tree, tmp_path / "cache", SETTINGS, workers=1)
    assert (again.processed, again.error, again.reasons["empty_file"]) == (1, 0, 1)


def test_process_pool_gives_the_same_cache_as_one_process(fish_tree, tmp_path):
    serial = prepare_dataset(fish_tree, tmp_path / "one", SETTINGS, workers=1)
    pooled = prepare_dataset(fish_tree, tmp_path / "two", SETTINGS, workers=2)
    assert (pooled.ok, pooled.failed, pooled.reasons) == (serial.ok, serial.failed, serial.reasons)
    one = {r["path"]: r for r in _read_csv(tmp_path / "one" / "index.csv")}
    two = {r["path"]: r for r in _read_csv(tmp_path / "two" / "index.csv")}
    assert one.keys() == two.keys()
    for path, row in one.items():
        assert (row["key"], row["status"]) == (two[path]["key"], two[path]["status"])
        if row["status"] == "ok":
            a = (tmp_path / "one" / row["roi_file"]).read_bytes()
            assert a == (tmp_path / "two" / row["roi_file"]).read_bytes()


def test_roi_mode_none_caches_resized_strips(tmp_path):
    rng = np.random.default_rng(0)
    strips = {}
    for fish in ("fish_a", "fish_b"):
        for i in range(2):
            strip = rng.integers(0, 256, (75, 320, 3), dtype=np.uint8)
            path = tmp_path / "strips" / fish / f"roi_{i}.png"
            _write_rgb(path, strip)
            strips[str(path)] = strip
    (tmp_path / "strips" / "fish_b" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\nxx")
    summary = prepare_dataset(
        tmp_path / "strips", tmp_path / "cache", {"roi_size": [24, 96]}, roi_mode="none",
        workers=1,
    )
    assert (summary.ok, summary.failed, summary.roi_mode) == (4, 1, "none")
    rows = {r["path"]: r for r in _read_csv(tmp_path / "cache" / "quality.csv")}
    assert rows[str(tmp_path / "strips" / "fish_b" / "broken.png")]["reason"] in (
        "undecodable", "truncated"
    )
    for path, strip in strips.items():
        cached = cv2.imread(str(tmp_path / "cache" / rows[path]["roi_file"]))
        expected = cv2.resize(strip, (96, 24), interpolation=cv2.INTER_AREA)
        np.testing.assert_array_equal(cv2.cvtColor(cached, cv2.COLOR_BGR2RGB), expected)
        assert rows[path]["identity"] == os.path.basename(os.path.dirname(path))
    # Extractor thresholds do not shape a strip: changing them reuses the cache.
    again = prepare_dataset(
        tmp_path / "strips", tmp_path / "cache", {"roi_size": [24, 96], "min_value": 0.5},
        roi_mode="none", workers=1,
    )
    assert again.processed == 0


def test_bad_arguments_are_named(fish_tree, tmp_path):
    with pytest.raises(ValueError, match="roi_mode"):
        prepare_dataset(fish_tree, tmp_path, SETTINGS, roi_mode="crop")
    with pytest.raises(ValueError, match="workers"):
        prepare_dataset(fish_tree, tmp_path, SETTINGS, workers=0)
    with pytest.raises(ValueError, match="roi_sise"):
        prepare_dataset(fish_tree, tmp_path, {"roi_sise": [8, 8]})


def test_cli_prepares_and_reports(fish_tree, tmp_path, capsys):
    import argparse

    from lateral_keras.cli import prepare as cli

    settings_file = tmp_path / "extractor.yaml"
    settings_file.write_text("roi_size: [32, 128]\n")
    args = cli.add_arguments(argparse.ArgumentParser()).parse_args(
        ["--data", str(fish_tree), "--cache", str(tmp_path / "cache"), "--workers", "1",
         "--settings", str(settings_file)]
    )
    assert cli.run(args) == 0
    out, err = capsys.readouterr()
    assert "11 files" in out and "empty_file 1" in out and "summary.md" in out
    assert "prepare: 10/10" in err
    roi = cv2.imread(str(cache.load_roi_cache(tmp_path / "cache")[0].roi_path))
    assert roi.shape == (32, 128, 3)
    args.data = str(tmp_path / "missing")
    assert cli.run(args) == 1
    assert "missing" in capsys.readouterr().err
    settings_file.write_text("roi_sise: [32, 128]\n")
    args.data = str(fish_tree)
    assert cli.run(args) == 1
    assert "roi_sise" in capsys.readouterr().err


def test_roi_tf_dataset_reads_the_cache(fish_tree, tmp_path):
    from lateral_keras.preprocessing.augment_pipeline import roi_tf_dataset

    prepare_dataset(fish_tree, tmp_path / "cache", SETTINGS, workers=1)
    records = cache.load_roi_cache(tmp_path / "cache")
    names = sorted({r.identity for r in records})
    labels = [names.index(r.identity) for r in records]
    train = roi_tf_dataset(records, labels, (16, 64), training=True, batch_size=4, seed=0)
    images, batch_labels = next(iter(train))
    assert tuple(images.shape) == (4, 16, 64, 3) and batch_labels.dtype.name == "int32"
    assert 0 <= float(images.numpy().min()) and float(images.numpy().max()) <= 255
    evaluation = roi_tf_dataset(records, labels, (16, 64), training=False, batch_size=3)
    first = np.concatenate([x.numpy() for x, _ in evaluation])
    second = np.concatenate([x.numpy() for x, _ in evaluation])
    np.testing.assert_array_equal(first, second)
    assert [int(y) for _, ys in evaluation for y in ys] == labels
    roi = cv2.cvtColor(cv2.imread(records[0].roi_path), cv2.COLOR_BGR2RGB).astype("float32")
    resized = cv2.resize(roi, (70, 18), interpolation=cv2.INTER_LINEAR)
    np.testing.assert_allclose(first[0], resized[1:17, 3:67], atol=2.0)
    with pytest.raises(ValueError, match="one label per record"):
        roi_tf_dataset(records, labels[:-1], 16)


FIRST = "SESSION1/fish_0000/img_00.png"


def test_manual_csv_change_redoes_only_the_named_images(fish_tree, tmp_path, count_extractions):
    header = "path,x0,y0,x1,y1,x2,y2,x3,y3\n"
    manual_csv = tmp_path / "manual.csv"
    manual_csv.write_text(header + f"{FIRST},100,100,200,100,200,130,100,130\n")
    prepare_dataset(fish_tree, tmp_path / "cache", SETTINGS, manual_csv=manual_csv, workers=1)
    assert len(count_extractions) == 10
    rows = _read_csv(tmp_path / "cache" / "quality.csv")
    rows = {os.path.relpath(r["path"], fish_tree): r for r in rows}
    assert rows[FIRST]["source"] == "manual"
    assert rows["SESSION1/fish_0000/img_01.png"]["source"] == "auto"
    photo = cv2.imread(str(fish_tree / FIRST))
    cached = cv2.imread(str(tmp_path / "cache" / rows[FIRST]["roi_file"]))
    expected = cv2.resize(photo[100:131, 100:201], (128, 32), interpolation=cv2.INTER_LINEAR)
    assert np.abs(cached.astype(int) - expected).mean() < 8

    count_extractions.clear()
    manual_csv.write_text(
        header
        + f"{FIRST},100,100,210,100,210,130,100,130\n"
        + f"{fish_tree}/SESSION2/fish_0001/img_01.png,50,60,150,60,150,90,50,90\n"
    )
    summary = prepare_dataset(
        fish_tree, tmp_path / "cache", SETTINGS, manual_csv=manual_csv, workers=1
    )
    assert sorted(count_extractions) == ["img_00.png", "img_01.png"]
    assert (summary.processed, summary.reused) == (2, 8)
    rows = _read_csv(tmp_path / "cache" / "quality.csv")
    manual = sorted(os.path.relpath(r["path"], fish_tree) for r in rows if r["source"] == "manual")
    assert manual == [FIRST, "SESSION2/fish_0001/img_01.png"]
    # Without the CSV, only the image never extracted without an override is redone.
    count_extractions.clear()
    prepare_dataset(fish_tree, tmp_path / "cache", SETTINGS, workers=1)
    assert count_extractions == ["img_00.png"]


def test_bad_manual_csv_is_reported_with_its_name(fish_tree, tmp_path):
    manual_csv = tmp_path / "manual.csv"
    manual_csv.write_text("path,x0\na.png,1\n")
    with pytest.raises(ValueError, match="manual.csv"):
        prepare_dataset(fish_tree, tmp_path / "cache", SETTINGS, manual_csv=manual_csv, workers=1)


def test_package_exports_every_public_name():
    import lateral_keras.preprocessing as package

    for name in package.__all__:
        assert name in dir(package)
        getattr(package, name)  # raises AttributeError if the module lacks the name
    assert package.ExtractorSettings is ExtractorSettings
    assert package.prepare_dataset is prepare_dataset
    with pytest.raises(AttributeError, match="no_such_name"):
        package.no_such_name  # noqa: B018


def test_manual_override_for_an_unknown_image_is_logged(fish_tree, tmp_path, caplog):
    manual_csv = tmp_path / "manual.csv"
    manual_csv.write_text("path,x0,y0,x1,y1,x2,y2,x3,y3\nSESSION9/x.png,1,1,20,1,20,9,1,9\n")
    with caplog.at_level("WARNING", logger="lateral_keras.preprocessing.prepare"):
        summary = prepare_dataset(
            fish_tree, tmp_path / "cache", SETTINGS, manual_csv=manual_csv, workers=1
        )
    assert "1 manual override(s) name no image" in caplog.text and "SESSION9" in caplog.text
    assert summary.processed == 10
