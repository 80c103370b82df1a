"""``stripe-conformance serve``: run the built-in reference server."""

from __future__ import annotations

import click

from conformance.reference import serve


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=12111, show_default=True, type=click.IntRange(0, 65535), help="TCP port.")
def serve_command(host: str, port: int) -> int:
    """Serve the reference Stripe-like API until interrupted."""
    try:
        serve(host, port)
    except OSError as exc:
        raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    return 0
