"""``stripe-conformance requirements``: list the catalogue."""

from __future__ import annotations

import json
from pathlib import Path

import click

import conformance
from conformance.requirements import load_catalogue
from conformance.requirements.index import render_index, scan_scenarios

PACKAGE_DIR = Path(conformance.__file__).resolve().parent
"""The installed package: its ``suite/`` holds the scenarios the index reads."""


@click.command("requirements")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--index", "index", is_flag=True, help="Print the Markdown index of requirements and their scenarios.")
@click.option(
    "--output",
    metavar="FILE",
    type=click.Path(dir_okay=False, path_type=Path),
    help="With --index: write the index to FILE instead of printing it.",
)
def requirements_command(fmt: str, index: bool, output: Path | None) -> int:
    """List every requirement: id, area, level, title (or, with --index, the scenarios citing each)."""
    catalogue = load_catalogue()
    if index:
        text = render_index(catalogue, scan_scenarios(PACKAGE_DIR))
        if output is None:
            click.echo(text, nl=False)
        else:
            output.write_text(text, encoding="utf-8")
        return 0
    if fmt == "json":
        rows = [
            {
                "id": r.id,
                "area": r.area,
                "level": r.level,
                "title": r.title,
                "source": r.source,
                "evidence": [e.to_dict() for e in r.evidence],
            }
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
