"""Atomic writes: nothing is left behind on failure, and files get the usual permissions."""

import os
import stat

import pytest

from lateral_keras.utils.atomic import atomic_path, write_json, write_text


def test_failure_leaves_no_file_and_keeps_the_old_one(tmp_path):
    path = tmp_path / "out.txt"
    write_text(path, "old")
    with pytest.raises(RuntimeError), atomic_path(path) as tmp:
        with open(tmp, "w") as f:
            f.write("half")
        raise RuntimeError("interrupted")
    assert path.read_text() == "old"
    assert os.listdir(tmp_path) == ["out.txt"]


def test_written_file_has_umask_permissions(tmp_path):
    mask = os.umask(0o022)
    os.umask(mask)
    write_json(tmp_path / "a.json", {"x": 1})
    mode = stat.S_IMODE(os.stat(tmp_path / "a.json").st_mode)
    assert mode == 0o666 & ~mask
