r"""Response bodies as Stripe writes them: JSON indented by two spaces, UTF-8, one trailing newline.

orjson writes the same bytes as ``json.dumps(payload, indent=2, ensure_ascii=False) + "\n"`` for
everything the store answers (str, int, bool, None, dict, list) about 40 times faster: the standard
library's indented encoder is pure Python, and it was the largest cost of a request
(benchmarks/RESULTS.md). Anything orjson refuses or would write differently (integers past 64 bits;
dataclasses and datetimes, which the standard library rejects) goes through the standard library,
so the answer never depends on which encoder ran. Floats, which the store never answers, would be
spelled differently (``1e16`` against ``1e+16``).
"""

from __future__ import annotations

import json

import orjson

_OPTIONS = (
    orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_DATETIME
)


def render(payload: object) -> bytes:
    """Serialize a response body the way Stripe does (indented JSON)."""
    try:
        return orjson.dumps(payload, option=_OPTIONS)
    except TypeError:
        return (json.dumps(payload, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
