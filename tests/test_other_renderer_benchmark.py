"""benchmarks/other_renderer.py: its identity dataset keeps each fish's look across sessions."""

import numpy as np

from lateral_keras.data.layout import scan_dataset


def test_the_dataset_is_in_the_sessions_layout(benchmark_script, tmp_path):
    renderer = benchmark_script("other_renderer")
    assert renderer.write_dataset(str(tmp_path), fish=2, sessions=2, photos=2, workers=1) == 8
    found = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.jpg"))
    assert found == [f"SESSION{s}/fish_{f:04d}/img_{i:02d}.jpg"
                     for s in (1, 2) for f in (0, 1) for i in (0, 1)]
    assert len({record.identity for record in scan_dataset(str(tmp_path)).records}) == 2


def test_a_later_session_moves_the_marks_only(benchmark_script):
    renderer = benchmark_script("other_renderer")
    look = renderer.fish_look(np.random.default_rng(0), "dark_spots")
    later = renderer.drifted(look, np.random.default_rng(1), 0.003)
    moved = np.abs(later["marks"] - look["marks"])
    assert moved[:, :2].max() > 0 and moved[:, :2].mean() < 0.01 and not moved[:, 2].any()
    assert all(np.array_equal(later[k], look[k]) for k in look if k != "marks")
