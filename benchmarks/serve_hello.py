"""The ceiling of benchmark 4: an ASGI app that does no work, on the reference server's own stack.

``python -m benchmarks.serve_hello PORT`` serves, through :class:`ReferenceServer` (same uvicorn
settings, protocol and thread), an app that answers every request with one fixed JSON body the
size of a card list and the reference server's headers. What it reaches is what uvicorn's own
request path (a task and a cycle per request) allows with no work; the reference server answers
requests that arrive whole without that path (``reference/direct.py``), so it can come close to it
or pass it.
"""

from __future__ import annotations

import json
import sys
import time

from conformance.reference import ReferenceServer
from conformance.reference.asgi import Receive, Scope, Send

BODY = (
    json.dumps(
        {
            "id": "cus_hello000000000",
            "object": "list",
            "data": [{"id": "card_hello", "object": "card", "padding": "x" * 560}],
            "has_more": False,
            "url": "/v1/customers/cus_hello000000000/sources",
        },
        indent=2,
    )
    + "\n"
).encode()
HEADERS = [
    (b"request-id", b"req_hello000000000"),
    (b"stripe-version", b"2023-08-16"),
    (b"content-length", str(len(BODY)).encode()),
    (b"content-type", b"application/json"),
]


async def hello(scope: Scope, receive: Receive, send: Send) -> None:
    """Answer any HTTP request with the fixed body."""
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
    await send({"type": "http.response.body", "body": BODY})


def main() -> None:
    """Serve until terminated."""
    with ReferenceServer(port=int(sys.argv[1]), app=hello):
        while True:
            time.sleep(1)


if __name__ == "__main__":
    main()
