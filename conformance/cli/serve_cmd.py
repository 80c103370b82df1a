"""``stripe-conformance serve``: run the built-in reference server.

Exit codes: 0 when stopped (Ctrl-C or SIGTERM); 2 when the address cannot be listened on (the
port is taken, the host is not an address of this machine, or the port needs privileges) or an
option is invalid — one line on stderr, never a traceback.
"""

from __future__ import annotations

import errno

import click

from conformance.exit_codes import EXIT_OK, EXIT_USAGE
from conformance.reference import serve
from conformance.reference.store import DEFAULT_MAX_OBJECTS


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option(
    "--port", default=12111, show_default=True, type=click.IntRange(0, 65535), help="TCP port (0: a free one)."
)
@click.option(
    "--max-objects",
    default=DEFAULT_MAX_OBJECTS,
    show_default=True,
    type=click.IntRange(min=1),
    help="Most live objects held; once full, creates are refused with a 400 until objects are deleted.",
)
@click.option(
    "--log",
    "log_requests",
    is_flag=True,
    help="Print one line per request: time, method, path and query, status, duration (secrets redacted).",
)
def serve_command(host: str, port: int, max_objects: int, log_requests: bool) -> int:
    """Serve the reference Stripe-like API until interrupted.

    Exit 0 when stopped with Ctrl-C or SIGTERM, 2 when the address cannot be listened on
    (e.g. the port is taken).
    """
    app = None
    if log_requests:
        from conformance.cli.request_log import RequestLog
        from conformance.reference import Store, create_app

        app = RequestLog(create_app(Store(max_objects=max_objects)), click.echo)
    try:
        serve(host, port, app=app, max_objects=max_objects)
    except OSError as exc:
        hint = " (pick another --port, or --port 0 for a free one)" if exc.errno == errno.EADDRINUSE else ""
        click.echo(f"stripe-conformance: error: cannot listen on {host}:{port}: {exc.strerror or exc}{hint}", err=True)
        return EXIT_USAGE
    return EXIT_OK
