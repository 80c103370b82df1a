"""Render locations inside a JSON body as JSONPath strings such as ``$.data[0].exp_month``."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

__all__ = ["json_path", "json_pointer"]

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def json_path(parts: Iterable[str | int]) -> str:
    """Join path parts: integers as ``[i]``, plain keys as ``.key``, other keys as ``['k']``."""
    out = ["$"]
    for part in parts:
        if isinstance(part, int):
            out.append(f"[{part}]")
        elif _IDENTIFIER.match(part):
            out.append(f".{part}")
        else:
            out.append(f"[{json.dumps(part)}]")
    return "".join(out)


def json_pointer(parts: Iterable[str | int]) -> str:
    """Join path parts as an RFC 6901 JSON pointer (``/properties/id/type``)."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in parts)
