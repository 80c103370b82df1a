"""Merge the shard reports of one run into the report of the whole run.

Each shard's ``report.json`` carries its scenario outcomes and its selection (shard ``I/N``, ``-k``,
``-m``, fuzz budget, seed, and the requirement IDs of the whole selection). The merge refuses
reports of different targets, API versions, selections or shard counts, and duplicated shards; it
folds the union of the outcomes exactly as one unsharded run would (``aggregate``, root causes
included), keeps the first shard's setup record, re-applies the shards' expectations, and reports
every requirement only a missing shard would have covered as ``not_run``, the run's outcome then
``incomplete``.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from conformance.expectations import Expectations
from conformance.expectations.apply import apply_expectations
from conformance.expectations.model import Expectation
from conformance.reporting.aggregate import aggregate, root_causes
from conformance.reporting.json_report import outside_traffic
from conformance.reporting.model import RunReport, TargetInfo, TestOutcome
from conformance.reporting.not_run import NotRun, add_not_run
from conformance.requirements import load_catalogue
from conformance.selection import Shard
from conformance.selection.record import COMPARED_FIELDS, note_left_out

BUILTIN_TARGET = "reference"
"""The built-in reference server's target name: its URL differs between shards and is not compared."""


class MergeError(ValueError):
    """The reports cannot be merged (one clear line naming the report and the mismatch)."""


def merge_reports(documents: Sequence[tuple[Path, Mapping[str, Any]]]) -> RunReport:
    """Merge ``(path, report.json document)`` pairs of one sharded run into one report."""
    if not documents:
        raise MergeError("no report to merge")
    first_path, first = documents[0]
    shards: dict[int, Path] = {}
    count = _shard(first_path, first).count
    for path, document in documents:
        _same_run(first_path, first, path, document)
        shard = _shard(path, document)
        if shard.count != count:
            raise MergeError(f"{path}: shard {shard} is not one of {count} like {first_path}'s")
        if shard.index in shards:
            raise MergeError(f"{path}: shard {shard} is already given by {shards[shard.index]}")
        shards[shard.index] = path
    catalogue = load_catalogue()
    outcomes = [TestOutcome.from_dict(o) for _, d in documents for o in d.get("scenarios", [])]
    pending = [
        NotRun("", (str(r["id"]),), str(r.get("reason") or "not run"))
        for _, d in documents
        for r in d.get("requirements", [])
        if r.get("status") == "not_run"
    ]
    missing = [index for index in range(1, count + 1) if index not in shards]
    selected = {str(rid) for _, d in documents for rid in (d.get("selection") or {}).get("requirements", [])}
    if missing:
        names = ", ".join(f"{i}/{count}" for i in missing)
        pending.append(NotRun("", tuple(sorted(selected)), f"not run: shard(s) {names} missing from the merge"))
    results = add_not_run(aggregate(outcomes, catalogue), pending, catalogue)
    selection = {key: (first.get("selection") or {}).get(key) for key in COMPARED_FIELDS}
    selection |= {
        "shard": None,
        "requirements": sorted(selected),
        "shards_merged": [f"{i}/{count}" for i in sorted(shards)],
    }
    note_left_out(selection, (requirement.id for requirement in catalogue))
    target = first.get("target") or {}
    outsides = [outside_traffic(document) for _, document in documents]  # the scenarios' own merge with them
    report = RunReport(
        tool_version=str((first.get("tool") or {}).get("version", "")),
        target=TargetInfo(str(target.get("url", "")), str(target.get("stripe_version", "")),
                          str(target.get("name", "custom"))),
        started=min(str(d.get("started", "")) for _, d in documents),
        finished=max(str(d.get("finished", "")) for _, d in documents),
        requirements=results,
        errors=tuple(dict.fromkeys(str(e) for _, d in documents for e in d.get("errors", []))),
        setup=next((dict(d["setup"]) for _, d in documents if isinstance(d.get("setup"), Mapping)), None),
        root_causes=root_causes(outcomes, results),
        outcome="incomplete" if missing else _worst_outcome(documents),
        selection=selection,
        teardown_failures=tuple(f for _, d in documents for f in d.get("teardown_failures", [])),
        scenarios=tuple(outcomes),
        strict=bool(first.get("strict")),
        requests_outside=sum(outside.get("requests_outside", 0) for outside in outsides),
        rate_limited_outside=sum(outside.get("rate_limited_outside", 0) for outside in outsides),
    )
    return apply_expectations(report, _expectations(documents))


def _shard(path: Path, document: Mapping[str, Any]) -> Shard:
    spec = (document.get("selection") or {}).get("shard")
    if not spec:
        raise MergeError(f"{path}: not a shard report (its selection has no shard: run with --shard I/N)")
    if "scenarios" not in document:
        raise MergeError(f"{path}: the report has no scenario outcomes to merge (written by an older version)")
    try:
        return Shard.parse(str(spec))
    except ValueError as exc:
        raise MergeError(f"{path}: {exc}") from None


def _same_run(first_path: Path, first: Mapping[str, Any], path: Path, document: Mapping[str, Any]) -> None:
    def where(doc: Mapping[str, Any]) -> tuple[str, str, str]:
        target = doc.get("target") or {}
        name = str(target.get("name"))
        # Each shard starts its own built-in reference server, on a port of its own.
        url = "(built-in)" if name == BUILTIN_TARGET else str(target.get("url"))
        return url, name, str(target.get("stripe_version"))

    if where(document) != where(first):
        url, name, version = where(document)
        raise MergeError(
            f"{path}: target {name} {url} (Stripe-Version {version}) differs from {first_path}'s "
            f"{where(first)[1]} {where(first)[0]} (Stripe-Version {where(first)[2]})"
        )
    ours_strict, theirs_strict = bool(document.get("strict")), bool(first.get("strict"))
    if ours_strict != theirs_strict:
        flags = {True: "--strict", False: "not --strict"}
        raise MergeError(f"{path}: {flags[ours_strict]} differs from {first_path}'s {flags[theirs_strict]}")
    ours, theirs = document.get("selection") or {}, first.get("selection") or {}
    for key in COMPARED_FIELDS:
        if ours.get(key) != theirs.get(key):
            raise MergeError(f"{path}: {key} {ours.get(key)!r} differs from {first_path}'s {theirs.get(key)!r}")


_OUTCOME_ORDER = ("terminated", "interrupted", "max_failures", "deadline", "completed")


def _worst_outcome(documents: Sequence[tuple[Path, Mapping[str, Any]]]) -> str:
    found = {str(d.get("outcome") or "completed") for _, d in documents}
    return next((o for o in _OUTCOME_ORDER if o in found), "completed")


def _expectations(documents: Sequence[tuple[Path, Mapping[str, Any]]]) -> Expectations:
    """The expectations the shards applied, rebuilt from their results' records."""
    entries: dict[str, Expectation] = {}
    for _, document in documents:
        for result in document.get("requirements", []):
            record = result.get("expectation")
            if isinstance(record, Mapping):
                entries[str(result["id"])] = _expectation(str(result["id"]), record)
    origins = tuple(dict.fromkeys(str(o) for _, d in documents for o in d.get("expectations", [])))
    return Expectations(tuple(entries.values()), origins)


def _expectation(requirement_id: str, record: Mapping[str, Any]) -> Expectation:
    expires = record.get("expires")
    return Expectation(
        requirement_id=requirement_id,
        expected=tuple(str(e) for e in record.get("expected", ())),
        reason=str(record.get("reason", "")),
        link=record.get("link"),
        expires=datetime.date.fromisoformat(expires) if isinstance(expires, str) else None,
        origin=str(record.get("origin", "expectations")),
    )

