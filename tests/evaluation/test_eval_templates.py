"""IJB-style templates: aggregation against loops, and the protocol on templates."""

import numpy as np

from lateral_keras.evaluation import evaluate_protocol
from lateral_keras.evaluation.templates import build_templates


def test_embedding_templates_are_means_of_normalised_embeddings():
    rng = np.random.default_rng(0)
    features = rng.normal(size=(8, 5)).astype(np.float32)
    identities = np.array(["a", "a", "a", "b", "b", "a", "b", "b"])
    sessions = np.array([1, 1, 2, 1, 1, 2, 2, 2])
    templates = build_templates(features, identities, sessions)
    assert templates.features.shape == (4, 5)
    for t in range(4):
        rows = [i for i in range(8) if identities[i] == templates.identities[t]
                and sessions[i] == templates.sessions[t]]
        np.testing.assert_array_equal(templates.members[t], rows)
        expected = sum(features[i] / np.linalg.norm(features[i]) for i in rows) / len(rows)
        np.testing.assert_allclose(templates.features[t], expected, rtol=1e-5)


def test_code_templates_are_per_position_modes_with_smallest_on_ties():
    codes = np.array([[3, 1, 2, 0], [3, 2, 1, 0], [1, 2, 2, 0], [0, 0, 0, 0]])
    templates = build_templates(codes, ["a", "a", "a", "b"], ["s", "s", "s", "s"])
    np.testing.assert_array_equal(templates.features, [[3, 2, 2, 0], [0, 0, 0, 0]])
    tie = build_templates(np.array([[2, 1], [1, 2]]), ["a", "a"], ["s", "s"])
    np.testing.assert_array_equal(tie.features, [[1, 1]])
    assert templates.features.dtype == codes.dtype


def test_templates_split_by_side_and_feed_the_protocol():
    features = np.eye(3)[[0, 0, 1, 1, 2, 2, 0, 1]]
    identities = np.array(["a", "a", "b", "b", "c", "c", "a", "b"])
    sessions = np.array([0, 1, 0, 1, 0, 1, 0, 0])
    sides = np.array(["left"] * 6 + ["right", "left"])
    templates = build_templates(features, identities, sessions, sides)
    assert len(templates.identities) == 7  # a/0/left, a/0/right, a/1, b/0, b/1, c/0, c/1
    result = evaluate_protocol(templates.features, templates.identities, templates.sessions,
                               templates.sides)
    assert result.eer == 0.0 and result.rank1 == 1.0
