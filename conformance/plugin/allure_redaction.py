"""Allure results written through the redaction: every result, container and attachment file.

allure-pytest builds its file writer in its own ``pytest_configure``; on a suite run the plugin
hands it this subclass instead (before that hook runs), so what reaches ``allure-results/`` has
passed the same redaction as every other output, whichever plugin produced it.
"""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path
from typing import Any

from allure_commons import hookimpl
from allure_commons.logger import AllureFileLogger
from attr import asdict

from conformance.http.redaction import redact_bytes, redact_text


class RedactingAllureFileLogger(AllureFileLogger):
    """allure-commons' file writer, redacting every string it writes."""

    def _report_item(self, item: Any) -> None:
        data = _redacted(asdict(item, filter=lambda _, v: v or v is False))
        final = Path(self._report_dir) / item.file_pattern.format(prefix=uuid.uuid4())
        temporary = final.with_name(final.name + ".tmp")
        # dumps, not dump: dump feeds the file through the pure-Python encoder, dumps uses the C one.
        temporary.write_text(json.dumps(data, ensure_ascii=False), encoding="utf8")
        os.replace(temporary, final)

    @hookimpl
    def report_attached_file(self, source: Any, file_name: str) -> None:
        """Copy an attached file, redacted."""
        self.report_attached_data(Path(source).read_bytes(), file_name)

    @hookimpl
    def report_attached_data(self, body: str | bytes, file_name: str) -> None:
        """Write attached data, redacted (bytes that are not UTF-8 say so, with their length)."""
        text = redact_text(body) if isinstance(body, str) else redact_bytes(body)
        final = Path(self._report_dir) / file_name
        temporary = final.with_name(final.name + ".tmp")
        temporary.write_bytes(text.encode("utf-8"))
        os.replace(temporary, final)


def _redacted(value: Any) -> Any:
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, dict):
        return {key: _redacted(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_redacted(item) for item in value]
    return value


def use_redacting_file_logger() -> None:
    """Make allure-pytest write its results through ``RedactingAllureFileLogger`` (before its configure)."""
    try:
        import allure_pytest.plugin as allure_plugin  # type: ignore[import-untyped]
    except ImportError:
        return
    allure_plugin.AllureFileLogger = RedactingAllureFileLogger
