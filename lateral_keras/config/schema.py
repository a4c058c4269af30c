"""The typed configuration: one dataclass per section, each field with its type and range.

A field's metadata may hold ``choices`` (allowed values), ``min`` / ``max`` (inclusive bounds),
``length`` (for lists) and ``help`` (one line for the README's key table).
"""

import dataclasses
from dataclasses import dataclass, field


def setting(default, help, **checks):
    """Declare a config field with its default, its one-line help and its checks.

    Args:
        default: default value (lists are copied per instance).
        help: one-line description, shown in errors and the docs.
        **checks: ``choices``, ``min``, ``max``, ``length``, ``odd`` (every list value an
            odd whole number).

    Returns:
        A ``dataclasses.field``.
    """
    metadata = dict(checks, help=help)
    if isinstance(default, list):
        return field(default_factory=lambda: list(default), metadata=metadata)
    if isinstance(default, dict):
        return field(default_factory=lambda: dict(default), metadata=metadata)
    return field(default=default, metadata=metadata)


BACKBONES = ("ResNet50", "MobileNetV2", "VGG16", "ResNet18", "SmallCNN", "Insight_ResNet100")
HEADS = ("ArcHead", "NormHead")
FLANK_MODES = ("detect", "declared", "left", "right")  # data.sides.known_flank
CROP_POSITIONS = ("centre", "top_left", "top_right", "bottom_left", "bottom_right")
"""Positions of the fixed crops of test-time augmentation (``evaluation.test_time_crops``)."""
CENTRE_CROP = ("centre",)
"""The evaluation stack's one crop: the default, and what runs and galleries before the
setting used."""
METRIC_LOSSES = (
    "batch_hard_triplet",
    "batch_all_triplet_loss",
    "semihard_triplet_loss",
    "batch_hard_arc_triplet_loss",
    "batch_all_arc_triplet_loss",
)


@dataclass
class SyntheticConfig:
    """The built-in synthetic fish dataset, generated when ``data.root`` is not given."""

    out: str = setting("data/synthetic_fish", "folder the synthetic dataset is generated into")
    n_fish: int = setting(380, "number of fish (260 train / 20 val / 100 eval by default)", min=3)
    n_sessions: int = setting(4, "number of photo sessions", min=1)
    images_per_session: int = setting(5, "photos per fish and session", min=1)
    image_size: list = setting([800, 600], "photo size [width, height]", length=2, min=32)
    difficulty: str = setting(
        "default", "drift, pose, blur and noise level", choices=("easy", "default", "hard")
    )
    both_flanks: bool = setting(False, "render both flanks with different patterns")
    seed: int = setting(0, "generator seed")


@dataclass
class DataConfig:
    """Where the photos are and how identities are split."""

    root: str | None = setting(None, "dataset folder; empty = the built-in synthetic fish")
    layout: str = setting(
        "auto", "folder layout", choices=("auto", "sessions", "flat", "manifest")
    )
    manifest: str | None = setting(None, "CSV manifest (path, identity, session[, side])")
    test_root: str | None = setting(None, "separate evaluation dataset (its identities = eval)")
    session_order: list | None = setting(None, "session names in time order (default: natural)")
    img_ext: str | None = setting(None, "only read images with this extension (e.g. jpg)")
    split_file: str | None = setting(None, "split JSON (default: <run>/split.json)")
    split_seed: int = setting(0, "seed of the identity-disjoint split")
    split_fractions: list = setting(
        [1 / 3, 1 / 9, 5 / 9], "train / validation / evaluation shares", length=3, min=0, max=1
    )
    max_val_identities: int | None = setting(
        20, "most validation identities; those above go to training (null: no cap)", min=1)
    max_eval_identities: int | None = setting(
        100, "most evaluation identities; those above go to training (null: no cap)", min=1)
    num_classes: int | None = setting(None, "training identities (derived from the data)", min=2)
    tfrecords: str | None = setting(
        None, "folder of TFRecord shards of the ROI cache (write_tfrecord_shards) to train from")
    synthetic: SyntheticConfig = field(default_factory=SyntheticConfig)


@dataclass
class AugmentConfig:
    """Training-time augmentation; evaluation always uses a deterministic centre crop."""

    random_crop: bool = setting(True, "random crop of input_size from a margin-enlarged ROI")
    crop_margin: float = setting(0.1, "enlargement before the crop, share of the size", min=0)
    random_flip: bool = setting(False, "random horizontal flip (mirrors the skin pattern)")
    saturation: list = setting([0.7, 1.3], "random saturation factor range", length=2, min=0)
    brightness: float = setting(0.15, "max brightness change, share of the value range", min=0,
                                max=1)


@dataclass
class PreprocessingConfig:
    """ROI extraction and the input images the networks see."""

    roi: str = setting(
        "extract", "extract the skin ROI, use images as they are, or the manifest's box",
        choices=("extract", "none", "box"),
    )
    mirror_side: str = setting(
        "none", "flank whose ROIs are mirrored and treated as the other flank (symmetric species)",
        choices=("none", "left", "right"),
    )
    flank: str = setting(
        "declared", "flank the extractor is told each photo shows, so it decides only the head "
        "direction (declared: the manifest's or names' side, where stated; left / right: that "
        "side where none is stated; detect: it decides every flank itself)",
        choices=FLANK_MODES,
    )
    input_size: list = setting([64, 256], "network input [height, width]", length=2, min=8)
    top_fraction: float = setting(0.05, "ROI top, share of body depth below the back", min=0,
                                  max=1)
    bottom_fraction: float = setting(0.75, "ROI bottom, share of body depth below the back "
                                     "(the original's and the extractor's default: 0.5)",
                                     min=0, max=1)
    center_crop: bool = setting(False, "centre-crop before resizing (original: is_ccrop)")
    cache_dir: str | None = setting(None, "ROI cache folder (default: <data root>/.roi_cache)")
    manual_csv: str | None = setting(None, "CSV of hand-placed landmarks or ROI corners")
    workers: int | None = setting(None, "processes for preparation (default: all cores)", min=1)
    augment: AugmentConfig = field(default_factory=AugmentConfig)


@dataclass
class StageOneConfig:
    """Backbone + embedding head + ArcFace or plain classification head, trained with fit."""

    backbone_type: str = setting("SmallCNN", "backbone network (SmallCNN: fast on a CPU)",
                                 choices=BACKBONES)
    head_type: str = setting("ArcHead", "classification head", choices=HEADS)
    embd_shape: int = setting(512, "embedding size", min=2)
    weights: str | None = setting(None, "local weights file for the backbone (never downloaded)")
    standardize_images: bool = setting(
        True, "give each ROI's colour channels the same mean and spread inside the embedder "
        "(exposure and white balance out)")
    standardize_window: list | None = setting(
        None, "odd [rows, columns] of a sliding window for the standardisation (uneven light "
        "along the fish out too; with standardize_images); null = the whole ROI", length=2, min=1,
        odd=True)
    batch_size: int = setting(64, "stage-one batch size", min=1)
    samples_per_class: int | None = setting(
        None, "K: photos per fish in stage one's P x K batches (P = batch_size / K fish); null = "
        "batches of photos drawn at random", min=2)
    triplet_weight: float = setting(
        0.0, "weight of a batch-hard triplet loss on the embedding beside the classification "
        "loss (needs samples_per_class; 0 = off)", min=0)
    triplet_margin: float = setting(
        0.3, "margin of that triplet loss: an angle between embeddings, in radians", min=0)
    epochs: int | None = setting(
        None, "stage-one epochs; null = the whole number nearest to stage_one.steps steps", min=1)
    steps: int = setting(
        900, "training steps of stage one when epochs is null (11 epochs of 260 fish, 47 of "
        "60)", min=1)
    optimizer: str = setting("adamw", "optimizer (cosine-decayed learning rate)",
                             choices=("adamw", "sgd"))
    base_lr: float = setting(0.002, "initial learning rate", min=0)
    w_decay: float = setting(5e-4, "L2 weight decay", min=0)
    save_steps: int | None = setting(None, "checkpoint every N steps (default: every epoch)",
                                     min=1)
    arc_scale: float = setting(32.0, "ArcFace scale s", min=0)
    arc_margin: float = setting(0.5, "ArcFace additive angular margin m", min=0, max=1.5)
    label_smoothing: float = setting(
        0.1, "share of each training target spread over all classes (stage one's softmax)",
        min=0, max=0.9)
    dropout: float = setting(0.5, "dropout before the embedding", min=0, max=1)
    pooling: str = setting(
        "flatten", "feature map -> embedding: keep every cell, average rows, or average all",
        choices=("flatten", "height", "average"),
    )
    mirror_classes: str = setting(
        "auto", "mirrored ROIs as extra training classes (auto: both ways below 100 training "
        "identities, none from 100)", choices=("auto", "none", "horizontal", "both"),
    )
    white_balance: float = setting(
        0.0, "random per-channel gain of training ROIs: 1 +- this", min=0, max=0.99
    )
    contrast: float = setting(0.0, "random contrast factor of training ROIs: 1 +- this", min=0,
                              max=0.99)
    blur: float = setting(0.0, "largest random blend of training ROIs towards a blurred copy",
                          min=0, max=1)
    smooth_warp: float = setting(
        0.08, "random smooth warp of training ROIs, offset sd as a share of the ROI height",
        min=0, max=0.5,
    )
    smooth_warp_grid: list = setting(
        [2, 4], "control points [rows, columns] of the smooth warp (fewer: smoother)",
        length=2, min=1)
    whitening: bool = setting(
        True, "append a within-class whitening (WCCN) of the embedding, fitted on the training "
        "fish")
    whitening_shrinkage: float = setting(
        0.5, "share of the isotropic part in the whitening's covariance", min=0.01, max=1)
    whitening_session_weight: float = setting(
        4.0, "weight of each fish's drift between sessions against the spread of its photos "
        "within a session, in the whitening's scatter (1: plain within-class scatter)", min=0)
    whitening_views: int = setting(
        0, "augmented views per training image, besides the centre crop, to fit the whitening "
        "(0: the centre crops alone, or one view where no fish has two photos)", min=0)
    run_eagerly: bool = setting(False, "debug: run eagerly (original: --mode eager_tf)")
    mixed_precision: bool = setting(
        False, "mixed float16 embedder in both stages (GPU); ArcFace and IoM stay float32")
    jit_compile: bool = setting(
        False, "XLA compilation of stage one's train step, and of stage two's end to end "
        "(slows MobileNetV2 on CPU)")
    sub_name: str | None = setting(
        None, "run whose finished stage one this run copies instead of training its own "
        "(two-file style; same seed, data, preprocessing and stage_one settings)")


@dataclass
class StageTwoConfig:
    """Deep Index-of-Max hashing on the frozen stage-one embedding."""

    q: int = setting(8, "IoM group size (codes take values 0..q-1)", min=2)
    m: int = setting(2048, "number of IoM groups (code length)", min=1)
    T: float = setting(1.0, "softmax temperature of the soft index", min=0)
    hidden_layer_remark: str = setting(
        "1", "hidden layers before the projection", choices=("1", "2", "3", "T1", "T2")
    )
    loss_fun: str = setting("batch_hard_triplet", "metric loss", choices=METRIC_LOSSES)
    triplet_margin: float = setting(0.2, "triplet margin alpha (arc losses: angular m)", min=0)
    bin_lut_loss: str = setting("none", "LUT loss", choices=("tanh", "sigmoid", "none"))
    lut_weight: float = setting(0.001, "weight of the LUT loss", min=0)
    code_balance_loss: bool = setting(True, "add the differentiable code-balance loss")
    quanti: bool = setting(True, "add 0.5 x the quantization loss")
    samples_per_class: int = setting(4, "K: images per identity in a P x K batch", min=2)
    classes_per_batch: int = setting(16, "P: identities in a P x K batch", min=2)
    batch_size: int | None = setting(None, "P x K (derived; a different value gets a notice)",
                                     min=2)
    epochs: int = setting(5, "stage-two epochs", min=1)
    base_lr: float = setting(0.001, "initial learning rate", min=0)
    w_decay: float = setting(0.0, "L2 on the projection (its N(0, 1) scale matters)", min=0)
    save_steps: int | None = setting(None, "checkpoint every N steps (default: every epoch)",
                                     min=1)
    views_per_image: int = setting(
        1, "views per image (the centre crop, then augmented ones) for precomputed embeddings",
        min=1)
    end_to_end: bool = setting(
        False, "train on images through the frozen backbone (slow) instead of precomputed "
        "embeddings")
    jit_compile: bool = setting(
        True, "XLA compilation of the recipe's train step on precomputed embeddings (fuses "
        "the loss terms: about 2.5x less CPU per step; one process only; tuning trials, too "
        "short to repay a compile each, run without); end to end follows "
        "stage_one.jit_compile")


@dataclass
class DistributeConfig:
    """Data-parallel training on several machines (``tf.distribute``, TensorFlow backend)."""

    strategy: str = setting(
        "none", "none: one process; multi_worker: MultiWorkerMirroredStrategy from TF_CONFIG",
        choices=("none", "multi_worker"))


@dataclass
class EvaluationConfig:
    """The evaluation protocol (SPEC section 1)."""

    eval_batch_size: int = setting(128, "batch size for embedding extraction", min=1)
    test_time_crops: list = setting(
        list(CENTRE_CROP), "crops of each ROI whose embeddings are averaged when photos are "
        "evaluated, enrolled or identified (test-time augmentation, e.g. [centre, top_left, "
        "bottom_right]; [centre]: the evaluation stack's one crop)", choices=CROP_POSITIONS)
    max_impostors: int | None = setting(None, "sample this many impostor pairs (default all)",
                                        min=1)
    far_targets: list = setting([1e-1, 1e-2, 1e-3, 1e-4], "FAR values for TAR@FAR", min=0, max=1)
    open_set_fraction: float = setting(0.2, "share of eval identities kept out of the gallery",
                                       min=0, max=1)
    seed: int = setting(0, "seed of impostor sampling and open-set selection")
    cross_side: bool = setting(False, "also match images of different flanks (left vs right)")
    threshold_far: float = setting(
        1e-2, "FAR at which the decision threshold is chosen on the validation identities",
        min=1e-6, max=1)
    pairs_file: str | None = setting(
        None, "CSV of verification pairs (image_a, image_b[, genuine]) scored besides all pairs")
    example_pairs: int = setting(6, "false matches and false non-matches shown in the report",
                                 min=0)


@dataclass
class TuningConfig:
    """KerasTuner search over q, m and the margin."""

    tuner: str = setting("random", "search algorithm", choices=("random", "bayesian",
                                                                "hyperband"))
    max_trials: int = setting(20, "number of trials", min=1)
    q_values: list = setting([2, 4, 8, 16, 32, 64], "q values searched", min=2)
    m_values: list = setting([32, 64, 128, 256, 512, 1024, 2048], "m values searched",
                            min=1)
    margin_values: list = setting([0.3, 0.4, 0.5, 0.6], "ArcFace margins (--search-margin)",
                                  min=0)
    search_margin: bool = setting(False, "also search the ArcFace margin")
    t_values: list = setting([], "softmax temperatures T searched (empty: stage_two.T)", min=0)
    loss_values: list = setting([], "metric losses searched (empty: stage_two.loss_fun)",
                                choices=METRIC_LOSSES)
    lr_values: list = setting([], "stage-two learning rates searched (empty: base_lr)", min=0)
    epochs: int = setting(8, "stage-two epochs of each trial (hyperband: the most)", min=1)
    seed: int = setting(0, "seed of the search algorithm")
    directory: str | None = setting(None, "tuner folder (default: <run>/tuning)")


@dataclass
class Config:
    """The whole configuration of a run."""

    sub_name: str = setting("synthetic_default", "run name: outputs go to <runs_dir>/<sub_name>")
    runs_dir: str = setting("runs", "folder holding the run folders")
    seed: int = setting(0, "global seed (weights, sampling, augmentation)")
    data: DataConfig = field(default_factory=DataConfig)
    preprocessing: PreprocessingConfig = field(default_factory=PreprocessingConfig)
    stage_one: StageOneConfig = field(default_factory=StageOneConfig)
    stage_two: StageTwoConfig = field(default_factory=StageTwoConfig)
    evaluation: EvaluationConfig = field(default_factory=EvaluationConfig)
    tuning: TuningConfig = field(default_factory=TuningConfig)
    distribute: DistributeConfig = field(default_factory=DistributeConfig)
    notices: list = field(default_factory=list, repr=False, compare=False)

    def to_dict(self):
        """Return the nested settings as plain Python types (notices excluded)."""
        out = dataclasses.asdict(self)
        out.pop("notices")
        return out


def is_section(f):
    """True when dataclass field ``f`` holds a nested section rather than a value."""
    return f.default_factory is not dataclasses.MISSING and dataclasses.is_dataclass(
        f.default_factory
    )


def iter_settings(cls=Config, prefix=""):
    """Yield ``(dotted_key, field)`` for every leaf setting of ``cls``, depth first.

    Example:
        >>> ("stage_two.q" in dict(iter_settings()))
        True
    """
    for f in dataclasses.fields(cls):
        if f.name == "notices":
            continue
        if is_section(f):
            yield from iter_settings(f.default_factory, prefix + f.name + ".")
        else:
            yield prefix + f.name, f
