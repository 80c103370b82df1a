"""``stripe-conformance serve``: run the built-in reference server."""

from __future__ import annotations

import click

from conformance.reference import serve
from conformance.reference.store import DEFAULT_MAX_OBJECTS


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=12111, show_default=True, type=click.IntRange(0, 65535), help="TCP port.")
@click.option(
    "--max-objects",
    default=DEFAULT_MAX_OBJECTS,
    show_default=True,
    type=click.IntRange(min=1),
    help="Most live objects held; once full, creates are refused with a 400 until objects are deleted.",
)
def serve_command(host: str, port: int, max_objects: int) -> int:
    """Serve the reference Stripe-like API until interrupted."""
    try:
        serve(host, port, max_objects=max_objects)
    except OSError as exc:
        raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    return 0
