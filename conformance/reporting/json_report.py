"""``report.json``: the versioned, machine-readable contract of a run."""

from __future__ import annotations

import dataclasses
import json
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

from conformance.reporting.model import RequirementResult, RunReport, TargetInfo

REPORT_SCHEMA_VERSION = 1
TOOL_NAME = "stripe-conformance"
_T = TypeVar("_T")


def report_to_dict(report: RunReport) -> dict[str, Any]:
    """Return the JSON document for ``report`` (described by ``schemas/report-v1.schema.json``)."""
    return {
        "schema_version": REPORT_SCHEMA_VERSION,
        "tool": {"name": TOOL_NAME, "version": report.tool_version},
        "target": {
            "url": report.target.url,
            "stripe_version": report.target.stripe_version,
            "name": report.target.name,
        },
        "started": report.started,
        "finished": report.finished,
        "conforms": report.conforms,
        "verdict": report.verdict,
        "outcome": report.outcome,
        "selection": dict(report.selection),
        "root_causes": [cause.to_dict() for cause in report.root_causes],
        "strict": report.strict,
        "summary": report.summary,
        "traffic": report.traffic,
        "errors": list(report.errors),
        "teardown_failures": list(report.teardown_failures),
        "requirements": [result.to_dict() for result in report.requirements],
        "scenarios": [outcome.to_dict() for outcome in report.scenarios],
    } | ({"expectations": list(report.expectations)} if report.expectations else {}) | (
        {"setup": report.setup} if report.setup is not None else {}
    )


def write_json_report(report: RunReport, directory: Path) -> Path:
    """Write ``report.json`` into ``directory`` and return its path."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "report.json"
    path.write_text(json.dumps(report_to_dict(report), indent=2) + "\n", encoding="utf-8")
    return path


def read_report(path: Path) -> dict[str, Any]:
    """Read a ``report.json``, raising ``ValueError`` with one clear line if it is not one."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path}: not a readable JSON report ({exc.__class__.__name__})") from None
    if not isinstance(data, dict) or data.get("schema_version") != REPORT_SCHEMA_VERSION:
        raise ValueError(f"{path}: not a stripe-conformance report (schema_version {REPORT_SCHEMA_VERSION})")
    return data


def report_from_dict(data: Mapping[str, Any]) -> RunReport:
    """Rebuild the ``RunReport`` a ``report.json`` document was written from (the inverse of ``report_to_dict``).

    Derived entries (``conforms``, ``summary``) are recomputed. Fields are matched by name, so a
    field added to the model and written under its own name comes back without a change here.
    Raises ``ValueError`` with one line when the document lacks what a report must have.
    """
    try:
        target = _build(TargetInfo, data["target"])
        requirements = tuple(_build(RequirementResult, r) for r in data["requirements"])
        named = {"tool_version": data["tool"]["version"], "target": target, "requirements": requirements}
        named |= outside_traffic(data)
        return _build(RunReport, {**data, **named})
    except (KeyError, TypeError) as exc:
        raise ValueError(f"not a complete stripe-conformance report (missing or malformed: {exc})") from None


def _build(cls: type[_T], data: Mapping[str, Any]) -> _T:
    """Instantiate the dataclass ``cls`` from the entries of ``data`` named like its fields.

    A list becomes the field's tuple; a field typed ``tuple[SomeDataclass, ...]`` gets each of its
    dicts built into that dataclass the same way.
    """
    hints = typing.get_type_hints(cls)
    values = {}
    for field in dataclasses.fields(cls):  # type: ignore[arg-type]
        if field.name not in data:
            continue
        value = data[field.name]
        if isinstance(value, list):
            item = _item_dataclass(hints.get(field.name))
            value = tuple(_build(item, v) if item is not None and isinstance(v, Mapping) else v for v in value)
        values[field.name] = value
    return cls(**values)


def _item_dataclass(hint: object) -> type | None:
    """``X`` for a ``tuple[X, ...]`` hint whose ``X`` is a dataclass, else None."""
    args = typing.get_args(hint)
    if typing.get_origin(hint) is tuple and args and isinstance(args[0], type) and dataclasses.is_dataclass(args[0]):
        return args[0]
    return None


def outside_traffic(document: Mapping[str, Any]) -> dict[str, int]:
    """Return the ``RunReport`` fields behind a document's ``traffic``: what its scenarios do not account for."""
    traffic, scenarios = document.get("traffic"), document.get("scenarios")
    if not isinstance(traffic, Mapping):
        return {}  # written before reports counted requests
    listed = scenarios if isinstance(scenarios, list) else []
    limited = sum(int(s.get("rate_limited") or 0) for s in listed if isinstance(s, Mapping))
    return {
        "requests_outside": int(traffic.get("outside_scenarios") or 0),
        "rate_limited_outside": max(0, int(traffic.get("rate_limited") or 0) - limited),
    }
