"""One training worker for the multi-worker tests: prepare, train both stages, dump weights.

Usage: ``python worker_main.py OUT_DIR [--prepare-only] [--crash-after-epoch N] KEY=VALUE...``
with ``TF_CONFIG`` set by the test. ``--crash-after-epoch N`` ends the process (exit 3) right
after stage one's epoch ``N`` is backed up and logged, as a killed worker would.
"""

import json
import logging
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def main(argv):
    out, *rest = argv
    prepare_only = "--prepare-only" in rest
    crash_after = None
    if "--crash-after-epoch" in rest:
        crash_after = int(rest[rest.index("--crash-after-epoch") + 1])
    overrides = [a for a in rest if "=" in a]
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")

    import keras
    import numpy as np

    from lateral_keras.config import load_config
    from lateral_keras.training.data_setup import prepare_data
    from lateral_keras.training.run_folder import RunFolder
    from lateral_keras.training.stage_one_run import train_stage_one
    from lateral_keras.training.stage_two_run import train_stage_two

    config = load_config([], overrides)
    run = RunFolder(config).open()
    data = prepare_data(config, run)
    if prepare_only:
        return 0
    if crash_after is not None:
        original = keras.callbacks.CSVLogger.on_epoch_end

        def crash(self, epoch, logs=None):
            original(self, epoch, logs)
            if epoch == crash_after:
                os._exit(3)

        keras.callbacks.CSVLogger.on_epoch_end = crash
    embedder = train_stage_one(config, run, data, verbose=0)
    codes = train_stage_two(config, run, data, embedder, verbose=0)
    task = json.loads(os.environ.get("TF_CONFIG", "{}")).get("task", {}).get("index", 0)
    weights = [np.asarray(w) for w in embedder.get_weights() + codes.get_weights()]
    np.savez(os.path.join(out, f"weights-{task}.npz"), *weights)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
