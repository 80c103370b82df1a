"""``stripe-conformance matrix A.json B.json ...``: requirements × targets, side by side."""

from __future__ import annotations

from pathlib import Path

import click

from conformance.exit_codes import EXIT_OK, EXIT_USAGE
from conformance.reporting import build_matrix, read_report
from conformance.reporting.matrix import (
    render_matrix_html,
    render_matrix_json,
    render_matrix_markdown,
    render_matrix_text,
)


@click.command("matrix")
@click.argument("reports", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "md", "json"]), default="text", show_default=True)
@click.option(
    "--html",
    "html_path",
    metavar="FILE",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the matrix as a self-contained HTML page.",
)
def matrix_command(reports: tuple[Path, ...], fmt: str, html_path: Path | None) -> int:
    """Show one row per requirement and one column per target's report.json.

    Targets are named by the report's target name (with the URL when names clash). Exit code 0, or 2
    when a file is not a report.
    """
    try:
        documents = [read_report(path) for path in reports]
    except ValueError as exc:
        click.echo(f"stripe-conformance: error: {exc}", err=True)
        return EXIT_USAGE
    matrix = build_matrix(documents)
    if html_path is not None:
        html_path.parent.mkdir(parents=True, exist_ok=True)
        html_path.write_text(render_matrix_html(matrix), encoding="utf-8")
    renderers = {"text": render_matrix_text, "md": render_matrix_markdown, "json": render_matrix_json}
    click.echo(renderers[fmt](matrix), nl=fmt != "md")
    return EXIT_OK
