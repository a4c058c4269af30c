"""The chosen configuration as a YAML file ``recipes/two_stage.py --config`` accepts."""

from lateral_keras.config import dump_config
from lateral_keras.tuning.space import SEARCHED, trial_config
from lateral_keras.utils.atomic import write_text


def write_best_config(config, row, path):
    """Write ``config`` with the chosen trial's hyperparameters as a YAML config file.

    The run name becomes ``<sub_name>_tuned`` so that the recipe trains it in a run folder of
    its own.

    Args:
        config: the search's ``Config``.
        row: the chosen ``results.collect_trials`` row.
        path: the YAML file (atomic write).

    Returns:
        The written ``Config``.
    """
    chosen = trial_config(config, {name: row[name] for name in SEARCHED if name in row})
    chosen.sub_name = f"{config.sub_name}_tuned"
    header = (f"# Chosen by the tuning search: trial {row['trial_id']}, validation EER of the "
              f"codes {row['val_eer']:.4f}, {row['code_bits']:g}-bit codes.\n"
              "# Train and evaluate it with: python recipes/two_stage.py --config <this file>\n")
    write_text(path, header + dump_config(chosen))
    return chosen
