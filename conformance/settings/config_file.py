"""The config file: ``stripe-conformance.toml``, or ``[tool.stripe-conformance]`` in ``pyproject.toml``.

Looked up in the directory the run starts in; ``stripe-conformance.toml`` wins when both exist.
Keys are the options' names in kebab case (``request-timeout = 5``, the ``file_key`` of the table);
relative paths are relative to the file. A key the table does not know, or a value of the wrong type, is a
``SettingsError`` of one line.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from conformance.settings.model import SettingsError
from conformance.settings.options import OPTIONS
from conformance.settings.resolve import convert

CONFIG_FILE = "stripe-conformance.toml"
PYPROJECT = "pyproject.toml"
PYPROJECT_TABLE = "stripe-conformance"
"""The table under ``[tool]`` in ``pyproject.toml``."""

_BY_KEY = {option.file_key: option for option in OPTIONS if option.file_key}


def find_config_file(directory: Path) -> tuple[Path, dict[str, object]] | None:
    """Return the config file that applies in ``directory`` and its raw table, or None."""
    own = directory / CONFIG_FILE
    if own.is_file():
        return own, _read(own)
    pyproject = directory / PYPROJECT
    if pyproject.is_file():
        table = _read(pyproject).get("tool", {})
        section = table.get(PYPROJECT_TABLE) if isinstance(table, dict) else None
        if section is not None:
            if not isinstance(section, dict):
                raise SettingsError(f"{pyproject}: [tool.{PYPROJECT_TABLE}] is not a table")
            return pyproject, section
    return None


def load_config_file(directory: Path) -> dict[str, object]:
    """The options the config file in ``directory`` sets, converted (empty without a file)."""
    found = find_config_file(directory)
    if found is None:
        return {}
    path, table = found
    values: dict[str, object] = {}
    for key, value in table.items():
        option = _BY_KEY.get(key)
        if option is None:
            known = ", ".join(sorted(_BY_KEY))
            raise SettingsError(f"{path}: unknown key {key!r} (known: {known})")
        converted = convert(option, value, f"{path}: {key}")
        if option.kind == "path":
            converted = path.parent / converted  # type: ignore[operator]
        elif option.kind == "paths":
            converted = tuple(path.parent / p for p in converted)  # type: ignore[attr-defined]
        values[option.name] = converted
    return values


def _read(path: Path) -> dict[str, object]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise SettingsError(f"{path}: {exc}") from None
