"""The README's Keras example runs as written, and its config key tables are current."""

import pathlib
import re

import pytest

README = pathlib.Path(__file__).resolve().parents[1] / "README.md"


def section(name):
    text = README.read_text(encoding="utf-8")
    match = re.search(rf"<!-- {name}:start -->\n(.*?)<!-- {name}:end -->", text, re.DOTALL)
    assert match, f"README.md has no {name} section"
    return match.group(1)


@pytest.mark.backend_agnostic
def test_keras_components_example_runs(capsys):
    blocks = re.findall(r"```python\n(.*?)```", section("keras-example"), re.DOTALL)
    assert len(blocks) == 1
    namespace = {"__name__": "readme_example"}
    exec(compile(blocks[0], str(README), "exec"), namespace)
    assert namespace["codes"].shape == (2, 64)
    assert tuple(namespace["bits"].shape) == (2, 192)
    assert "similarity" in capsys.readouterr().out


def test_config_key_tables_match_the_schema():
    from lateral_keras.config.docs import legacy_table, settings_table

    keys = section("config-keys")
    assert settings_table() in keys, "run python -m lateral_keras.config.docs, paste into README"
    assert legacy_table() in keys
