"""`apply_tensorflow_defaults`: which variables it sets, on which CPUs, and what it keeps."""

import os
import subprocess
import sys

import pytest

from lateral_keras.utils import tf_defaults
from lateral_keras.utils.tf_defaults import apply_tensorflow_defaults

VARIABLES = ("TF_CPP_MIN_LOG_LEVEL", "TF_ENABLE_ONEDNN_OPTS")


@pytest.fixture
def clean_env(monkeypatch):
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.mark.parametrize("machine", ["x86_64", "AMD64"])
def test_x86_64_gets_onednn_and_a_quiet_log(clean_env, machine):
    clean_env.setattr(tf_defaults.platform, "machine", lambda: machine)
    applied = apply_tensorflow_defaults()
    assert applied == {"TF_CPP_MIN_LOG_LEVEL": "2", "TF_ENABLE_ONEDNN_OPTS": "1"}
    assert {name: os.environ[name] for name in VARIABLES} == applied


def test_other_cpus_keep_tensorflows_own_onednn_choice(clean_env):
    clean_env.setattr(tf_defaults.platform, "machine", lambda: "aarch64")
    assert apply_tensorflow_defaults(log_level="3") == {"TF_CPP_MIN_LOG_LEVEL": "3"}
    assert "TF_ENABLE_ONEDNN_OPTS" not in os.environ


def test_values_the_user_set_are_kept(clean_env):
    clean_env.setattr(tf_defaults.platform, "machine", lambda: "x86_64")
    clean_env.setenv("TF_ENABLE_ONEDNN_OPTS", "0")
    clean_env.setenv("TF_CPP_MIN_LOG_LEVEL", "0")
    assert apply_tensorflow_defaults() == {}
    assert os.environ["TF_ENABLE_ONEDNN_OPTS"] == "0"
    assert os.environ["TF_CPP_MIN_LOG_LEVEL"] == "0"


def test_the_recipe_applies_them_before_tensorflow_is_imported(tmp_path):
    # `--help` exits after parsing, so the process shows what the script's top level did.
    probe = (
        "import os, runpy, sys\n"
        "sys.argv = ['two_stage.py', '--help']\n"
        "try:\n"
        "    runpy.run_path('recipes/two_stage.py', run_name='__main__')\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('RESULT', os.environ.get('TF_ENABLE_ONEDNN_OPTS'), 'tensorflow' in sys.modules)\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in VARIABLES}
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    out = subprocess.run([sys.executable, "-c", probe], cwd=root, env=env, check=True,
                         capture_output=True, text=True).stdout
    result = next(line for line in out.splitlines() if line.startswith("RESULT ")).split()[1:]
    expected = "1" if tf_defaults.platform.machine().lower() in tf_defaults.X86_64 else "None"
    assert result == [expected, "False"]


def test_the_lateral_command_applies_them_before_its_sub_command(clean_env):
    from lateral_keras.cli import main

    clean_env.setattr(tf_defaults.platform, "machine", lambda: "x86_64")
    with pytest.raises(SystemExit):
        main(["scan", "--help"])
    assert os.environ["TF_ENABLE_ONEDNN_OPTS"] == "1"
