"""Turning what a user gave into ``RunSettings``: conversion, and the precedence of the sources."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from conformance.http.headers import HeaderError, parse_headers
from conformance.selection import Shard
from conformance.settings.model import RunSettings, SettingsError
from conformance.settings.options import OPTIONS, Option

_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off", "")


def convert(option: Option, value: object, where: str) -> object:
    """Return ``value`` as ``option``'s type, or raise ``SettingsError`` naming ``where`` it came from.

    Strings (the command lines, the environment) are parsed; a config file's TOML values must already
    have the right type (a number for a number, a list of strings for a repeatable option).
    """
    kind = option.kind
    if kind == "flag":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in _TRUE + _FALSE:
            return value.strip().lower() in _TRUE
        raise SettingsError(f"{where}: expected true or false, got {value!r}")
    if kind == "paths":
        items = [value] if isinstance(value, str | Path) else value
        if not isinstance(items, list | tuple) or not all(isinstance(i, str | Path) for i in items):
            raise SettingsError(f"{where}: expected a list of file paths, got {value!r}")
        return tuple(Path(i) for i in items)
    if kind == "headers":
        return _headers(value, where)
    if kind in ("int", "float"):
        return _number(option, value, where)
    if not isinstance(value, str | Path):
        raise SettingsError(f"{where}: expected a string, got {value!r}")
    text = str(value)
    if kind == "choice" and text not in option.choices:
        raise SettingsError(f"{where}: {text!r} is not one of {', '.join(option.choices)}")
    if option.name == "shard":
        try:
            return str(Shard.parse(text))
        except ValueError as exc:
            raise SettingsError(f"{where}: {str(exc).removeprefix('--shard ')}") from None
    return Path(text) if kind == "path" else text


def command_line_value(option: Option, value: object) -> object:
    """Return a command-line value with a repeatable option's values as one tuple (each ``-H`` parsed on its own)."""
    if option.kind == "paths" and isinstance(value, Iterable):
        return tuple(value)
    if option.kind == "headers" and isinstance(value, Iterable):
        return tuple(header for given in value for header in given)
    return value


def _headers(value: object, where: str) -> tuple[str, ...]:
    """``NAME:VALUE`` headers (one per line in a string), each checked, as ``"Name: value"`` strings."""
    items = value.splitlines() if isinstance(value, str) else value
    if not isinstance(items, list | tuple) or not all(isinstance(i, str) for i in items):
        raise SettingsError(f"{where}: expected NAME:VALUE headers, got {value!r}")
    try:
        return tuple(f"{name}: {text}" for name, text in parse_headers(i for i in items if i.strip()))
    except HeaderError as exc:
        raise SettingsError(f"{where}: {exc}") from None


def _number(option: Option, value: object, where: str) -> int | float:
    wanted = int if option.kind == "int" else float
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise SettingsError(f"{where}: expected a number, got {value!r}")
    try:
        number = wanted(value)
    except ValueError:
        raise SettingsError(f"{where}: {value!r} is not {'an integer' if wanted is int else 'a number'}") from None
    if isinstance(value, float) and wanted is int and value != number:
        raise SettingsError(f"{where}: {value!r} is not an integer")
    low = option.minimum
    if low is not None and (number < low or (option.exclusive_minimum and number == low)):
        bound = f"above {low:g}" if option.exclusive_minimum else f"at least {low:g}"
        raise SettingsError(f"{where}: {value!r} is out of range: it must be {bound}")
    return number


def from_environment(environ: Mapping[str, str], front_end: str) -> dict[str, object]:
    """The options set by environment variables (those ``front_end`` shows), converted."""
    found: dict[str, object] = {}
    for option in OPTIONS:
        if option.env and front_end in option.front_ends and environ.get(option.env):
            found[option.name] = convert(option, environ[option.env], f"${option.env}")
    return found


def resolve(
    flags: Mapping[str, object], environ: Mapping[str, str], file: Mapping[str, object], front_end: str
) -> RunSettings:
    """Build the settings: a flag beats the environment, which beats the config file, which beats the default.

    ``flags`` holds only the options given on the command line, already converted; ``file`` the
    config file's (``conformance.settings.config_file``), already converted.
    """
    env = from_environment(environ, front_end)
    values: dict[str, object] = {}
    for option in OPTIONS:
        if front_end not in option.front_ends:
            continue  # e.g. workers: pytest has -n of its own
        for source in (flags, env, file):
            if option.name in source:
                values[option.name] = source[option.name]
                break
        else:
            if front_end == "cli" and option.cli_default is not None:
                values[option.name] = option.cli_default
    return RunSettings(**values)  # type: ignore[arg-type]
