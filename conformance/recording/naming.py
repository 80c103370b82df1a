"""Predictable cassette paths: ``DIR/<module>/<test>.json``, as pytest-recording names them."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

CASSETTE_SUFFIX = ".json"
_UNSAFE = re.compile(r"[^A-Za-z0-9_.\-\[\]=,+]")
_MAX_NAME = 150


def cassette_path(directory: Path, nodeid: str) -> Path:
    """Return the cassette of the test ``nodeid`` (``path/to/test_mod.py::Class::test[param]``).

    The module folder is the file's stem; the file name joins class and test names with dots.
    Characters unsafe in file names become ``_``; a very long name is cut and given a hash suffix.
    """
    module, test = test_identity(nodeid)
    return directory / _safe(module) / (_safe(test) + CASSETTE_SUFFIX)


def test_identity(nodeid: str) -> tuple[str, str]:
    """Return ``(module stem, Class.test[param])`` of a node id: stable whatever the rootdir is."""
    file_part, _, rest = nodeid.partition("::")
    module = Path(file_part).stem or "tests"
    return module, ".".join(rest.split("::")) if rest else module


def _safe(name: str) -> str:
    cleaned = _UNSAFE.sub("_", name)
    if len(cleaned) <= _MAX_NAME:
        return cleaned
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:12]
    return f"{cleaned[: _MAX_NAME - 13]}-{digest}"
