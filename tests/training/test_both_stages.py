"""train_both_stages: stage two gets stage one's embedder, and both stages are timed."""

from lateral_keras.training import both_stages, stage_one_run, stage_two_run


def test_stage_two_trains_on_stage_one_embedder(monkeypatch):
    calls = []
    monkeypatch.setattr(
        stage_one_run, "train_stage_one",
        lambda config, run, data, verbose: calls.append(("one", verbose)) or "embedder",
    )
    monkeypatch.setattr(
        stage_two_run, "train_stage_two",
        lambda config, run, data, embedder, verbose: calls.append(("two", embedder)) or "codes",
    )
    timings = {"data": 1.0}
    result = both_stages.train_both_stages("config", "run", "data", verbose=0, timings=timings)
    assert result == ("embedder", "codes")
    assert calls == [("one", 0), ("two", "embedder")]
    assert set(timings) == {"data", "stage one", "stage two"}
    assert timings["data"] == 1.0 and min(timings["stage one"], timings["stage two"]) >= 0.0
