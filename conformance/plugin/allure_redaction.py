"""Allure results written through the redaction: every result, container and attachment file.

allure-pytest builds its file writer in its own ``pytest_configure``; on a suite run the plugin
hands it this subclass instead (before that hook runs), so what reaches ``allure-results/`` has
passed the same redaction as every other output, whichever plugin produced it.

It also writes fewer container files, each a file created on disk (most of what writing the
results costs). allure-pytest writes one container per fixture instance: the fixture's set-up
and tear-down, and the tests (children) it served. Allure shows a test the fixtures of every
container that names it, so this writer

- drops a container that names no test (allure-pytest makes one for each parameter that
  ``@pytest.mark.parametrize`` passes as a pseudo-fixture, and never gives it a child);
- holds the containers that name one test only (each as it was when reported), until that
  test's result is written, then writes them as one container for that test with all their
  set-ups and tear-downs.

Containers naming several tests, or one whose test was already written, are written as they
come. What the report shows each test (its fixtures, their statuses and details) is unchanged.
"""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path
from typing import Any

from allure_commons import hookimpl
from allure_commons.logger import AllureFileLogger
from allure_commons.model2 import TEST_GROUP_PATTERN, Attachment

from conformance.http.redaction import redact_bytes, redact_text


class RedactingAllureFileLogger(AllureFileLogger):
    """allure-commons' file writer, redacting every string it writes, with fewer container files."""

    def __init__(self, report_dir: str, clean: bool = False) -> None:
        """Write into ``report_dir`` (emptied first with ``clean``), as allure-commons' writer does."""
        super().__init__(report_dir, clean)  # type: ignore[no-untyped-call]
        self._held: dict[str, list[dict[str, Any]]] = {}  # a test's uuid -> its own containers, as reported
        self._written: set[str] = set()  # the tests whose result is written

    @hookimpl
    def report_container(self, container: Any) -> None:
        """Write a container, or hold it to write with the others of its only test (see the module)."""
        children = container.children
        if not children:
            return  # no test to show its fixtures under: Allure shows it nowhere
        # Taken as it is now: allure-pytest may still change the object (a finalizer's status) after reporting it.
        data = _as_data(container)
        if len(children) == 1 and children[0] not in self._written and _mergeable(container):
            self._held.setdefault(children[0], []).append(data)
            return
        self._write(data, container.file_pattern)

    @hookimpl
    def report_result(self, result: Any) -> None:
        """Write the test's held containers as one, then its result."""
        self._written.add(result.uuid)
        # Containers of a test that never got a result (an interrupted run) go too, so none is lost.
        for child in [result.uuid, *(c for c in self._held if c != result.uuid)]:
            held = self._held.pop(child, None)
            if held:
                self._write(_merged(held), TEST_GROUP_PATTERN)
        self._report_item(result)

    def _report_item(self, item: Any) -> None:
        self._write(_as_data(item), item.file_pattern)

    def _write(self, data: dict[str, Any], file_pattern: str) -> None:
        final = Path(self._report_dir) / file_pattern.format(prefix=uuid.uuid4())
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


def _as_data(item: Any) -> dict[str, Any]:
    """The item as allure-commons writes it (empty fields left out), every string redacted."""
    data: dict[str, Any] = _redacted(item)
    return data


def _mergeable(container: Any) -> bool:
    """allure-pytest's fixture containers carry nothing but their fixtures, children and times."""
    return not (container.name or container.description or container.descriptionHtml or container.links)


def _merged(containers: list[dict[str, Any]]) -> dict[str, Any]:
    """One container with the set-ups and tear-downs of ``containers`` (all naming the same one test)."""
    if len(containers) == 1:
        return containers[0]
    merged = dict(containers[0])
    for side in ("befores", "afters"):
        fixtures = sorted((f for c in containers for f in c.get(side, [])), key=lambda f: f.get("start", 0))
        if fixtures:
            merged[side] = fixtures
    starts = [c["start"] for c in containers if "start" in c]
    stops = [c["stop"] for c in containers if "stop" in c]
    if starts:
        merged["start"] = min(starts)
    if stops:
        merged["stop"] = max(stops)
    return merged


def _redacted(value: Any) -> Any:
    """``value`` as attrs' ``asdict`` with allure-commons' filter makes it, each string redacted, in one pass."""
    if isinstance(value, str):
        return redact_text(value)
    fields = getattr(type(value), "__attrs_attrs__", None)
    if fields is not None:
        data = {}
        for field in fields:
            item = getattr(value, field.name)
            if item or item is False:  # allure-commons leaves empty fields out
                # An attachment's file name is allure-commons' own uuid4: redacted, digits like a card
                # number's would point the result at a file that does not exist.
                data[field.name] = item if isinstance(value, Attachment) and field.name == "source" else _redacted(item)
        return data
    if isinstance(value, dict):
        return {key: _redacted(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_redacted(item) for item in value]
    return value


def use_redacting_file_logger() -> None:
    """Make allure-pytest write its results through ``RedactingAllureFileLogger`` (before its configure)."""
    try:
        import allure_pytest.plugin as allure_plugin  # type: ignore[import-untyped]
    except ImportError:
        return
    allure_plugin.AllureFileLogger = RedactingAllureFileLogger
