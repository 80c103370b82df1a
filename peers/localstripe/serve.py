"""Serve localstripe on 127.0.0.1 only, with its store kept in memory.

localstripe's own ``localstripe --port N`` binds every interface (``::``) and pickles its
whole store to ``/tmp/localstripe.pickle`` after every write, which would let two parallel
runs share state. This launcher serves the same aiohttp app on loopback and keeps the store
in memory; nothing else about the peer changes.

Usage: ``python peers/localstripe/serve.py PORT`` (with localstripe installed).
"""

from __future__ import annotations

import sys

from aiohttp import web
from localstripe import server
from localstripe.resources import store


def main() -> None:
    """Serve until terminated."""
    port = int(sys.argv[1])
    store.dump_to_disk = lambda: None  # type: ignore[method-assign]
    web.run_app(server.app, host="127.0.0.1", port=port, print=None, access_log=None)


if __name__ == "__main__":
    main()
