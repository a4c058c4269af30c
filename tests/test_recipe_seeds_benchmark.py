"""benchmarks/recipe_seeds.py: the mean +- sd table against hand-computed values."""

import json

import pytest


@pytest.fixture
def seeds(benchmark_script):
    return benchmark_script("recipe_seeds")


def _metrics(seeds, eer_embeddings, eer_codes):
    keys = [key for _, key in seeds.ROWS]
    return {
        "embeddings": {key: eer_embeddings for key in keys},
        "codes": {key: eer_codes for key in keys},
    }


def test_table_gives_mean_and_sample_sd(seeds):
    table = seeds.summary_table([_metrics(seeds, 0.1, 0.3), _metrics(seeds, 0.2, 0.3)])
    eer_row = table.splitlines()[2]
    # mean 0.15, sample sd sqrt(((0.05)^2 * 2) / 1) = 0.0707; codes constant: sd 0
    assert eer_row == "| EER | 0.1500 +- 0.0707 | 0.3000 +- 0.0000 |"


def test_missing_run_folder_is_named(seeds, tmp_path):
    with pytest.raises(SystemExit, match="metrics.json not found"):
        seeds.load_metrics(str(tmp_path))


def test_timings_come_from_the_report(seeds, tmp_path):
    (tmp_path / "report.json").write_text(json.dumps({"timings": {"stage one": 12.5}}))
    assert seeds.load_timings(str(tmp_path)) == {"stage one": 12.5}
    assert seeds.load_timings(str(tmp_path / "missing")) is None
