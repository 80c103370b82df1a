"""A click group that imports a subcommand's module only when that subcommand runs.

``stripe-conformance requirements`` then starts without importing pytest, the reference server
(uvicorn) or the cassette machinery (vcrpy): start-up is part of every CI job's wait.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from typing import Any

import click


class LazyGroup(click.Group):
    """A group whose commands are named ``"package.module:attribute"`` and imported on first use.

    Commands added the usual way (``add_command``) work alongside the lazy ones.
    """

    def __init__(self, *args: Any, lazy_commands: Iterable[tuple[str, str]] = (), **kwargs: Any) -> None:
        """Create the group; ``lazy_commands`` pairs each command name with ``module:attribute``."""
        super().__init__(*args, **kwargs)
        self._lazy = dict(lazy_commands)

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Every command name, lazy or not, sorted."""
        return sorted({*super().list_commands(ctx), *self._lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """Return the command, importing its module first if it is lazy and not loaded yet."""
        if cmd_name not in self.commands and cmd_name in self._lazy:
            module_name, _, attribute = self._lazy[cmd_name].partition(":")
            command = getattr(importlib.import_module(module_name), attribute)
            if not isinstance(command, click.Command):
                raise TypeError(f"{self._lazy[cmd_name]} is not a click command")
            self.add_command(command, cmd_name)
        return super().get_command(ctx, cmd_name)
