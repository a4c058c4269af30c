"""n-way one-shot identification: seeded trials, and their accuracy from a similarity matrix.

A trial picks ``n`` identities, one gallery image of each, and one query image of one of them
taken from a different capture (drawer, session) than that identity's gallery image. The query
is right when its own identity's gallery image scores strictly above the ``n - 1`` others
(ties count as wrong). Identities are drawn within one group (an Omniglot alphabet) that has at
least ``n`` eligible identities, else across all groups.

Example:
    >>> trials = one_shot_trials(identities, drawers, alphabets, n_way=20, trials=1000, seed=0)
    >>> one_shot_accuracy(similarity_matrix(features), trials)  # doctest: +SKIP
"""

import dataclasses

import numpy as np


@dataclasses.dataclass(frozen=True)
class OneShotTrials:
    """Image indices of ``t`` n-way trials.

    Attributes:
        query: int64 ``(t,)``, the query image of each trial.
        gallery: int64 ``(t, n)``, one gallery image per identity of the trial.
        answer: int64 ``(t,)``, the column of ``gallery`` that shows the query's identity.
        within_group: bool ``(t,)``, the trial's identities come from one group.
    """

    query: np.ndarray
    gallery: np.ndarray
    answer: np.ndarray
    within_group: np.ndarray


def one_shot_trials(identities, captures, groups=None, *, n_way, trials, seed=0):
    """Draws seeded n-way one-shot trials.

    Only identities with images from at least two captures are eligible. A trial's group is
    drawn uniformly among the groups with at least ``n_way`` eligible identities; when there is
    none, identities are drawn across all groups.

    Args:
        identities: array-like ``(n,)`` of identity names.
        captures: array-like ``(n,)`` of capture names (an Omniglot drawer).
        groups: optional array-like ``(n,)`` of group names (an identity's images share one);
            None puts every image in one group.
        n_way: identities per trial (>= 2).
        trials: number of trials (>= 1).
        seed: seed of ``np.random.default_rng``.

    Returns:
        ``OneShotTrials``.

    Raises:
        ValueError: fewer than ``n_way`` eligible identities, or bad arguments.
    """
    identities = np.asarray(identities)
    captures = np.asarray(captures)
    groups = np.zeros(identities.size, int) if groups is None else np.asarray(groups)
    if not identities.shape == captures.shape == groups.shape or identities.ndim != 1:
        raise ValueError(
            "`identities`, `captures` and `groups` must have the same shape (n,). Received: "
            f"{identities.shape}, {captures.shape}, {groups.shape}"
        )
    if n_way < 2 or trials < 1:
        raise ValueError(f"Need n_way >= 2 and trials >= 1. Received: {n_way}, {trials}")
    names = sorted(set(identities.tolist()))
    images = {name: np.flatnonzero(identities == name) for name in names}
    eligible = [name for name in names if np.unique(captures[images[name]]).size >= 2]
    if len(eligible) < n_way:
        raise ValueError(
            f"{n_way}-way trials need {n_way} identities with two captures; found {len(eligible)}"
        )
    group_of = {name: groups[images[name][0]] for name in eligible}
    by_group = {}
    for name in eligible:
        by_group.setdefault(group_of[name], []).append(name)
    large = sorted(g for g, members in by_group.items() if len(members) >= n_way)
    rng = np.random.default_rng(seed)
    query = np.empty(trials, np.int64)
    gallery = np.empty((trials, n_way), np.int64)
    answer = rng.integers(0, n_way, size=trials)
    for t in range(trials):
        pool = by_group[large[rng.integers(len(large))]] if large else eligible
        chosen = rng.choice(len(pool), size=n_way, replace=False)
        for column, pick in enumerate(chosen):
            members = images[pool[pick]]
            if column == answer[t]:
                first = rng.choice(members)
                others = members[captures[members] != captures[first]]
                gallery[t, column], query[t] = first, rng.choice(others)
            else:
                gallery[t, column] = rng.choice(members)
    within = np.full(trials, bool(large))
    return OneShotTrials(query, gallery, answer.astype(np.int64), within)


def one_shot_accuracy(similarity, trials):
    """Share of trials whose query scores its own identity strictly above every other.

    Args:
        similarity: float ``(n, n)`` similarity of every image pair (higher = more similar).
        trials: ``OneShotTrials``.

    Returns:
        float accuracy in [0, 1].
    """
    similarity = np.asarray(similarity)
    scores = similarity[trials.query[:, None], trials.gallery]
    rows = np.arange(trials.query.size)
    right = scores[rows, trials.answer]
    scores = scores.copy()
    scores[rows, trials.answer] = -np.inf
    return float(np.mean(right > scores.max(axis=1)))
