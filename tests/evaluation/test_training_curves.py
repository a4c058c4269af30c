"""The report's training curves: each logged loss term and score of a stage, none invented."""

from lateral_keras.evaluation import run_report


class Folder:
    """The part of `RunFolder` the curves use."""

    def __init__(self, path):
        self.path = path

    def file(self, *parts):
        path = self.path.joinpath(*parts)
        path.parent.mkdir(parents=True, exist_ok=True)
        return str(path)


def test_stage_one_curves_show_the_triplet_terms_when_logged(tmp_path, monkeypatch):
    (tmp_path / "stage_one_history.csv").write_text(
        "epoch,embedding_loss,logits_accuracy,logits_loss,loss,val_eer,val_rank1,other\n"
        "0,0.5,0.1,9.0,9.6,0.3,0.6,1\n1,0.4,0.2,8.0,8.5,0.2,0.7,1\n"
    )
    drawn = {}
    monkeypatch.setattr(run_report, "line_plot",
                        lambda series, path, **kwargs: drawn.update({path: series}))
    written = run_report.training_curves(Folder(tmp_path))
    losses, scores = (str(tmp_path / "plots" / f"stage_one_{k}.png")
                      for k in ("losses", "validation"))
    assert written == [losses, scores]
    assert sorted(drawn[losses]) == ["embedding_loss", "logits_accuracy", "logits_loss", "loss"]
    assert drawn[losses]["embedding_loss"] == ([1, 2], [0.5, 0.4])
    assert sorted(drawn[scores]) == ["val_eer", "val_rank1"]
