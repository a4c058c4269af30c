"""The README's Keras example (docs/keras_components_example.md) runs as written."""

import pathlib
import re

import pytest

EXAMPLE = pathlib.Path(__file__).resolve().parents[1] / "docs" / "keras_components_example.md"


@pytest.mark.backend_agnostic
def test_keras_components_example_runs(capsys):
    blocks = re.findall(r"```python\n(.*?)```", EXAMPLE.read_text(encoding="utf-8"), re.DOTALL)
    assert len(blocks) == 1
    namespace = {"__name__": "readme_example"}
    exec(compile(blocks[0], str(EXAMPLE), "exec"), namespace)
    assert namespace["codes"].shape == (2, 64)
    assert tuple(namespace["bits"].shape) == (2, 192)
    assert "similarity" in capsys.readouterr().out
