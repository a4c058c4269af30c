"""Tests for dataset scanning (layout.py), DatasetIndex, CSV manifests and `lateral scan`."""

import argparse
import os

import cv2
import numpy as np
import pytest

from lateral_keras.cli import scan as scan_cli
from lateral_keras.data.dataset_index import DatasetIndex
from lateral_keras.data.layout import scan_dataset
from lateral_keras.data.manifest import read_manifest
from lateral_keras.data.records import ImageRecord
from lateral_keras.data.sessions import natural_sort_key, order_sessions

SESSIONS = ("SESSION10", "SESSION2", "SESSION1_ST", "SESSION1_LT")  # deliberately unsorted
NATURAL = ("SESSION1_LT", "SESSION1_ST", "SESSION2", "SESSION10")


def _image(path, seed=0, size=(20, 24)):
    rng = np.random.default_rng(seed)
    pixels = rng.integers(0, 256, size=(*size, 3), dtype=np.uint8)
    ok, data = cv2.imencode(path.suffix, pixels)
    assert ok
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.tobytes())
    return path


def _plant_bad_files(folder):
    """Write the bad files into ``folder``; return {file name: expected reason}."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "zero.jpg").write_bytes(b"")
    (folder / "text.png").write_text("not an image\n")
    whole = _image(folder / "whole_tmp.jpg", seed=99, size=(40, 40)).read_bytes()
    (folder / "whole_tmp.jpg").unlink()
    (folder / "cut.jpg").write_bytes(whole[: len(whole) // 2])
    _image(folder / "dot.png", size=(1, 1))
    return {
        "zero.jpg": "empty_file",
        "text.png": "not_an_image",
        "cut.jpg": "truncated",
        "dot.png": "too_small",
    }


@pytest.fixture()
def session_tree(tmp_path):
    """A sessions layout; returns (root, {(session, identity): [good file names]}, bad)."""
    root = tmp_path / "data"
    expected = {}
    seed = 0
    for s, session in enumerate(SESSIONS):
        for identity in ("fish_b", "fish_a", "fish_c")[: 2 + s % 2]:
            names = [f"img_{k}.{'png' if k % 2 else 'JPG'}" for k in range(3, 0, -1)]
            for name in names:
                seed += 1
                _image(root / session / identity / name, seed=seed)
            expected[(session, identity)] = sorted(names)
    bad = _plant_bad_files(root / "SESSION2" / "fish_a")
    (root / "README.txt").write_text("about this data\n")
    (root / "SESSION2" / "fish_b" / "notes.csv").write_text("a,b\n")
    (root / "SESSION2" / "fish_b" / ".DS_Store").write_bytes(b"\x00\x01")
    _image(root / ".cache" / "x" / "y" / "hidden.png")
    _image(root / "SESSION2" / "stray.png")
    _image(root / "SESSION2" / "fish_a" / "extra" / "deep.png")
    return root, expected, bad


def _relative(index, root):
    return [(r.session, r.identity, os.path.relpath(r.path, root)) for r in index.records]


def test_sessions_layout_without_checks(session_tree):
    root, expected, bad = session_tree
    index = scan_dataset(root)
    assert index.sessions == NATURAL
    assert index.source == str(root)
    oracle = []
    for session in NATURAL:
        for identity in ("fish_a", "fish_b", "fish_c"):
            names = list(expected.get((session, identity), []))
            if (session, identity) == ("SESSION2", "fish_a"):
                names = sorted(names + list(bad))
            oracle += [(session, identity, os.path.join(session, identity, n)) for n in names]
    assert _relative(index, root) == oracle
    skipped = {os.path.relpath(p, root): reason for p, reason in index.skipped}
    assert skipped == {
        "README.txt": "not_an_image_extension",
        os.path.join("SESSION2", "fish_b", "notes.csv"): "not_an_image_extension",
        os.path.join("SESSION2", "stray.png"): "unexpected_location",
        os.path.join("SESSION2", "fish_a", "extra", "deep.png"): "unexpected_location",
    }
    assert all(r.side == "unknown" and r.box is None for r in index.records)


def test_check_images_skips_each_bad_file_with_its_reason(session_tree):
    root, expected, bad = session_tree
    index = scan_dataset(root, check_images=True)
    skipped = {os.path.relpath(p, root): reason for p, reason in index.skipped}
    for name, reason in bad.items():
        assert skipped[os.path.join("SESSION2", "fish_a", name)] == reason
    assert len(skipped) == 4 + len(bad)
    counts = index.counts()
    oracle = {s: {} for s in NATURAL}
    for (session, identity), names in expected.items():
        oracle[session][identity] = len(names)
    assert counts == {s: dict(sorted(oracle[s].items())) for s in NATURAL}
    assert list(counts) == list(NATURAL)
    assert index.identities() == ("fish_a", "fish_b", "fish_c")
    assert len(index) == sum(len(v) for v in expected.values())


def test_session_order_is_respected_and_checked(session_tree):
    root, _, _ = session_tree
    order = ["SESSION1_ST", "SESSION1_LT", "SESSION2", "SESSION3", "SESSION10"]
    index = scan_dataset(root, session_order=order)
    assert index.sessions == ("SESSION1_ST", "SESSION1_LT", "SESSION2", "SESSION10")
    assert [r.session for r in index.records][:3] == ["SESSION1_ST"] * 3
    with pytest.raises(ValueError, match="SESSION10") as info:
        scan_dataset(root, session_order=["SESSION1_ST", "SESSION1_LT", "SESSION2"])
    assert str(root) in str(info.value)
    with pytest.raises(ValueError, match="more than once"):
        scan_dataset(root, session_order=order + ["SESSION2"])


def test_natural_sort_key():
    names = ["SESSION10", "session3", "SESSION2", "SESSION1_ST", "SESSION1_LT", "S"]
    assert sorted(names, key=natural_sort_key) == [
        "S",
        "SESSION1_LT",
        "SESSION1_ST",
        "SESSION2",
        "session3",
        "SESSION10",
    ]
    assert order_sessions(["b2", "b10", "b2"], source="x") == ("b2", "b10")


def test_flat_layout_is_detected(tmp_path):
    root = tmp_path / "flat"
    for i, identity in enumerate(["zeta", "alpha", "Mid"]):
        for k in range(2):
            _image(root / identity / f"{k}.png", seed=10 * i + k)
    bad = _plant_bad_files(root / "alpha")
    _image(root / "top.png")
    (root / ".DS_Store").write_bytes(b"x")
    index = scan_dataset(root, check_images=True)
    assert index.sessions == ("all",)
    assert index.identities() == ("Mid", "alpha", "zeta")
    assert index.counts() == {"all": {"Mid": 2, "alpha": 2, "zeta": 2}}
    skipped = {os.path.relpath(p, root): reason for p, reason in index.skipped}
    assert skipped == {
        "top.png": "unexpected_location",
        **{os.path.join("alpha", n): r for n, r in bad.items()},
    }
    named = scan_dataset(root, layout="flat", flat_session="S1")
    assert named.sessions == ("S1",) and len(named) == 6 + len(bad)
    with pytest.raises(ValueError, match="sessions layout") as info:
        scan_dataset(root, layout="sessions")
    assert str(root) in str(info.value)


def test_scan_errors_name_the_root(tmp_path):
    with pytest.raises(FileNotFoundError, match="nowhere"):
        scan_dataset(tmp_path / "nowhere")
    empty = tmp_path / "empty"
    (empty / "S1" / "f").mkdir(parents=True)
    (empty / "S1" / "f" / "notes.txt").write_text("x")
    with pytest.raises(ValueError, match="no image files") as info:
        scan_dataset(empty)
    assert str(empty) in str(info.value)
    bad_only = tmp_path / "bad_only"
    (bad_only / "f").mkdir(parents=True)
    (bad_only / "f" / "zero.png").write_bytes(b"")
    with pytest.raises(ValueError, match="empty_file") as info:
        scan_dataset(bad_only, check_images=True)
    assert str(bad_only) in str(info.value)
    with pytest.raises(ValueError, match="layout"):
        scan_dataset(bad_only, layout="nested")


def test_unicode_names(tmp_path):
    root = tmp_path / "daten"
    _image(root / "Sitzung_1" / "Fisch_ä" / "bild_ø.png")
    _image(root / "Sitzung_1" / "魚" / "写真.jpg")
    index = scan_dataset(root, check_images=True)
    assert index.identities() == tuple(sorted(["Fisch_ä", "魚"]))
    assert index.sessions == ("Sitzung_1",) and not index.skipped


def test_summary_subset_and_index_validation(session_tree):
    root, _, bad = session_tree
    index = scan_dataset(root, check_images=True)
    text = index.summary_text()
    assert f"4 sessions, 3 identities, {len(index)} images, {len(index.skipped)} skipped" in text
    for session in NATURAL:
        assert session in text
    for reason in [*bad.values(), "not_an_image_extension", "unexpected_location"]:
        assert reason in text
    assert os.path.join(str(root), "README.txt") in text
    sub = index.subset(["fish_c"])
    assert sub.identities() == ("fish_c",)
    assert sub.sessions == ("SESSION1_LT", "SESSION2")  # the sessions where fish_c has images
    assert all(r.identity == "fish_c" for r in sub.records)
    with pytest.raises(ValueError, match="fish_z"):
        index.subset(["fish_a", "fish_z"])
    record = ImageRecord("/d/a.png", "f", "S9")
    with pytest.raises(ValueError, match="S9"):
        DatasetIndex([record], ["S1"])
    with pytest.raises(ValueError, match="side"):
        ImageRecord("/d/a.png", "f", "S1", side="top")


def test_cli_scan(session_tree, capsys):
    root, _, _ = session_tree
    parser = scan_cli.add_arguments(argparse.ArgumentParser())
    args = parser.parse_args(
        [
            str(root),
            "--check-images",
            "--session-order",
            "SESSION1_ST,SESSION1_LT,SESSION2,SESSION10",
        ]
    )
    assert scan_cli.run(args) == 0
    out = capsys.readouterr().out
    assert (
        out
        == scan_dataset(
            root,
            session_order=["SESSION1_ST", "SESSION1_LT", "SESSION2", "SESSION10"],
            check_images=True,
        ).summary_text()
    )
    assert scan_cli.run(parser.parse_args([str(root / "missing")])) == 1
    assert "missing" in capsys.readouterr().err


def _manifest_tree(tmp_path):
    images = tmp_path / "imgs"
    for name in ("a.png", "b.png", "c.jpg"):
        _image(images / name)
    meta = tmp_path / "meta"
    meta.mkdir()
    return meta


def test_manifest_with_relative_paths_sides_and_boxes(tmp_path):
    meta = _manifest_tree(tmp_path)
    (meta / "m.csv").write_text(
        "Path,identity,session,side,x,y,w,h\n"
        "../imgs/b.png,f2,S10,Left,1,2,30,40\n"
        "../imgs/a.png,f1,S2,right,,,,\n"
        "../imgs/c.jpg,f1,S10,up,0,0,5,5\n"
        "../imgs/missing.png,f3,S2,,,,,\n"
        f"{tmp_path / 'imgs' / 'c.jpg'},f3,S2,,0.4,1.6,10,10\n"
        "../imgs/a.png,f4,S2,,1,1,0,5\n"
        "../imgs/a.png,,S2,,,,,\n",
        encoding="utf-8",
    )
    index = read_manifest(meta / "m.csv")
    assert index.sessions == ("S2", "S10")
    got = [(r.identity, r.session, os.path.basename(r.path), r.side, r.box) for r in index.records]
    assert got == [
        ("f1", "S2", "a.png", "right", None),
        ("f3", "S2", "c.jpg", "unknown", (0, 2, 10, 10)),
        ("f2", "S10", "b.png", "left", (1, 2, 30, 40)),
    ]
    assert all(os.path.isabs(r.path) and os.path.isfile(r.path) for r in index.records)
    reasons = [reason for _, reason in index.skipped]
    assert reasons[0].startswith("row 4: invalid_side 'up'")
    assert reasons[1].startswith("row 5: missing_file")
    assert reasons[2].startswith("row 7: invalid_box")
    assert reasons[3] == "row 8: empty 'identity'"
    assert len(reasons) == 4


def test_manifest_root_and_column_errors(tmp_path):
    meta = _manifest_tree(tmp_path)
    (meta / "r.csv").write_text("session,identity,path\nS1,f1,a.png\nS1,f2,b.png\n")
    index = read_manifest(meta / "r.csv", root=tmp_path / "imgs")
    assert [os.path.basename(r.path) for r in index.records] == ["a.png", "b.png"]
    (meta / "nosession.csv").write_text("path,identity\n../imgs/a.png,f1\n")
    with pytest.raises(ValueError, match="'session'") as info:
        read_manifest(meta / "nosession.csv")
    assert "nosession.csv" in str(info.value)
    (meta / "halfbox.csv").write_text("path,identity,session,x,y\n../imgs/a.png,f1,S1,1,2\n")
    with pytest.raises(ValueError, match=r"\['w', 'h'\]"):
        read_manifest(meta / "halfbox.csv")
    (meta / "allbad.csv").write_text("path,identity,session\nnope.png,f1,S1\n")
    with pytest.raises(ValueError, match="allbad.csv.*missing_file"):
        read_manifest(meta / "allbad.csv")
    with pytest.raises(ValueError, match="S1"):
        read_manifest(meta / "r.csv", root=tmp_path / "imgs", session_order=["S2"])
    with pytest.raises(FileNotFoundError, match="absent.csv"):
        read_manifest(meta / "absent.csv")


def test_linked_folders_are_followed_once(tmp_path):
    elsewhere = tmp_path / "elsewhere" / "SESSION3"
    _image(elsewhere / "fish_a" / "a.png")
    root = tmp_path / "data"
    _image(root / "SESSION1" / "fish_a" / "b.png")
    os.symlink(elsewhere, root / "SESSION3")
    os.symlink(root / "SESSION1", root / "SESSION1" / "fish_a" / "loop")
    index = scan_dataset(root)
    assert [(r.session, r.filename) for r in index.records] == [
        ("SESSION1", "b.png"),
        ("SESSION3", "a.png"),
    ]
    assert [(os.path.relpath(p, root), r) for p, r in index.skipped] == [
        (os.path.join("SESSION1", "fish_a", "loop"), "repeated_folder")
    ]
