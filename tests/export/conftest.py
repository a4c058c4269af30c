"""A tiny trained-shape run: stage-one embedder and stage-two code model, and test ROIs."""

import numpy as np
import pytest


@pytest.fixture(scope="package")
def run_models():
    """`(embedder, code_model, rois)` at a tiny size (SmallCNN 32 x 96, d=16, m=12, q=4)."""
    import keras

    from lateral_keras.config.schema import StageOneConfig, StageTwoConfig
    from lateral_keras.training.stage_one import build_stage_one
    from lateral_keras.training.stage_two_run import build_trainer, code_model

    keras.utils.set_random_seed(1)
    settings = StageOneConfig(backbone_type="SmallCNN", embd_shape=16)
    embedder = build_stage_one(settings, (32, 96), 5, seed=1).embedder
    trainer = build_trainer(StageTwoConfig(m=12, q=4), seed=1)
    trainer(np.zeros((1, 16), "float32"))
    codes = code_model(trainer.projection, 16)
    rois = np.random.default_rng(2).uniform(0, 255, (10, 32, 96, 3)).astype("float32")
    return embedder, codes, rois
