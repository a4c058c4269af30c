"""Stage one's whitening fit embeds the views stage two trains on: stored once, not twice."""

import os

import keras
import numpy as np
import pytest

import lateral_keras.training.stage_two_run as stage_two_run
from lateral_keras.config import load_config
from lateral_keras.training.stage_two_run import store_training_embeddings, training_embeddings
from lateral_keras.training.whitening import whitened_embedder
from tests.training.test_stage_two_end_to_end import roi_part, tiny_embedder

pytestmark = pytest.mark.skipif(
    keras.backend.backend() != "tensorflow", reason="the ROI pipeline is tf.data"
)

SMALL = ["input_size=[16, 32]", "stage_one.whitening_views=3"]


class Folder:
    """The part of `RunFolder` the embedding cache uses."""

    def __init__(self, path):
        self.path = str(path)

    def file(self, *parts):
        path = os.path.join(self.path, *parts)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        return path


def test_stored_views_equal_what_stage_two_would_embed(tmp_path, monkeypatch):
    config = load_config(overrides=SMALL + ["stage_two.views_per_image=3"])
    part = roi_part(tmp_path)
    n = len(part.records)
    embedder, (views, labels) = whitened_embedder(tiny_embedder(), config, part)
    assert views.shape == (4 * n, 8)
    store_training_embeddings(config, Folder(tmp_path / "a"), views, labels, n)
    assert os.path.exists(tmp_path / "a" / "embeddings" / "train.npz")
    fresh = training_embeddings(config, Folder(tmp_path / "b"), embedder, part)

    def embed_again(*args, **kwargs):
        raise AssertionError("stage two embedded the images again")

    monkeypatch.setattr(stage_two_run, "embedding_views", embed_again)
    stored = training_embeddings(config, Folder(tmp_path / "a"), embedder, part)
    assert stored[0].shape == fresh[0].shape == (3 * n, 8)
    # float32 round-off of the whitening (eager on the stored views, in the graph on the fresh
    # ones) reached 1.9e-5 over 20 random embedders; other views differ by more than 1e-3 (below)
    np.testing.assert_allclose(stored[0], fresh[0], rtol=1e-4, atol=1e-4)
    np.testing.assert_array_equal(stored[1], fresh[1])
    assert np.abs(fresh[0][:n] - fresh[0][n:2 * n]).max() > 1e-3  # the views differ


def test_too_few_views_or_end_to_end_are_not_stored(tmp_path):
    part = roi_part(tmp_path)
    config = load_config(overrides=SMALL)
    _, (views, labels) = whitened_embedder(tiny_embedder(), config, part)
    for overrides in (["stage_two.views_per_image=5"], ["stage_two.end_to_end=true"]):
        other = load_config(overrides=SMALL + overrides)
        folder = Folder(tmp_path / overrides[0].split("=")[0])
        store_training_embeddings(other, folder, views, labels, len(part.records))
        assert not os.path.exists(os.path.join(folder.path, "embeddings", "train.npz"))


def test_a_cache_of_another_view_count_is_embedded_again(tmp_path, monkeypatch):
    """A reused stage one's cache of 3 views serves a run of 3 views, not one of 2."""
    part = roi_part(tmp_path)
    n = len(part.records)
    three = np.arange(3 * n * 2, dtype=np.float32).reshape(3 * n, 2)
    folder = Folder(tmp_path / "run")
    store_training_embeddings(load_config(overrides=SMALL + ["stage_two.views_per_image=3"]),
                              folder, three, np.tile(part.labels, 3), n)
    calls = []

    def embed(embedder, config, part, views):
        calls.append(views)
        return np.ones((views * n, 2), np.float32), np.tile(part.labels, views)

    monkeypatch.setattr(stage_two_run, "embedding_views", embed)
    same = training_embeddings(load_config(overrides=SMALL + ["stage_two.views_per_image=3"]),
                               folder, None, part)
    assert calls == [] and np.array_equal(same[0], three)
    fewer = training_embeddings(load_config(overrides=SMALL + ["stage_two.views_per_image=2"]),
                                folder, None, part)
    assert calls == [2] and fewer[0].shape == (2 * n, 2) and np.all(fewer[0] == 1)


def test_centre_crops_alone_unless_no_fish_has_two_photos(tmp_path):
    config = load_config(overrides=["input_size=[16, 32]", "stage_one.whitening_views=0"])
    several = roi_part(tmp_path / "several", per_id=3)
    _, (views, labels) = whitened_embedder(tiny_embedder(), config, several)
    assert views.shape == (len(several.records), 8)
    np.testing.assert_array_equal(labels, several.labels)
    single = roi_part(tmp_path / "single", per_id=1)
    _, (views, labels) = whitened_embedder(tiny_embedder(), config, single)
    assert views.shape == (2 * len(single.records), 8)  # one augmented view was added
    np.testing.assert_array_equal(labels, np.tile(single.labels, 2))
