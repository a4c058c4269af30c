"""A trained run's models as enrolment and identification use them: photos -> templates.

The run folder (`recipes/two_stage.py`) holds the resolved `config.yaml` and
`models/embedder.keras` and `models/iom_codes.keras`; templates are made exactly as in
evaluation: the same ROI extraction settings, the same deterministic resize and centre crop,
or the mean over the run's `evaluation.test_time_crops` (`lateral_keras.training.inputs.embed`),
the same models.
"""

import dataclasses
import os

import numpy as np

from lateral_keras.gallery.fingerprint import model_hash
from lateral_keras.gallery.settings import GallerySettings

EMBEDDER = os.path.join("models", "embedder.keras")
CODE_MODEL = os.path.join("models", "iom_codes.keras")


@dataclasses.dataclass
class RunModels:
    """The config and models of a run.

    Attributes:
        run_dir: absolute run folder.
        config: the run's resolved `Config` (`runs_dir` set to the run folder's parent, so the
            ROI cache resolves wherever the command runs).
        embedder: image -> embedding model.
        code_model: embedding -> IoM argmax codes model.
    """

    run_dir: str
    config: object
    embedder: object
    code_model: object

    def settings(self, kind, key_id=None, permute_positions=False):
        """The `GallerySettings` of templates of `kind` made by this run (and key)."""
        crops = tuple(self.config.evaluation.test_time_crops)
        if kind == "embeddings":
            return GallerySettings("embeddings", model_hash(self.file(EMBEDDER)),
                                   embedding_dim=int(self.embedder.output.shape[-1]),
                                   crops=crops, run=self.run_dir)
        stage_two = self.config.stage_two
        return GallerySettings(
            "codes", model_hash(self.file(EMBEDDER), self.file(CODE_MODEL)),
            m=int(self.code_model.output.shape[-1]), q=int(stage_two.q),
            lut=stage_two.bin_lut_loss, key_id=key_id, permute_positions=permute_positions,
            crops=crops, run=self.run_dir,
        )

    def file(self, relative):
        return os.path.join(self.run_dir, relative)

    def templates(self, records, kind, key=None, permute_positions=False):
        """Templates of cached ROI records: embeddings, or (keyed) codes.

        Each ROI's embedding is the mean over the run's ``evaluation.test_time_crops``, as in
        its evaluation, so templates and the run's threshold agree.

        Args:
            records: `CachedRoi` list.
            kind: `"codes"` or `"embeddings"`.
            key: the secret key for keyed codes, or None.
            permute_positions: the key also permutes the code positions.

        Returns:
            float32 `(n, d)` embeddings or int32 `(n, m)` codes.
        """
        from lateral_keras.training.data_setup import PartData
        from lateral_keras.training.inputs import embed

        part = PartData(list(records), np.zeros(len(records), np.int32))
        embeddings = embed(self.embedder, self.config, part,
                           crops=self.config.evaluation.test_time_crops)
        if kind == "embeddings":
            return embeddings
        codes = np.asarray(self.code_model.predict(embeddings, verbose=0), dtype=np.int32)
        if key is None:
            return codes
        from lateral_keras.protection.keying import apply_key

        return apply_key(codes, key, self.config.stage_two.q, permute_positions)


def load_run(run_dir):
    """Load a run's config and models.

    Args:
        run_dir: the run folder.

    Returns:
        `RunModels`.

    Raises:
        ValueError: the folder lacks `config.yaml` or a model (the message says what to run).
    """
    from lateral_keras.config import load_config
    from lateral_keras.saving import load_model

    run_dir = os.path.abspath(run_dir)
    needed = ["config.yaml", EMBEDDER, CODE_MODEL]
    missing = [name for name in needed if not os.path.isfile(os.path.join(run_dir, name))]
    if missing:
        raise ValueError(f"{run_dir}: not a finished run folder, missing {missing}. Train it "
                         "with `python recipes/two_stage.py` first.")
    config = load_config([os.path.join(run_dir, "config.yaml")])
    config.runs_dir = os.path.dirname(run_dir)
    return RunModels(run_dir, config, load_model(os.path.join(run_dir, EMBEDDER)),
                     load_model(os.path.join(run_dir, CODE_MODEL)))
