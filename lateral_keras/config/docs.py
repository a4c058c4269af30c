"""Markdown tables of the configuration keys, generated from the schema (the README embeds them).

Run ``python -m lateral_keras.config.docs`` to print them; a test checks the README is current.
"""

from lateral_keras.config import legacy
from lateral_keras.config.schema import Config, iter_settings


def _default_text(value):
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, list):
        return "[" + ", ".join(_default_text(v) for v in value) + "]"
    return "null" if value is None else str(value)


def settings_table():
    """Return a Markdown table: key, default, meaning (with choices) of every setting."""
    defaults = Config().to_dict()
    rows = ["| key | default | meaning |", "| --- | --- | --- |"]
    for key, f in iter_settings():
        value = defaults
        for part in key.split("."):
            value = value[part]
        meaning = f.metadata["help"]
        if "choices" in f.metadata:
            meaning += " (" + " / ".join(map(str, f.metadata["choices"])) + ")"
        rows.append(f"| `{key}` | `{_default_text(value)}` | {meaning} |")
    return "\n".join(rows)


def legacy_table():
    """Return a Markdown table: each original key and what it maps to, or why it is ignored."""
    rows = ["| original key | ours |", "| --- | --- |"]
    for key in sorted(legacy.LEGACY_KEYS, key=str.lower):
        if key in legacy.IGNORED:
            ours = f"ignored, with a notice: {legacy.IGNORED[key]}"
        elif key in legacy.PER_STAGE:
            ours = f"`stage_one.{key}`, or `stage_two.{key}` in a file with `head_type: IoMHead`"
        elif key == "head_type":
            ours = "`stage_one.head_type`; `IoMHead` marks a stage-two file"
        elif key == "sub_name":
            ours = ("`sub_name`; in the two-file style the stage-one file's names "
                    "`stage_one.sub_name`")
        else:
            ours = f"`{legacy.target_of(key, False)}`"
        rows.append(f"| `{key}` | {ours} |")
    return "\n".join(rows)


if __name__ == "__main__":
    print(settings_table())
    print()
    print(legacy_table())
