"""The run's ``RunSettings`` in the plugin: handed over by the CLI, sent to xdist workers, or built from options.

``stripe-conformance run`` passes a ``GivenRun`` instance to ``pytest.main(plugins=[...])``:
its settings and validated target are used as they are, and the key never reaches argv or the
environment. A plain pytest run builds the settings from the plugin's options, the environment and
the config file (``conformance.settings.resolve`` holds the precedence).
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping
from pathlib import Path
from typing import NoReturn

import pytest

from conformance.settings import BY_NAME, OPTIONS, PYTEST, RunSettings, SettingsError, load_config_file, resolve
from conformance.settings.given import GivenRun
from conformance.settings.options import Option
from conformance.settings.resolve import command_line_value, convert

GROUP = "stripe-conformance"
HANDOFF = "stripe_conformance"
"""Key of what the controller sends its pytest-xdist workers in ``workerinput``."""

_SETTINGS_KEY = pytest.StashKey[RunSettings]()


def add_options(parser: pytest.Parser) -> None:
    """Register the plugin's option group, generated from the options table."""
    group = parser.getgroup(GROUP, "Stripe conformance suite")
    for option in OPTIONS:
        if PYTEST not in option.front_ends:
            continue
        extra: dict[str, object] = {}
        if option.kind == "flag":
            extra["action"] = "store_true"
        elif option.kind in ("paths", "headers"):
            extra.update(action="append", type=_converter(option))
        elif option.kind == "choice":
            extra["choices"] = option.choices
        else:
            extra["type"] = _converter(option)
        if option.metavar and option.kind != "flag":
            extra["metavar"] = option.metavar
        help_text = option.help_text(PYTEST)
        group.addoption(option.pytest_flag, dest=option.pytest_dest, default=None, help=help_text, **extra)


def _converter(option: Option) -> object:
    single = Option(option.name, "path", None, "") if option.kind == "paths" else option

    def parse(text: str) -> object:
        try:
            return convert(single, text, option.pytest_flag)
        except SettingsError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    parse.__name__ = option.kind
    return parse


def given_run(config: pytest.Config) -> GivenRun | None:
    """The ``GivenRun`` a front-end passed to ``pytest.main``, if any."""
    for plugin in config.pluginmanager.get_plugins():
        if isinstance(plugin, GivenRun):
            return plugin
    return None


def run_settings(config: pytest.Config) -> RunSettings:
    """The settings of this run (computed once; ``SettingsError`` when an input is unusable)."""
    settings = config.stash.get(_SETTINGS_KEY, None)
    if settings is None:
        settings = _settings(config)
        config.stash[_SETTINGS_KEY] = settings
    return settings


def replace_settings(config: pytest.Config, settings: RunSettings) -> None:
    """Make ``settings`` the run's (a replay aims the run at its recording)."""
    config.stash[_SETTINGS_KEY] = settings


def _settings(config: pytest.Config) -> RunSettings:
    given = given_run(config)
    if given is not None:
        return given.settings.resolved(given.target.base_url if given.target is not None else None)
    wire = getattr(config, "workerinput", {}).get(HANDOFF, {}).get("settings")
    if wire:
        return RunSettings.from_wire(wire)  # the controller's, resolved
    settings = settings_from_options(config.option, os.environ, config.invocation_params.dir)
    return settings.resolved(settings.target or _profile_url(settings.profile))


def _profile_url(profile: str | None) -> str | None:
    """The URL a profile names (None for none, the built-in one, or one that does not load: reported later)."""
    if not profile:
        return None
    from conformance.targets import ConfigError  # only a run naming a profile pays for loading one
    from conformance.targets.profile import load_profile

    try:
        loaded = load_profile(profile)
    except ConfigError:
        return None
    return None if loaded.builtin else loaded.url


def settings_from_options(namespace: object, environ: Mapping[str, str], directory: Path) -> RunSettings:
    """The settings of a plain pytest run: its options, then ``environ``, then the config file in ``directory``."""
    flags: dict[str, object] = {}
    for option in OPTIONS:
        value = getattr(namespace, option.pytest_dest, None) if PYTEST in option.front_ends else None
        if value is not None:
            flags[option.name] = command_line_value(option, value)
    settings = resolve(flags, environ, load_config_file(directory), PYTEST)
    settings.check(lambda name: BY_NAME[name].pytest_flag)
    return settings


def settings_error_exit(exc: SettingsError) -> NoReturn:
    """Stop the run with one line, as pytest's usage error (exit code 4, as for a malformed option value)."""
    raise pytest.UsageError(f"stripe-conformance: {exc}") from None
