"""Identity-disjoint, seeded train / validation / evaluation splits, saved as JSON.

The assignment depends only on the set of identity names and the seed: the names are
sorted, then permuted with ``np.random.default_rng(seed)``; the first ``n_train`` go to
training, the next ``n_val`` to validation, the next ``n_eval`` to evaluation.

Default fractions ``(1/3, 1/9, 5/9)``: 180 fish give 60 / 20 / 100. When the fractions sum to 1
the last part takes every remaining identity. Caps on the validation and evaluation parts
(``max_val``, ``max_eval``) send the identities above them to training: 100 evaluation fish
already give steady figures, while every further training fish makes the embedding generalise
better (the default synthetic dataset of 380 fish gives 260 / 20 / 100).
"""

import json
import logging
import math
import os

import numpy as np

from lateral_keras.utils.atomic import write_json

logger = logging.getLogger(__name__)

PARTS = ("train", "val", "eval")
DEFAULT_FRACTIONS = (1 / 3, 1 / 9, 5 / 9)
_FORMAT = "lateral_keras.split"
_LISTED = 5
_MAKE_SPLIT_KEYS = frozenset(
    ["n_train", "n_val", "n_eval", "fractions", "max_val", "max_eval", "seed", "test_identities"]
)


class Split:
    """Disjoint sorted tuples of identity names for training, validation and evaluation.

    Args:
        train: identity names used to fit.
        val: identity names everything that chooses looks at.
        eval: identity names reported figures come from.
        seed: the seed that made the split (recorded, not used).

    Example:
        >>> split = Split(["b", "a"], ["c"], ["d"], seed=0)
        >>> split.train, split.label_map("train")
        (('a', 'b'), {'a': 0, 'b': 1})
    """

    def __init__(self, train, val, eval, seed=0):
        parts = {}
        for name, names in zip(PARTS, (train, val, eval)):
            if isinstance(names, str) or not all(isinstance(n, str) and n for n in names):
                raise ValueError(
                    f"Split `{name}` must be a list of non-empty identity names. "
                    f"Received: {name}={names!r}"
                )
            parts[name] = tuple(sorted(set(names)))
        for i, first in enumerate(PARTS):
            for second in PARTS[i + 1 :]:
                shared = sorted(set(parts[first]) & set(parts[second]))
                if shared:
                    raise ValueError(
                        f"Split parts `{first}` and `{second}` share {len(shared)} identities: "
                        f"{shared[:_LISTED]}"
                    )
        self.train, self.val, self.eval = parts["train"], parts["val"], parts["eval"]
        self.seed = seed

    def __eq__(self, other):
        return isinstance(other, Split) and self.to_dict() == other.to_dict()

    def __repr__(self):
        return (
            f"Split(train={len(self.train)}, val={len(self.val)}, eval={len(self.eval)}, "
            f"seed={self.seed})"
        )

    def identities(self):
        """Return every identity of the three parts, sorted."""
        return tuple(sorted(self.train + self.val + self.eval))

    def part(self, name):
        """Return the sorted identity names of part ``name`` (``train``, ``val``, ``eval``)."""
        if name not in PARTS:
            raise ValueError(f"Split part must be one of {PARTS}. Received: part={name!r}")
        return getattr(self, name)

    def label_map(self, part):
        """Map each identity of ``part`` to an integer label, in sorted name order.

        Args:
            part: ``"train"``, ``"val"`` or ``"eval"``.

        Returns:
            ``{identity: label}`` with labels ``0 .. n-1``.
        """
        return {identity: label for label, identity in enumerate(self.part(part))}

    def to_dict(self):
        """Return a JSON-ready dict (format tag, seed, the three sorted lists)."""
        return {
            "format": _FORMAT,
            "seed": self.seed,
            **{name: list(getattr(self, name)) for name in PARTS},
        }

    @classmethod
    def from_dict(cls, data):
        """Build a ``Split`` from ``to_dict()``'s output; raise ValueError if malformed."""
        if not isinstance(data, dict) or data.get("format") != _FORMAT:
            raise ValueError(f"Not a lateral_keras split (expected format {_FORMAT!r})")
        missing = [key for key in (*PARTS, "seed") if key not in data]
        if missing:
            raise ValueError(f"The split has no {missing} entries")
        return cls(data["train"], data["val"], data["eval"], seed=data["seed"])

    def to_json(self):
        """Return the split as an indented JSON string."""
        return json.dumps(self.to_dict(), indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text):
        """Build a ``Split`` from ``to_json()``'s output."""
        return cls.from_dict(json.loads(text))


def make_split(
    identities,
    *,
    n_train=None,
    n_val=None,
    n_eval=None,
    fractions=None,
    max_val=None,
    max_eval=None,
    seed=0,
    test_identities=None,
):
    """Split identity names into disjoint train / val / eval parts, reproducibly.

    Give counts or fractions, not both. Counts: ``n_train`` and ``n_val`` are required and
    ``n_eval`` defaults to every remaining identity. Fractions: three numbers ``>= 0`` with
    sum ``<= 1`` (default ``DEFAULT_FRACTIONS``); each count is the rounded share, and when
    they sum to 1 the evaluation part takes the rest. With fractions, ``max_val`` and
    ``max_eval`` cap the validation and evaluation parts and the identities above the caps go
    to training. Duplicated names count once.

    With ``test_identities`` (a separate test dataset), those identities are the evaluation
    part and ``identities`` are split into train and val only: counts take ``n_train``
    (required) and ``n_val`` (default: the rest); fractions use the first two numbers in
    proportion, with validation taking the rest.

    Args:
        identities: identity names of the (main) dataset.
        n_train: number of training identities.
        n_val: number of validation identities.
        n_eval: number of evaluation identities.
        fractions: ``(train, val, eval)`` shares of the identities.
        max_val: most validation identities of a fraction split (None: no cap).
        max_eval: most evaluation identities of a fraction split (None: no cap).
        seed: seed of ``np.random.default_rng``.
        test_identities: optional identity names of a separate evaluation dataset.

    Returns:
        A ``Split``.

    Raises:
        ValueError: bad counts or fractions, too few identities, or test identities that
            also appear in ``identities``.

    Example:
        >>> split = make_split([f"fish_{i:03d}" for i in range(180)], seed=0)
        >>> len(split.train), len(split.val), len(split.eval)
        (60, 20, 100)
        >>> split = make_split([f"fish_{i:03d}" for i in range(380)], max_val=20, max_eval=100)
        >>> len(split.train), len(split.val), len(split.eval)
        (260, 20, 100)
    """
    names = _unique_names("identities", identities)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"`seed` must be a non-negative integer. Received: seed={seed!r}")
    if test_identities is None:
        sizes = _resolve_sizes(len(names), n_train, n_val, n_eval, fractions, parts=3,
                               caps=(max_val, max_eval))
        test = None
    else:
        if n_eval is not None:
            raise ValueError(
                "`n_eval` cannot be given with `test_identities`: the test identities are "
                f"the evaluation part. Received: n_eval={n_eval!r}"
            )
        test = _unique_names("test_identities", test_identities)
        shared = sorted(set(names) & set(test))
        if shared:
            raise ValueError(
                f"{len(shared)} identities are both in the data and in `test_identities`: "
                f"{shared[:_LISTED]}"
            )
        sizes = _resolve_sizes(len(names), n_train, n_val, None, fractions, parts=2,
                               caps=(max_val, None))
    order = np.random.default_rng(int(seed)).permutation(len(names))
    shuffled = [names[i] for i in order]
    train = shuffled[: sizes[0]]
    val = shuffled[sizes[0] : sizes[0] + sizes[1]]
    evaluation = test if test is not None else shuffled[sizes[0] + sizes[1] : sum(sizes)]
    return Split(train, val, evaluation, seed=int(seed))


def load_or_create_split(path, identities, **kwargs):
    """Load the split saved at ``path``, or make one with ``make_split`` and save it.

    A saved split is never regenerated silently: it must cover exactly the identities
    of the data (``identities`` plus ``test_identities`` if given), and with
    ``test_identities`` its evaluation part must be exactly those.

    Args:
        path: the JSON file (written atomically when created).
        identities: identity names of the (main) dataset.
        **kwargs: ``make_split`` keyword arguments (counts, ``fractions``, ``seed``,
            ``test_identities``); when loading, only ``test_identities`` is used, and a
            ``seed`` different from the saved one is logged as a warning.

    Returns:
        A ``Split``.

    Raises:
        ValueError: the saved split is unreadable or does not match the data; the
            message names the file and the first differing identities.

    Example:
        >>> split = load_or_create_split("runs/split.json", index.identities())  # doctest: +SKIP
    """
    unknown = sorted(set(kwargs) - _MAKE_SPLIT_KEYS)
    if unknown:
        raise TypeError(
            f"load_or_create_split() got unknown arguments {unknown}; "
            f"expected make_split arguments {sorted(_MAKE_SPLIT_KEYS)}"
        )
    path = os.fspath(path)
    if not os.path.exists(path):
        split = make_split(identities, **kwargs)
        write_json(path, split.to_dict())
        logger.info("load_or_create_split: wrote %r to %s", split, path)
        return split
    try:
        with open(path, encoding="utf-8") as stream:
            split = Split.from_dict(json.load(stream))
    except (OSError, ValueError) as error:
        raise ValueError(f"Split file {path} cannot be read: {error}") from None
    test = kwargs.get("test_identities")
    data = set(_unique_names("identities", identities))
    if test is not None:
        data |= set(_unique_names("test_identities", test))
    problems = _differences(set(split.identities()), data, "in the file", "in the data")
    if test is not None:
        problems += _differences(set(split.eval), set(test), "in its eval part", "test identities")
    if problems:
        raise ValueError(
            f"Split file {path} does not match the data: {'; '.join(problems)}. "
            "Delete the file to make a new split, or pass a new split path."
        )
    if "seed" in kwargs and kwargs["seed"] != split.seed:
        logger.warning(
            "Split file %s was made with seed %s, not %s: using the file",
            path,
            split.seed,
            kwargs["seed"],
        )
    return split


def _differences(found, expected, found_name, expected_name):
    problems = []
    for extra, where, absent in (
        (found - expected, found_name, expected_name),
        (expected - found, expected_name, found_name),
    ):
        if extra:
            problems.append(
                f"{len(extra)} identities {where} are not {absent} "
                f"(first: {sorted(extra)[:_LISTED]})"
            )
    return problems


def _unique_names(name, identities):
    if isinstance(identities, str):
        raise ValueError(
            f"`{name}` must be a list of names, not a string. Received: {identities!r}"
        )
    names = list(identities)
    bad = [n for n in names if not isinstance(n, str) or not n]
    if bad:
        raise ValueError(f"`{name}` must hold non-empty strings. Received: {bad[:_LISTED]}")
    names = sorted(set(names))
    if not names:
        raise ValueError(f"`{name}` is empty: there is nothing to split")
    return names


def _resolve_sizes(total, n_train, n_val, n_eval, fractions, parts, caps):
    """Turn counts or fractions (with ``caps`` = (max_val, max_eval)) into ``parts`` sizes whose
    sum is at most ``total``."""
    for name, cap in zip(("max_val", "max_eval"), caps):
        if cap is not None and (
            isinstance(cap, bool) or not isinstance(cap, (int, np.integer)) or cap < 1
        ):
            raise ValueError(
                f"`{name}` must be a positive integer or None. Received: {name}={cap!r}"
            )
    counts = (n_train, n_val, n_eval)[:parts]
    if fractions is not None and any(c is not None for c in counts):
        raise ValueError(
            "Give either counts (`n_train`, `n_val`, `n_eval`) or `fractions`, not both. "
            f"Received: n_train={n_train}, n_val={n_val}, n_eval={n_eval}, fractions={fractions}"
        )
    if any(c is not None for c in counts):
        if any(cap is not None for cap in caps):
            raise ValueError(
                "`max_val` and `max_eval` cap a fraction split; with counts give the counts you "
                f"want. Received: n_train={n_train}, n_val={n_val}, n_eval={n_eval}, caps={caps}"
            )
        return _sizes_from_counts(total, counts)
    sizes = _sizes_from_fractions(
        total, DEFAULT_FRACTIONS if fractions is None else fractions, parts
    )
    for part, cap in enumerate(caps[: parts - 1], start=1):
        if cap is not None and sizes[part] > cap:
            sizes[0] += sizes[part] - cap
            sizes[part] = cap
    return sizes


def _sizes_from_counts(total, counts):
    required = counts[:-1]
    for name, value in zip(("n_train", "n_val"), required):
        if value is None:
            raise ValueError(f"`{name}` is required when counts are given. Received: {name}=None")
    sizes = []
    for name, value in zip(("n_train", "n_val", "n_eval"), counts):
        if value is None:
            value = total - sum(sizes)
        elif isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
            raise ValueError(f"`{name}` must be a non-negative integer. Received: {name}={value!r}")
        sizes.append(int(value))
    if sum(sizes) > total or sizes[-1] < 0:
        raise ValueError(
            f"The split asks for {' + '.join(map(str, sizes))} identities, more than the "
            f"{total} available. Received: {dict(zip(('n_train', 'n_val', 'n_eval'), counts))}"
        )
    return sizes


def _sizes_from_fractions(total, fractions, parts):
    fractions = tuple(fractions)
    if len(fractions) != 3 or not all(
        isinstance(f, (int, float)) and math.isfinite(f) and f >= 0 for f in fractions
    ):
        raise ValueError(
            f"`fractions` must be three numbers >= 0 (train, val, eval). Received: {fractions!r}"
        )
    if sum(fractions) > 1 + 1e-9:
        raise ValueError(f"`fractions` must sum to at most 1. Received: {fractions!r}")
    shares = list(fractions[:parts])
    if parts == 2:
        if sum(shares) == 0:
            raise ValueError(f"`fractions` give no share to train or val. Received: {fractions!r}")
        shares = [s / sum(shares) for s in shares]
    sizes = [math.floor(total * share + 0.5) for share in shares]
    if abs(sum(shares) - 1) < 1e-9:
        sizes[-1] = total - sum(sizes[:-1])
    return [min(size, total - sum(sizes[:i])) for i, size in enumerate(sizes)]
