"""Write the expectations that would make a given run pass (adopting the gate on an existing target)."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

_MAX_REASON = 200


def expectations_toml(report: Mapping[str, Any], *, source: str = "report.json") -> str:
    """Return an expectations file (TOML) that accepts every failure of ``report`` (a ``report.json`` dict).

    Failed and errored requirements get ``expected = "fail"`` with the first failure as the reason;
    entries the run already applied and that held (``xfailed``, or an accepted intermittent pass)
    are carried over as they were; an entry that no longer holds (an unexpected pass) is dropped.
    """
    target = report.get("target", {})
    lines = [
        f"# Expectations adopted from {source}: {target.get('name', 'custom')} {target.get('url', '')}".rstrip(),
        f"# run started {report.get('started', '?')}; every entry below is a known deviation of that target.",
        "# Give each a real reason and a link to the issue that tracks it; consider an expiry date.",
        "",
    ]
    count = 0
    for requirement in report.get("requirements", []):
        entry = _entry(requirement)
        if entry is None:
            continue
        count += 1
        lines.append(f"[expectations.{_toml_string(requirement['id'])}]")
        area, level = requirement.get("area", "?"), requirement.get("level", "?")
        lines.append(f"# {area}, {level}: {requirement.get('title', '')}")
        for key, value in entry.items():
            if value is None:
                continue
            bare = key == "expires" and isinstance(value, str) and _is_iso_date(value)
            lines.append(f"{key} = {value if bare else _toml_value(value)}")
        if entry.get("link") is None:
            lines.append('# link = "https://..."')
        lines.append("")
    if not count:
        lines.append("# The run had no failures: nothing to expect.")
        lines.append("[expectations]")
        lines.append("")
    return "\n".join(lines)


def _entry(requirement: Mapping[str, Any]) -> dict[str, object] | None:
    status = requirement.get("status")
    applied = requirement.get("expectation")
    if applied is not None and status != "failed":
        held = applied.get("expected", ["fail"])
        return {
            "expected": held[0] if len(held) == 1 else list(held),
            "reason": applied.get("reason") or "known deviation",
            "link": applied.get("link"),
            "expires": applied.get("expires"),
        }
    if status not in ("failed", "error") or (applied is not None and applied.get("observed") == "passed"):
        return None
    failures = requirement.get("failures") or []
    observed = str(failures[0].get("message")) if failures else str(requirement.get("reason") or status)
    observed = " ".join(observed.split())
    if len(observed) > _MAX_REASON:
        observed = observed[: _MAX_REASON - 3] + "..."
    return {"expected": "fail", "reason": f"observed {status}: {observed}", "link": None, "expires": None}


def _toml_value(value: object) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return _toml_string(str(value))


def _is_iso_date(text: str) -> bool:
    try:
        datetime.date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10


def _toml_string(text: str) -> str:
    """Return ``text`` as a TOML basic string, escaping quotes, backslashes and control characters."""
    out = ['"']
    for char in text:
        if char in ('"', "\\"):
            out.append("\\" + char)
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)
