"""Configuration loading: our sections, the original's flat keys, errors and overrides."""

import os

import pytest
import yaml

from lateral_keras.config import (
    ConfigError,
    dump_config,
    iter_settings,
    legacy,
    load_config,
    reconcile_with_data,
    require_path,
    save_config,
)

EXAMPLES = os.path.join(os.path.dirname(__file__), "original_examples")
STAGE_ONE = os.path.join(EXAMPLES, "arc_res50.yaml")
STAGE_TWO = os.path.join(EXAMPLES, "iom_res50_twostage.yaml")


def write(tmp_path, name, data):
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data))
    return str(path)


def test_defaults_are_valid_and_round_trip(tmp_path):
    config = load_config()
    path = tmp_path / "resolved.yaml"
    save_config(config, path)
    assert load_config(str(path)).to_dict() == config.to_dict()
    assert config.stage_two.batch_size == (
        config.stage_two.classes_per_batch * config.stage_two.samples_per_class
    )


def test_sectioned_file(tmp_path):
    path = write(tmp_path, "c.yaml", {
        "sub_name": "mine",
        "stage_two": {"q": 16, "m": 64, "loss_fun": "batch_all_triplet_loss"},
        "data": {"root": "/some/where", "synthetic": {"n_fish": 12}},
    })
    config = load_config(path)
    assert (config.sub_name, config.stage_two.q, config.stage_two.m) == ("mine", 16, 64)
    assert config.data.root == "/some/where"
    assert config.data.synthetic.n_fish == 12
    assert config.notices == []


def test_unknown_key_names_file_key_and_suggestion(tmp_path):
    path = write(tmp_path, "typo.yaml", {"stage_two": {"qq": 8}})
    with pytest.raises(ConfigError) as err:
        load_config(path)
    message = str(err.value)
    assert "typo.yaml" in message and "'stage_two.qq'" in message
    assert "Did you mean 'stage_two.q'?" in message


def test_unknown_flat_key_suggests_original_key(tmp_path):
    path = write(tmp_path, "flat.yaml", {"base_lrr": 0.1})
    with pytest.raises(ConfigError, match=r"flat.yaml: unknown key 'base_lrr'. Did you mean "
                                          r"'base_lr'\?"):
        load_config(path)


@pytest.mark.parametrize(
    "override, expected",
    [
        ("stage_two.q=1", r"'stage_two.q' must be in \[2, inf\]. Received: stage_two.q=1"),
        ("q=eight", r"'stage_two.q' must be int. Received: stage_two.q='eight'"),
        ("quanti=3", r"'stage_two.quanti' must be bool"),
        ("backbone_type=ResNet", r"must be one of ResNet50, .*Received: "
                                 r"stage_one.backbone_type='ResNet'"),
        ("input_size=[1, 2, 3]", r"'preprocessing.input_size' must have 2 values"),
        ("stage_one.base_lr=-1", r"'stage_one.base_lr' must be in \[0, inf\]"),
    ],
)
def test_wrong_type_or_range_names_expected(override, expected):
    with pytest.raises(ConfigError, match=expected):
        load_config(overrides=[override])


def test_int_accepted_for_float_and_size():
    config = load_config(overrides=["triplet_margin=0", "input_size=112"])
    assert config.stage_two.triplet_margin == 0.0
    assert isinstance(config.stage_two.triplet_margin, float)
    assert config.preprocessing.input_size == [112, 112]


def test_original_stage_one_example_loads_with_notices():
    config = load_config(STAGE_ONE)
    assert config.sub_name == "arc_res50"
    assert config.stage_one.backbone_type == "ResNet50"
    assert config.stage_one.head_type == "ArcHead"
    assert config.stage_one.batch_size == 128
    assert config.stage_one.epochs == 5
    assert config.stage_one.w_decay == pytest.approx(5e-4)
    assert config.stage_one.save_steps == 1000
    assert config.preprocessing.input_size == [112, 112]
    assert config.preprocessing.center_crop is False
    assert config.data.root == "./data/ms1m_bin.tfrecord"
    assert config.data.test_root == "/your/path/to/test_dataset"
    assert config.data.num_classes == 85742
    ignored = sorted(n.split("'")[1] for n in config.notices)
    assert ignored == ["binary_img", "num_samples"]
    assert all("arc_res50.yaml" in n and "ignored" in n for n in config.notices)


def test_original_stage_two_example_loads_with_notices():
    config = load_config(STAGE_TWO)
    two = config.stage_two
    assert (two.q, two.m, two.hidden_layer_remark) == (32, 256, "1")
    assert two.loss_fun == "batch_hard_arc_triplet_loss"
    assert two.bin_lut_loss == "tanh" and two.quanti and two.code_balance_loss
    assert (two.epochs, two.base_lr, two.save_steps) == (50, 0.001, 10000)
    assert config.evaluation.eval_batch_size == 200
    assert config.data.img_ext == "jpg"
    # Per-stage keys went to stage two, not stage one.
    assert config.stage_one.epochs == load_config().stage_one.epochs
    notices = "\n".join(config.notices)
    for key in ("binary_img", "num_samples", "dataset_ext", "test_dataset_ytf",
                "test_dataset_fs"):
        assert f"'{key}' is ignored" in notices
    # 50 x 4 = 200 images per batch, not the file's 240: said, not silent.
    assert "stage_two.batch_size=240" in notices and two.batch_size == 200


def test_two_file_style_links_stage_one_by_sub_name():
    config = load_config([STAGE_TWO, STAGE_ONE])
    assert config.sub_name == "cfg9_1layer_arc_all_T300_256x32_0"
    assert config.stage_one.sub_name == "arc_res50"
    assert config.stage_one.epochs == 5 and config.stage_two.epochs == 50
    assert config.stage_one.batch_size == 128


def test_two_stage_one_files_rejected():
    with pytest.raises(ConfigError, match="exactly one must be the stage-two file"):
        load_config([STAGE_ONE, STAGE_ONE])


def test_every_original_key_is_mapped_or_ignored():
    targets = dict(iter_settings())
    for key in legacy.LEGACY_KEYS:
        for stage_two in (False, True):
            target = legacy.target_of(key, stage_two)
            assert (target in targets) or (target is None and key in legacy.IGNORED), key


def test_override_wins_over_file_and_accepts_flat_keys(tmp_path):
    path = write(tmp_path, "c.yaml", {"stage_two": {"q": 16}})
    config = load_config(path, overrides=["q=4", "stage_two.m=32", "sub_name=x"])
    assert (config.stage_two.q, config.stage_two.m, config.sub_name) == (4, 32, "x")


def test_override_syntax_error():
    with pytest.raises(ConfigError, match="key=value"):
        load_config(overrides=["q"])


def test_bad_files(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_config(str(tmp_path / "missing.yaml"))
    with pytest.raises(ConfigError, match="must be a mapping"):
        load_config(write(tmp_path, "list.yaml", "- 1\n- 2\n"))
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(write(tmp_path, "broken.yaml", "a: [1, 2\n"))


def test_safe_load_refuses_python_objects(tmp_path):
    path = write(tmp_path, "evil.yaml", "q: !!python/object/apply:os.system ['true']\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(path)


def test_consistency_checks():
    with pytest.raises(ConfigError, match="top_fraction must be smaller"):
        load_config(overrides=["preprocessing.top_fraction=0.8"])
    with pytest.raises(ConfigError, match="sum to at most 1"):
        load_config(overrides=["data.split_fractions=[0.5, 0.5, 0.5]"])
    with pytest.raises(ConfigError, match=r"smooth_warp_grid. must be a whole number.*2.5"):
        load_config(overrides=["stage_one.smooth_warp_grid=[2.5, 4]"])
    with pytest.raises(ConfigError, match=r"input_size. must be a whole number.*64.5"):
        load_config(overrides=["preprocessing.input_size=[64.5, 256]"])
    assert load_config(overrides=["preprocessing.augment.saturation=[1, 2]"]
                       ).preprocessing.augment.saturation == [1, 2]
    with pytest.raises(ConfigError, match=r"smooth_warp_grid. must be in \[1, inf\]"):
        load_config(overrides=["stage_one.smooth_warp_grid=[0, 4]"])
    assert load_config(overrides=["stage_one.smooth_warp_grid=3"]).stage_one.smooth_warp_grid == [
        3, 3]


def test_num_classes_contradicted_by_data():
    config = load_config(overrides=["num_classes=10"])
    with pytest.raises(ConfigError, match="is 10 but the training split has 60 identities"):
        reconcile_with_data(config, n_train_identities=60)


def test_num_classes_derived_when_absent():
    config = load_config()
    reconcile_with_data(config, n_train_identities=60)
    assert config.data.num_classes == 60


def test_classes_per_batch_larger_than_training_identities():
    config = load_config(overrides=["classes_per_batch=50"])
    with pytest.raises(ConfigError, match="classes_per_batch=50 is larger than the 20"):
        reconcile_with_data(config, n_train_identities=20)


def test_stage_one_pk_batches_too_many_fish_for_the_training_identities():
    overrides = ["stage_one.batch_size=64", "stage_one.samples_per_class=2"]
    reconcile_with_data(load_config(overrides=overrides), n_train_identities=32)  # P = 32 fits
    with pytest.raises(ConfigError, match=r"64 / 2 fish per batch is more than the 31"):
        reconcile_with_data(load_config(overrides=overrides), n_train_identities=31)


def test_stage_one_batch_size_rounds_down_to_whole_fish_with_a_notice():
    config = load_config(overrides=["stage_one.batch_size=30", "stage_one.samples_per_class=4"])
    assert config.stage_one.batch_size == 28
    assert any("stage one uses batches of 28 (7 fish x 4 photos)" in n for n in config.notices)
    plain = load_config(overrides=["stage_one.batch_size=30"])  # random batches: any size
    assert plain.stage_one.batch_size == 30 and not plain.notices


def test_stage_one_pk_needs_two_fish_and_the_triplet_loss_needs_pk():
    with pytest.raises(ConfigError, match=r"at least two fish.*batch_size=7, samples_per_class=4"):
        load_config(overrides=["stage_one.batch_size=7", "stage_one.samples_per_class=4"])
    with pytest.raises(ConfigError, match=r"triplet_weight needs P x K.*triplet_weight=0.5"):
        load_config(overrides=["stage_one.triplet_weight=0.5"])
    plain = load_config()
    assert plain.stage_one.samples_per_class is None and plain.stage_one.triplet_weight == 0
    assert not plain.notices


def test_tfrecords_turn_stage_one_pk_batches_and_triplet_off_with_a_notice():
    assert not load_config(overrides=["data.tfrecords=/data/shards"]).notices
    config = load_config(overrides=["data.tfrecords=/data/shards", "stage_one.samples_per_class=4",
                                    "stage_one.triplet_weight=1"])
    assert config.stage_one.samples_per_class is None and config.stage_one.triplet_weight == 0
    assert any("data.tfrecords streams photos in file order" in n for n in config.notices)


def test_require_path(tmp_path):
    config = load_config(overrides=[f"data.root={tmp_path}"])
    assert require_path(config, "data.root") == str(tmp_path)
    with pytest.raises(ConfigError, match="'data.manifest' must be set"):
        require_path(config, "data.manifest", kind="file")
    config = load_config(overrides=[f"data.root={tmp_path / 'nope'}"])
    with pytest.raises(ConfigError, match="folder not found"):
        require_path(config, "data.root")


def test_dump_is_plain_yaml():
    text = dump_config(load_config())
    assert "!!python" not in text
    assert yaml.safe_load(text)["stage_two"]["q"] == 8
