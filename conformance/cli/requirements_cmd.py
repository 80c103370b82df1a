"""``stripe-conformance requirements``: list the catalogue."""

from __future__ import annotations

import json

import click

from conformance.requirements import load_catalogue


@click.command("requirements")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def requirements_command(fmt: str) -> int:
    """List every requirement: id, area, level, title."""
    catalogue = load_catalogue()
    if fmt == "json":
        rows = [
            {"id": r.id, "area": r.area, "level": r.level, "title": r.title, "source": r.source}
            | ({"untested": r.untested} if r.untested else {})
            for r in catalogue
        ]
        click.echo(json.dumps(rows, indent=2))
        return 0
    width = max(len(r.id) for r in catalogue)
    for r in catalogue:
        click.echo(f"{r.id:<{width}}  {r.area:<14}  {r.level:<6}  {r.title}")
    click.echo(f"{len(catalogue)} requirements")
    return 0
