"""The ``run`` command's options, generated from the options table (``conformance.settings.OPTIONS``)."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from click.core import ParameterSource

from conformance.settings import (
    BY_NAME,
    CLI,
    OPTIONS,
    Option,
    RunSettings,
    SettingsError,
    convert,
    load_config_file,
    resolve,
)
from conformance.settings.resolve import command_line_value


class _Converted(click.ParamType[Any]):
    """A click type that parses with the table's converter, so both front-ends accept the same values."""

    def __init__(self, option: Option) -> None:
        self.option = Option(option.name, "path", None, "") if option.kind == "paths" else option
        self.flag = option.cli_flag
        self.name = option.kind

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if not isinstance(value, str):
            return value
        try:
            return convert(self.option, value, self.flag)
        except SettingsError as exc:
            self.fail(str(exc).removeprefix(f"{self.flag}: "), param, ctx)


def click_option(option: Option, *, help: str | None = None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The click declaration of ``option``: no default of its own (``resolve`` applies the table's).

    ``help`` replaces the table's text for a command other than ``run`` where that text would not hold.
    """
    extra: dict[str, Any] = {}
    if option.kind == "flag":
        extra["is_flag"] = True
    elif option.kind == "choice":
        extra["type"] = click.Choice(option.choices)
    else:
        extra["type"] = _Converted(option)
        extra["metavar"] = option.metavar
    if option.kind in ("paths", "headers"):
        extra["multiple"] = True
    spellings = (option.short, option.cli_flag) if option.short else (option.cli_flag,)
    return click.option(*spellings, option.name, default=None, help=help or option.help_text(CLI), **extra)


def run_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add the table's ``run`` options to ``command``, which receives them as one ``settings`` argument.

    A bad environment variable or config file gives ``settings`` as a ``SettingsError`` instead, for the
    command to report as a one-line usage error.
    """
    names = [option.name for option in OPTIONS if CLI in option.front_ends]

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        ctx = click.get_current_context()
        flags = {}
        for name in names:
            value = kwargs.pop(name)
            if ctx.get_parameter_source(name) == ParameterSource.COMMANDLINE:
                flags[name] = command_line_value(BY_NAME[name], value)
        settings: RunSettings | SettingsError
        try:
            settings = resolve(flags, os.environ, load_config_file(Path.cwd()), CLI)
        except SettingsError as exc:
            settings = exc
        return command(*args, settings=settings, **kwargs)

    decorated: Callable[..., Any] = wrapper
    for option in reversed(OPTIONS):
        if CLI in option.front_ends:
            decorated = click_option(option)(decorated)
    return decorated
