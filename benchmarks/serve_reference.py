"""Serve the reference app with a chosen uvicorn stack: ``python -m benchmarks.serve_reference PORT H11|... LOOP``.

Benchmark 4 uses it to show what httptools and uvloop bring: ``h11 asyncio`` is uvicorn's pure-Python
stack; ``auto auto`` is httptools and uvloop when installed, as ``ReferenceServer`` runs them but
without its one-write-per-answer protocol.
"""

from __future__ import annotations

import sys

import uvicorn

from conformance.reference import create_app


def main() -> None:
    """Serve until terminated."""
    port, http, loop = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    uvicorn.run(
        create_app(),
        host="127.0.0.1",
        port=port,
        http=http,
        loop=loop,
        log_level="warning",
        access_log=False,
        lifespan="off",
        proxy_headers=False,
    )


if __name__ == "__main__":
    main()
