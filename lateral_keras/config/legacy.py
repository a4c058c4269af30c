"""The original project's flat config keys, and where each one goes in ours.

The original used one flat YAML per stage (``configs/*.yaml`` for stage one, ``config_*/*.yaml``
for deep IoM, marked by ``head_type: IoMHead``). Every key it knew either maps to one of our
settings or is accepted with a notice saying why it is ignored.
"""

STAGE_TWO_HEAD = "IoMHead"

# Keys whose meaning depends on the stage the file configures.
PER_STAGE = ("batch_size", "epochs", "base_lr", "w_decay", "save_steps")

MAPPED = {
    "input_size": "preprocessing.input_size",
    "embd_shape": "stage_one.embd_shape",
    "backbone_type": "stage_one.backbone_type",
    "head_type": "stage_one.head_type",
    "is_ccrop": "preprocessing.center_crop",
    "train_dataset": "data.root",
    "test_dataset": "data.test_root",
    "num_classes": "data.num_classes",
    "img_ext": "data.img_ext",
    "eval_batch_size": "evaluation.eval_batch_size",
    "samples_per_class": "stage_two.samples_per_class",
    "classes_per_batch": "stage_two.classes_per_batch",
    "bin_lut_loss": "stage_two.bin_lut_loss",
    "hidden_layer_remark": "stage_two.hidden_layer_remark",
    "T": "stage_two.T",
    "code_balance_loss": "stage_two.code_balance_loss",
    "quanti": "stage_two.quanti",
    "loss_fun": "stage_two.loss_fun",
    "triplet_margin": "stage_two.triplet_margin",
    "q": "stage_two.q",
    "m": "stage_two.m",
}

IGNORED = {
    "binary_img": "images are read from the prepared ROI cache, not from a TFRecord file",
    "num_samples": "the number of samples is counted from the data",
    "dataset_ext": "it chose between the original's face datasets; fish data is read by layout",
    "test_dataset_ytf": "YouTube Faces is a face benchmark, not part of fish evaluation",
    "test_dataset_fs": "FaceScrub is a face benchmark, not part of fish evaluation",
}

# Values the original accepted under another name.
VALUE_ALIASES = {
    ("stage_two.loss_fun", "triplet_semi"): "semihard_triplet_loss",
    ("stage_two.bin_lut_loss", None): "none",
}

LEGACY_KEYS = set(MAPPED) | set(IGNORED) | set(PER_STAGE) | {"sub_name"}


def is_stage_two(raw):
    """True when a flat original-style mapping configures stage two (``head_type: IoMHead``)."""
    return raw.get("head_type") == STAGE_TWO_HEAD


def target_of(key, stage_two):
    """Return our dotted key for original key ``key``, or None if it is ignored.

    Args:
        key: a key of the original's flat configs.
        stage_two: whether the file configures stage two.

    Returns:
        The dotted setting name, or None for keys listed in ``IGNORED``.
    """
    if key in PER_STAGE:
        return ("stage_two." if stage_two else "stage_one.") + key
    if key == "sub_name":
        return "sub_name"
    return MAPPED.get(key)
