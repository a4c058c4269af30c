"""Process settings the job scripts give TensorFlow before they import it.

TensorFlow reads these environment variables once, when it is first imported, so a script
calls `apply_tensorflow_defaults` at its top, before anything imports TensorFlow or Keras.
The library itself never calls it: a project importing our layers keeps its own settings.
"""

import os
import platform

X86_64 = ("x86_64", "amd64")
"""`platform.machine()` names of the CPUs whose TensorFlow builds carry oneDNN kernels."""


def apply_tensorflow_defaults(log_level="2"):
    """Quiet TensorFlow's C++ log and use its oneDNN kernels on every x86-64 CPU.

    TensorFlow turns oneDNN on by itself only on CPUs with AVX-512 VNNI, BF16 or AMX; on the
    others (AVX2 CPUs: AMD EPYC and Ryzen, older Intel) it runs Eigen's kernels. On a 2-core
    AMD EPYC with AVX2, stage one's default step (SmallCNN, 64 ROIs of 64 x 256) took
    440-465 ms with oneDNN against 680 ms without, and the recipe's epochs 38-42 s against
    51-58 s. A value the user has set is kept (`TF_ENABLE_ONEDNN_OPTS=0` turns oneDNN off).

    Args:
        log_level: default of `TF_CPP_MIN_LOG_LEVEL` ("2": errors only).

    Returns:
        Dict of the variables this call set (those the user had not).

    Example:
        >>> from lateral_keras.utils.tf_defaults import apply_tensorflow_defaults
        >>> apply_tensorflow_defaults()  # first thing in a script, before `import keras`
    """
    wanted = {"TF_CPP_MIN_LOG_LEVEL": str(log_level)}
    if platform.machine().lower() in X86_64:
        wanted["TF_ENABLE_ONEDNN_OPTS"] = "1"
    applied = {key: value for key, value in wanted.items() if key not in os.environ}
    os.environ.update(applied)
    return applied
