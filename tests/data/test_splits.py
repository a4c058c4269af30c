"""Tests for lateral_keras.data.splits: identity-disjoint, seeded, saved splits."""

import json
import logging

import numpy as np
import pytest

from lateral_keras.data.splits import Split, load_or_create_split, make_split

NAMES = [f"fish_{i:03d}" for i in range(180)]


def _oracle(names, seed, sizes):
    """The documented rule, written out: sort, permute with default_rng(seed), cut."""
    ordered = sorted(set(names))
    permuted = [ordered[i] for i in np.random.default_rng(seed).permutation(len(ordered))]
    cuts = np.cumsum([0, *sizes])
    return tuple(tuple(sorted(permuted[a:b])) for a, b in zip(cuts[:-1], cuts[1:]))


def test_default_gives_60_20_100_for_180_fish():
    split = make_split(NAMES)
    assert (len(split.train), len(split.val), len(split.eval)) == (60, 20, 100)
    assert (split.train, split.val, split.eval) == _oracle(NAMES, 0, (60, 20, 100))
    assert split.seed == 0


def test_parts_are_disjoint_sorted_and_cover_everything():
    split = make_split(NAMES[:47], seed=3)
    parts = [split.train, split.val, split.eval]
    assert all(list(p) == sorted(p) for p in parts)
    assert sum(len(p) for p in parts) == 47
    assert set().union(*parts) == set(NAMES[:47])
    assert split.identities() == tuple(NAMES[:47])
    assert (len(split.train), len(split.val)) == (16, 5)  # round(47/3), round(47/9)


def test_independent_of_input_order_and_duplicates():
    rng = np.random.default_rng(123)
    shuffled = list(rng.permutation(NAMES)) + NAMES[:10]
    assert make_split(shuffled, seed=7) == make_split(NAMES, seed=7)
    assert make_split(NAMES, seed=7) != make_split(NAMES, seed=8)


def test_counts_and_fractions():
    split = make_split(NAMES[:30], n_train=10, n_val=5)
    assert (split.train, split.val, split.eval) == _oracle(NAMES[:30], 0, (10, 5, 15))
    split = make_split(NAMES[:30], n_train=10, n_val=5, n_eval=6, seed=2)
    assert (split.train, split.val, split.eval) == _oracle(NAMES[:30], 2, (10, 5, 6))
    split = make_split(NAMES[:100], fractions=(0.5, 0.1, 0.2))
    assert (len(split.train), len(split.val), len(split.eval)) == (50, 10, 20)


def test_caps_send_the_identities_above_them_to_training():
    names = [f"fish_{i:03d}" for i in range(380)]
    split = make_split(names, max_val=20, max_eval=100, seed=1)
    # uncapped: round(380/3) = 127, round(380/9) = 42, eval the rest = 211
    assert (split.train, split.val, split.eval) == _oracle(names, 1, (260, 20, 100))
    # caps that do not bind leave the split as it is
    assert make_split(NAMES, max_val=20, max_eval=100) == make_split(NAMES)
    # fractions that leave identities out: the surplus of a cap still goes to training
    split = make_split(names[:200], fractions=(0.2, 0.3, 0.3), max_val=10)
    assert (split.train, split.val, split.eval) == _oracle(names[:200], 0, (90, 10, 60))
    # with a separate test set the test identities are the evaluation part, uncapped
    test = [f"tank2_{i}" for i in range(150)]
    split = make_split(names[:90], test_identities=test, max_val=5, max_eval=100)
    assert (len(split.train), len(split.val), len(split.eval)) == (85, 5, 150)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"max_val": 0}, "max_val"),
        ({"max_eval": 2.5}, "max_eval"),
        ({"n_train": 10, "n_val": 5, "max_eval": 20}, "cap a fraction split"),
        ({"n_train": 100, "n_val": 70, "n_eval": 20}, "more than the 180"),
        ({"n_train": 200, "n_val": 0}, "more than the 180"),
        ({"n_train": 10}, "n_val"),
        ({"n_train": -1, "n_val": 2}, "n_train"),
        ({"n_train": 10, "n_val": 5, "fractions": (0.5, 0.2, 0.3)}, "not both"),
        ({"fractions": (0.6, 0.3, 0.3)}, "at most 1"),
        ({"fractions": (0.6, 0.3)}, "three numbers"),
        ({"seed": -1}, "seed"),
        ({"test_identities": ["fish_001", "new"]}, "fish_001"),
        ({"test_identities": ["new"], "n_eval": 3}, "n_eval"),
    ],
)
def test_argument_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_split(NAMES, **kwargs)


def test_bad_identity_lists():
    with pytest.raises(ValueError, match="string"):
        make_split("fish_001")
    with pytest.raises(ValueError, match="empty"):
        make_split([])
    with pytest.raises(ValueError, match="non-empty strings"):
        make_split(["a", 3])


def test_separate_test_identities_form_the_eval_part():
    test = [f"tank2_{i}" for i in range(12)]
    split = make_split(NAMES[:40], test_identities=reversed(test), seed=5)
    assert split.eval == tuple(sorted(test))
    assert (len(split.train), len(split.val)) == (30, 10)  # 1/3 : 1/9 = 3 : 1
    assert (split.train, split.val) == _oracle(NAMES[:40], 5, (30, 10))
    counted = make_split(NAMES[:40], test_identities=test, n_train=25)
    assert (len(counted.train), len(counted.val), len(counted.eval)) == (25, 15, 12)


def test_label_map_and_json_round_trip():
    split = make_split(NAMES[:20], seed=4)
    labels = split.label_map("val")
    assert list(labels) == list(split.val) and list(labels.values()) == list(range(len(split.val)))
    assert Split.from_json(split.to_json()) == split
    assert json.loads(split.to_json())["train"] == list(split.train)
    with pytest.raises(ValueError, match="part"):
        split.label_map("test")
    with pytest.raises(ValueError, match="share"):
        Split(["a", "b"], ["b"], ["c"])
    with pytest.raises(ValueError, match="format"):
        Split.from_dict({"train": []})


def test_load_or_create_writes_once_and_reloads(tmp_path):
    path = tmp_path / "runs" / "split.json"
    created = load_or_create_split(path, NAMES, seed=11)
    content = path.read_bytes()
    assert Split.from_json(content.decode()) == created
    again = load_or_create_split(path, list(reversed(NAMES)), seed=11)
    assert again == created and path.read_bytes() == content
    other = tmp_path / "other.json"
    load_or_create_split(other, list(reversed(NAMES)), seed=11)
    assert other.read_bytes() == content


def test_saved_split_mismatch_names_identities_and_file(tmp_path):
    path = tmp_path / "split.json"
    load_or_create_split(path, NAMES)
    content = path.read_bytes()
    data = NAMES[2:] + ["newcomer"]
    with pytest.raises(ValueError) as info:
        load_or_create_split(path, data)
    message = str(info.value)
    for expected in (str(path), "fish_000", "fish_001", "newcomer", "Delete the file"):
        assert expected in message
    assert path.read_bytes() == content  # never silently regenerated


def test_saved_split_checks_test_identities(tmp_path, caplog):
    path = tmp_path / "split.json"
    test = ["t1", "t2", "t3"]
    made = load_or_create_split(path, NAMES[:30], test_identities=test)
    assert load_or_create_split(path, NAMES[:30], test_identities=test) == made
    with pytest.raises(ValueError, match="t4"):
        load_or_create_split(path, NAMES[:30], test_identities=["t1", "t2", "t3", "t4"])
    moved = NAMES[:29]
    with pytest.raises(ValueError, match="fish_029"):
        load_or_create_split(path, moved, test_identities=test + ["fish_029"])
    with caplog.at_level(logging.WARNING):
        load_or_create_split(path, NAMES[:30], test_identities=test, seed=9)
    assert "seed" in caplog.text


def test_unreadable_split_file_is_an_error(tmp_path):
    path = tmp_path / "split.json"
    path.write_text("{not json")
    with pytest.raises(ValueError, match="split.json"):
        load_or_create_split(path, NAMES)


def test_unknown_keyword_is_rejected_even_when_loading(tmp_path):
    path = tmp_path / "split.json"
    load_or_create_split(path, NAMES)
    with pytest.raises(TypeError, match="n_trian"):
        load_or_create_split(path, NAMES, n_trian=3)
