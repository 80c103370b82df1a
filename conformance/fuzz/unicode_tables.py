"""Hypothesis' table of the characters UTF-8 can carry, written before Hypothesis computes it.

Schemathesis generates text that must encode as UTF-8, so Hypothesis needs the code points that
codec can encode. It caches that table under its storage directory (``.hypothesis/`` in the
working directory); where the file is missing, the first generated string walks all 1,114,112
code points into a list of one-point intervals first: about 1.5 s of CPU and 200 MB of peak
memory, in every run from a fresh checkout or a new directory (a CI job's usual case; measured
in benchmarks/RESULTS.md, session 5). The table has a closed form: UTF-8 encodes every code point
but the surrogates, and each one decodes back to itself. Writing it in Hypothesis' own format,
at the path Hypothesis reads, spares that walk; Hypothesis (pinned exactly) still reads the file
itself, and ``tests/fuzz/test_unicode_tables.py`` checks the file against Hypothesis' own computation.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import sys
import tempfile

from hypothesis.internal.charmap import charmap_file

SURROGATES = (0xD800, 0xDFFF)
UTF8_TABLE_NAME = "codec-v2-utf-8"
"""The name Hypothesis gives its cached table for the ``utf-8`` codec."""


def utf8_table() -> list[list[list[int]]]:
    """Return Hypothesis' table for UTF-8: the encodable intervals, then those that do not round-trip (none)."""
    encodable = [[0, SURROGATES[0] - 1], [SURROGATES[1] + 1, sys.maxunicode]]
    return [encodable, []]


def prime_utf8_table() -> None:
    """Write the UTF-8 table where Hypothesis looks for it, unless it is there (best effort, like Hypothesis)."""
    with contextlib.suppress(OSError):
        path = charmap_file(UTF8_TABLE_NAME)
        if path.exists():
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".utf8-table-")
        os.close(fd)
        try:
            with gzip.GzipFile(temporary, "wb", mtime=1) as handle:  # mtime fixed, as Hypothesis writes it
                handle.write(json.dumps(utf8_table()).encode())
            os.replace(temporary, path)
        finally:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
