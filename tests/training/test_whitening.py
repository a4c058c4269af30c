"""within_class_whitening against NumPy loops and closed forms."""

import numpy as np
import pytest

from lateral_keras.training.whitening import within_class_whitening


def _clusters(seed=0, classes=6, per_class=40, dim=5):
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(classes, dim)) * 3.0
    spread = np.diag([2.0, 0.2, 1.0, 0.5, 0.1])[:dim, :dim]
    x = np.concatenate([c + rng.normal(size=(per_class, dim)) @ spread for c in centres])
    return x, np.repeat(np.arange(classes), per_class)


def _scatter_by_loops(x, labels):
    units = [row / np.sqrt(sum(v * v for v in row)) for row in x]
    dim = len(units[0])
    scatter = np.zeros((dim, dim))
    for label in set(labels.tolist()):
        members = [u for u, lab in zip(units, labels) if lab == label]
        centre = sum(members) / len(members)
        for u in members:
            scatter += np.outer(u - centre, u - centre)
    return np.array(units), scatter / len(units)


def test_without_shrinkage_the_within_class_scatter_becomes_identity():
    x, labels = _clusters()
    units, scatter = _scatter_by_loops(x, labels)
    mean, matrix = within_class_whitening(x, labels, shrinkage=1e-9)
    np.testing.assert_allclose(mean, units.mean(axis=0), atol=1e-6)
    np.testing.assert_allclose(matrix, matrix.T, atol=1e-3)
    np.testing.assert_allclose(matrix.T @ scatter @ matrix, np.eye(5), atol=1e-3)


def test_shrinkage_blends_towards_the_isotropic_scatter():
    x, labels = _clusters(seed=1)
    _, scatter = _scatter_by_loops(x, labels)
    _, matrix = within_class_whitening(x, labels, shrinkage=0.3)
    blended = 0.7 * scatter + 0.3 * np.trace(scatter) / 5 * np.eye(5)
    np.testing.assert_allclose(matrix @ blended @ matrix, np.eye(5), atol=1e-3)
    _, identity = within_class_whitening(x, labels, shrinkage=1.0)
    np.testing.assert_allclose(identity, np.eye(5) / np.sqrt(np.trace(scatter) / 5), rtol=1e-4)


def test_whitening_separates_classes_along_quiet_directions():
    # Two classes differ only along a direction in which each class barely varies, while
    # another direction carries large within-class noise: after centring alone that noise
    # dominates the cosine scores; whitening must separate the classes far better.
    rng = np.random.default_rng(3)
    noise = rng.normal(size=(200, 3)) * [0.05, 0.05, 1.0]
    x = np.concatenate([[5.0, 0.2, 0.0] + noise[:100], [5.0, -0.2, 0.0] + noise[100:]])
    labels = np.repeat([0, 1], 100)
    mean, matrix = within_class_whitening(x, labels, shrinkage=0.01)
    units = x / np.linalg.norm(x, axis=1, keepdims=True)

    def separation(features):
        f = features / np.linalg.norm(features, axis=1, keepdims=True)
        scores = f @ f.T
        same = labels[:, None] == labels[None, :]
        return scores[same].mean() - scores[~same].mean()

    assert separation(units - mean) < 0.5
    assert separation((units - mean) @ matrix) > 1.2


@pytest.mark.parametrize("shrinkage", [0.0, 1.5])
def test_shrinkage_out_of_range(shrinkage):
    x, labels = _clusters()
    with pytest.raises(ValueError, match="shrinkage"):
        within_class_whitening(x, labels, shrinkage=shrinkage)


def test_bad_shapes_and_singletons():
    with pytest.raises(ValueError, match="one label each"):
        within_class_whitening(np.zeros((4, 3)), np.zeros(3))
    with pytest.raises(ValueError, match="at least two"):
        within_class_whitening(np.eye(3), np.arange(3))


def _sessions_scatter_by_loops(x, labels, sessions, weight):
    """S_in + weight * S_between, each image and each (fish, session) group visited in turn."""
    units = [row / np.sqrt(sum(v * v for v in row)) for row in x]
    dim = len(units[0])
    inside, between = np.zeros((dim, dim)), np.zeros((dim, dim))
    for label in set(labels.tolist()):
        members = [i for i, lab in enumerate(labels) if lab == label]
        centre = sum(units[i] for i in members) / len(members)
        for session in {sessions[i] for i in members}:
            group = [i for i in members if sessions[i] == session]
            session_centre = sum(units[i] for i in group) / len(group)
            for i in group:
                inside += np.outer(units[i] - session_centre, units[i] - session_centre)
                between += np.outer(session_centre - centre, session_centre - centre)
    return (inside + weight * between) / len(units)


def test_session_weight_scales_the_drift_between_sessions():
    x, labels = _clusters(seed=4)
    sessions = np.array([f"S{(i // 3) % 4}" for i in range(len(x))])  # uneven groups of 3
    for weight in (0.0, 4.0):
        scatter = _sessions_scatter_by_loops(x, labels, sessions, weight)
        _, matrix = within_class_whitening(x, labels, shrinkage=1e-9, sessions=sessions,
                                           session_weight=weight)
        np.testing.assert_allclose(matrix.T @ scatter @ matrix, np.eye(5), atol=1e-3)


def test_session_weight_one_or_one_session_per_fish_is_the_plain_whitening():
    x, labels = _clusters(seed=5)
    plain = within_class_whitening(x, labels, shrinkage=0.2)
    sessions = np.arange(len(x)) % 3
    one = within_class_whitening(x, labels, shrinkage=0.2, sessions=sessions, session_weight=1)
    single = within_class_whitening(x, labels, shrinkage=0.2, sessions=np.zeros(len(x)),
                                    session_weight=7.0)
    for other in (one, single):
        np.testing.assert_allclose(other[0], plain[0], atol=1e-6)
        np.testing.assert_allclose(other[1], plain[1], rtol=1e-4, atol=1e-5)


def test_a_heavier_session_weight_flattens_the_drift_direction():
    # Each fish drifts along the first axis from session to session and its photos of one
    # session spread along the second by as much: with the drift weighted 4 times, the
    # whitening shrinks the first axis to half of the second (1 / sqrt(4)).
    rows, labels, sessions = [], [], []
    for fish in range(20):
        for session, drift in enumerate((-0.1, 0.1)):
            for photo in (-0.1, 0.1):
                rows.append([drift, photo, 10.0 + fish])
                labels.append(fish)
                sessions.append(session)
    x, labels = np.array(rows), np.array(labels)
    _, plain = within_class_whitening(x, labels, shrinkage=1e-6, sessions=sessions)
    _, heavy = within_class_whitening(x, labels, shrinkage=1e-6, sessions=sessions,
                                      session_weight=4.0)
    np.testing.assert_allclose(plain[0, 0] / plain[1, 1], 1.0, rtol=1e-3)
    np.testing.assert_allclose(heavy[0, 0] / heavy[1, 1], 0.5, rtol=1e-3)


def test_bad_session_arguments():
    x, labels = _clusters()
    with pytest.raises(ValueError, match="session_weight"):
        within_class_whitening(x, labels, sessions=labels, session_weight=-1.0)
    with pytest.raises(ValueError, match="one session per embedding"):
        within_class_whitening(x, labels, sessions=labels[:-1])


def test_default_stage_two_trains_on_the_whitening_views():
    # Stage two reuses the whitening fit's views only when they are enough
    # (store_training_embeddings); otherwise it embeds every training photo a second time.
    from lateral_keras.config import load_config

    config = load_config([], [])
    assert config.stage_two.views_per_image <= config.stage_one.whitening_views + 1
