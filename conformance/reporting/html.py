"""``report.html``: one self-contained page a person reads to see how conformant a target is, and why not.

Rendered with Jinja2 from the ``report.json`` document (so a report can be re-rendered from its
JSON). No external resource is referenced: styles and the filter script are inline.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote_plus

from conformance.http import bounded_json
from conformance.reporting.citations import doc_links
from conformance.reporting.counting import Counts
from conformance.reporting.json_report import report_to_dict
from conformance.reporting.model import NOT_ASSESSED_STATUSES, STATUSES, RunReport, is_finding, is_warning
from conformance.reporting.run_notes import document_notes
from conformance.reporting.score import assessed, percent, score

if TYPE_CHECKING:
    import jinja2

_LOG = logging.getLogger(__name__)
_BODY_LIMIT = 20_000


def template_environment() -> jinja2.Environment:
    """Return the Jinja2 environment over the package's templates (HTML autoescaped).

    Compiled templates are kept in Jinja's per-user bytecode cache (keyed by the template source),
    so a run does not compile the report template again (≈ 20 ms of CPU, benchmarks/RESULTS.md).
    Jinja2 is imported here, when a page is rendered, not when the plugin loads.
    """
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("conformance.reporting", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        bytecode_cache=_bytecode_cache(),
    )


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    """Jinja's default cache directory (private to the user, in the temp directory), or none if unusable.

    A failed write to it costs a compile next time, never the report.
    """
    import jinja2

    class BestEffortBytecodeCache(jinja2.FileSystemBytecodeCache):
        def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
            try:
                super().dump_bytecode(bucket)
            except OSError as exc:
                _LOG.debug("template bytecode cache not written: %s", exc)

    try:
        return BestEffortBytecodeCache()
    except (OSError, RuntimeError) as exc:  # RuntimeError: Jinja found no safe directory
        _LOG.debug("no template bytecode cache: %s", exc)
        return None


def render_html(report: Mapping[str, Any]) -> str:
    """Render a ``report.json`` document as the HTML report."""
    return template_environment().get_template("report.html.j2").render(view=html_view(report))


def write_html_report(report: RunReport, directory: Path) -> Path:
    """Write ``report.html`` into ``directory`` and return its path."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "report.html"
    path.write_text(render_html(report_to_dict(report)), encoding="utf-8")
    return path


def html_view(report: Mapping[str, Any]) -> dict[str, Any]:
    """Return the template's view of a report: scores, areas, rows and failure evidence."""
    requirements = list(report.get("requirements", []))
    counts = {s: 0 for s in STATUSES}
    areas: dict[str, dict[str, int]] = {}
    for requirement in requirements:
        counts[requirement["status"]] = counts.get(requirement["status"], 0) + 1
        area = areas.setdefault(requirement["area"], {s: 0 for s in STATUSES})
        area[requirement["status"]] = area.get(requirement["status"], 0) + 1
    overall = score(counts)
    strict = bool(report.get("strict"))
    return {
        "report": report,
        "target": report.get("target", {}),
        "tool": report.get("tool", {}),
        "conforms": bool(report.get("conforms")),
        "verdict": str(report.get("verdict") or ("CONFORMS" if report.get("conforms") else "DOES NOT CONFORM")),
        "run_notes": document_notes(report),
        "strict": strict,
        "warnings": [_row_view(r) for r in requirements if is_warning(r)],
        "statuses": STATUSES,
        "counts": counts,
        "total": len(requirements),
        "assessed": assessed(counts),
        "unassessed": sum(counts[s] for s in NOT_ASSESSED_STATUSES),
        "root_causes": [_cause_view(c) for c in report.get("root_causes") or []],
        "not_assessed": Counts(counts).not_assessed,
        "not_assessed_text": Counts(counts).not_assessed_text(),
        "score": overall,
        "score_text": percent(overall),
        "score_degrees": round((overall or 0) * 360, 1),
        "areas": [_area_view(name, area_counts) for name, area_counts in areas.items()],
        "rows": [_row_view(r) for r in requirements],
        "failing": [_row_view(r) for r in requirements if is_finding(r, strict)],
        "xfailed": [_row_view(r) for r in requirements if r["status"] == "xfailed"],
        "errors": list(report.get("errors", [])),
        "expectations": list(report.get("expectations", [])),
    }


def _area_view(name: str, counts: Mapping[str, int]) -> dict[str, Any]:
    total = sum(counts.values())
    value = score(counts)
    return {
        "name": name,
        "counts": dict(counts),
        "total": total,
        "assessed": assessed(counts),
        "unassessed": sum(counts.get(s, 0) for s in NOT_ASSESSED_STATUSES),
        "not_assessed": Counts(counts).not_assessed,
        "not_assessed_text": Counts(counts).not_assessed_text(),
        "score_text": percent(value),
        "segments": [
            {"status": s, "count": counts.get(s, 0), "width": round(100 * counts.get(s, 0) / total, 2)}
            for s in ("passed", "xfailed", "failed", "error", *NOT_ASSESSED_STATUSES)
            if counts.get(s, 0)
        ],
    }


def _row_view(requirement: Mapping[str, Any]) -> dict[str, Any]:
    failures = [_failure_view(f) for f in requirement.get("failures") or []]
    return {
        "id": requirement["id"],
        "anchor": "req-" + requirement["id"].replace(".", "-"),
        "area": requirement["area"],
        "level": requirement["level"],
        "evidence": list(requirement.get("evidence") or []),
        "title": requirement["title"],
        "source": requirement["source"],
        "links": doc_links(requirement["source"]),
        "status": requirement["status"],
        "observations": requirement.get("observations", 0),
        "blocked_by": requirement.get("blocked_by"),
        "reason": requirement.get("reason"),
        "tests": list(requirement.get("tests") or []),
        "duration": requirement.get("duration", 0),
        "failures": failures,
        "summary": failures[0]["message"] if failures else (requirement.get("reason") or ""),
        "expectation": requirement.get("expectation"),
    }


def _cause_view(cause: Mapping[str, Any]) -> dict[str, Any]:
    evidence = cause.get("evidence")
    return {
        "id": cause.get("id", "?"),
        "kind": cause.get("kind", "blocked"),
        "reason": cause.get("reason", ""),
        "requirements": list(cause.get("requirements") or []),
        "curl": evidence.get("curl") if isinstance(evidence, Mapping) else None,
    }


def _failure_view(failure: Mapping[str, Any]) -> dict[str, Any]:
    request, response = failure.get("request"), failure.get("response")
    return {
        "kind": failure.get("kind", "failure"),
        "title": failure.get("title") or "Requirement violated",
        "message": failure.get("message", ""),
        "json_path": failure.get("json_path"),
        "curl": failure.get("curl"),
        "test": failure.get("test"),
        "request": _request_view(request) if isinstance(request, Mapping) else None,
        "response": _response_view(response) if isinstance(response, Mapping) else None,
    }


def _request_view(request: Mapping[str, Any]) -> dict[str, Any]:
    body = str(request.get("body") or "")
    form = [tuple(pair.split("=", 1)) if "=" in pair else (pair, "") for pair in body.split("&") if pair]
    return {
        "line": f"{request.get('method', '?')} {request.get('url', '')}",
        "headers": _header_lines(request.get("headers")),
        "body": "\n".join(f"{unquote_plus(k)} = {unquote_plus(v)}" for k, v in form) if form else "",
    }


def _response_view(response: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "status": response.get("status"),
        "headers": _header_lines(response.get("headers")),
        "body": _pretty_body(str(response.get("body") or "")),
    }


def _header_lines(headers: object) -> str:
    if not isinstance(headers, Mapping):
        return ""
    return "\n".join(f"{name}: {value}" for name, value in headers.items())


def _pretty_body(body: str) -> str:
    try:
        text = json.dumps(bounded_json.loads(body), indent=2, ensure_ascii=False)
    except ValueError:  # not JSON, or nested too deep to indent: shown as it came
        text = body
    return text if len(text) <= _BODY_LIMIT else text[:_BODY_LIMIT] + "\n… (truncated)"

