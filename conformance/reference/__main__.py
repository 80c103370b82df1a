"""Run the reference server: ``python -m conformance.reference [--host H] [--port P]``."""

from __future__ import annotations

import argparse

from .server import serve
from .store import DEFAULT_MAX_OBJECTS


def main(argv: list[str] | None = None) -> None:
    """Parse command-line options and serve until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m conformance.reference")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=12111)
    parser.add_argument("--max-objects", type=int, default=DEFAULT_MAX_OBJECTS)
    options = parser.parse_args(argv)
    serve(options.host, options.port, max_objects=options.max_objects)


if __name__ == "__main__":
    main()
