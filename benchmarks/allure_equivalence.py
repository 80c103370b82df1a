"""Compare two ``allure-results`` directories as Allure shows them: ``python -m benchmarks.allure_equivalence A B``.

Per test (keyed by full name and parameters): its result (name, status, details, steps, labels,
links, parameters, each attachment's content) and the set-ups and tear-downs that the containers
naming it give it, whichever container file they come in. Values that differ between two runs of
one seed are blanked first: uuids, times, the host and thread labels, object ids, idempotency keys,
loopback ports, ``Date`` headers. Also counts the files of each kind and the containers that name no
test. A writer change that keeps what the report shows prints ``equivalent: yes``.
"""

from __future__ import annotations

import argparse
import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_TIMES_AND_IDS = frozenset({"uuid", "start", "stop", "historyId"})
_RUN_LABELS = frozenset({"host", "thread"})
_VARYING = re.compile(
    r"\b(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[a-z]+_[A-Za-z0-9]{8,}|[0-9a-f]{12,}"
    r"|sc-[0-9a-f]{12,}(?:-\d+)?|1[0-9]{9}|[A-Z0-9]{8})\b|127\.0\.0\.1:[0-9]+|[0-9]+\.[0-9]+ ?(?:s|ms)\b"
)
_DATE = re.compile(r"[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT")
RUN_FILES = ("environment.properties", "categories.json", "executor.json")
MISSING = "(no such attachment file)"


@dataclass
class AllureView:
    """What Allure would show from one results directory, run-to-run noise blanked."""

    results: dict[tuple[str, str], Any]
    fixtures: dict[tuple[str, str], dict[str, list[str]]]
    files: Counter[str]
    childless: int
    run_files: dict[str, str]


def _blank(text: str) -> str:
    return _DATE.sub("<date>", _VARYING.sub("<v>", text))


def _clean(value: Any, root: Path) -> Any:
    if isinstance(value, dict):
        out = {k: _clean(v, root) for k, v in value.items() if k not in _TIMES_AND_IDS}
        if "source" in value and "name" in value:  # an attachment: its content, not its file name
            path = root / value["source"]
            out["source"] = path.read_text(encoding="utf-8") if path.is_file() else MISSING
        return out
    if isinstance(value, list):
        return [_clean(v, root) for v in value]
    return value


def _kind(name: str) -> str:
    for kind in ("result", "container"):
        if name.endswith(f"-{kind}.json"):
            return kind
    return "attachment" if "-attachment" in name else "run file"


def view(root: Path) -> AllureView:
    """Read ``root`` into what Allure shows per test."""
    results: dict[tuple[str, str], Any] = {}
    by_uuid: dict[str, tuple[str, str]] = {}
    for path in root.glob("*-result.json"):
        result = json.loads(path.read_text(encoding="utf-8"))
        result["labels"] = [label for label in result.get("labels", []) if label["name"] not in _RUN_LABELS]
        key = (result["fullName"], json.dumps(result.get("parameters", []), sort_keys=True))
        results[key] = json.loads(_blank(json.dumps(_clean(result, root))))
        by_uuid[result["uuid"]] = key
    fixtures: dict[tuple[str, str], dict[str, list[str]]] = {key: {"befores": [], "afters": []} for key in results}
    childless = 0
    for path in root.glob("*-container.json"):
        container = json.loads(path.read_text(encoding="utf-8"))
        children = [by_uuid[child] for child in container.get("children", []) if child in by_uuid]
        childless += not children
        for key in children:
            for side in ("befores", "afters"):
                fixtures[key][side] += [json.dumps(_clean(f, root), sort_keys=True) for f in container.get(side, [])]
    for shown in fixtures.values():
        for side in shown.values():
            side.sort()
    files = Counter(_kind(path.name) for path in root.iterdir())
    run_files = {name: _blank((root / name).read_text()) for name in RUN_FILES if (root / name).is_file()}
    return AllureView(results, fixtures, files, childless, run_files)


def _missing(found: AllureView) -> int:
    return json.dumps(list(found.results.values())).count(MISSING)


def main(argv: list[str] | None = None) -> int:
    """Print the comparison; exit 0 when equivalent, 1 otherwise."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.allure_equivalence", description=__doc__.splitlines()[0]
    )
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    options = parser.parse_args(argv)
    before, after = view(options.before), view(options.after)
    differing = sorted(
        key for key in before.results.keys() | after.results.keys() if before.results.get(key) != after.results.get(key)
    )
    fixtures_differ = sorted(
        key
        for key in before.fixtures.keys() | after.fixtures.keys()
        if before.fixtures.get(key) != after.fixtures.get(key)
    )
    print(f"tests: {len(before.results)} -> {len(after.results)}; results differing: {len(differing)}")
    print(f"tests shown other fixtures: {len(fixtures_differ)}")
    print(f"run files equal: {before.run_files == after.run_files}")
    print(f"files: {dict(before.files)} -> {dict(after.files)}")
    print(f"containers naming no test: {before.childless} -> {after.childless}")
    print(f"attachments pointing at no file: {_missing(before)} -> {_missing(after)}")
    for key in differing[:3] + fixtures_differ[:3]:
        print(f"  differs: {key[0]} {key[1]}")
    same = not differing and not fixtures_differ and before.run_files == after.run_files
    print(f"equivalent: {'yes' if same else 'no'}")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
