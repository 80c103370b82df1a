"""``report.json``: the versioned, machine-readable contract of a run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from conformance.reporting.model import RunReport

REPORT_SCHEMA_VERSION = 1
TOOL_NAME = "stripe-conformance"


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
        "root_causes": [cause.to_dict() for cause in report.root_causes],
        "summary": report.summary,
        "errors": list(report.errors),
        "requirements": [result.to_dict() for result in report.requirements],
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
