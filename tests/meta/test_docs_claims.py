"""The user-facing pages state what the code does: defaults, limits, exit codes, commands, outcomes, counts.

Each number or name a page states is compared with the one place that declares it, so that a changed
default, a new exit code or command, or a grown fuzzing surface fails here until the page says so.
The options table itself is checked in ``tests/unit/test_settings.py`` (the page embeds it generated).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import click
import pytest

from conformance import exit_codes
from conformance.cli import COMMANDS
from conformance.fuzz.budget import MACHINE_PARTS, SCENARIOS_PER_EXAMPLE, STATEFUL_STEPS
from conformance.fuzz.surface import load_surface, operations
from conformance.http.bounded_json import MAX_JSON_DEPTH
from conformance.http.ratelimit import DEFAULT_CONCURRENCY, DEFAULT_REMOTE_RATE
from conformance.http.redaction import FRAGMENT
from conformance.http.retry import RetryPolicy
from conformance.http.transport import MAX_BODY_BYTES
from conformance.plugin.progress import PLAIN_EVERY
from conformance.plugin.run_end import TEARDOWN_MIN_BUDGET
from conformance.recording.modes import DEFAULT_RECORD_MODE
from conformance.reference.asgi import MAX_BODY_BYTES as SERVER_MAX_BODY_BYTES
from conformance.reference.store import DEFAULT_MAX_IDEMPOTENCY_RECORDS, DEFAULT_MAX_OBJECTS
from conformance.reporting.model import RUN_OUTCOMES, STATUSES
from conformance.requirements import load_catalogue
from conformance.settings import BY_NAME, OPTIONS, PYTEST, load_config_file
from conformance.settings.options import DEFAULT_EXAMPLES, DEFAULT_LIMITED_EXAMPLES
from conformance.targets.ledger import BREAKER_FAILURES, BREAKER_PROBE_EVERY
from conformance.targets.profile import load_profile

ROOT = Path(__file__).resolve().parents[2]
MB = 1024 * 1024
RELIABILITY = "docs/reliability-and-cleanup.md"
FUZZING = "docs/fuzzing.md"
EXIT_CODES = {value for name, value in vars(exit_codes).items() if name.startswith("EXIT_")}


def _page(name: str) -> str:
    return (ROOT / name).read_text(encoding="utf-8")


WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10}


def _value(text: str) -> object:
    """A stated value as a number when it is one (``20,000``, ``20000.0`` and ``three`` alike), else the text."""
    if text.lower() in WORDS:
        return float(WORDS[text.lower()])
    try:
        return float(text.replace(",", ""))
    except ValueError:
        return text


def _surface_links() -> int:
    return sum(
        len(response.get("links", {}))
        for item in load_surface()["paths"].values()
        for method in ("get", "post", "delete")
        for response in item.get(method, {}).get("responses", {}).values()
    )


# (page, pattern whose groups are the stated values, the declared values in the same order)
CLAIMS: list[tuple[str, str, Callable[[], tuple[object, ...]]]] = [
    ("README.md", r"writes its reports into `([^`]+)/`", lambda: (str(BY_NAME["report_dir"].cli_default),)),
    ("docs/configuration.md", r"writes its reports to `([^`]+)/`", lambda: (str(BY_NAME["report_dir"].cli_default),)),
    (FUZZING, r"hand-written scenarios \+ fuzzing \(budget (\d+), or (\d+) when rate-limited\)",
     lambda: (DEFAULT_EXAMPLES, DEFAULT_LIMITED_EXAMPLES)),
    (FUZZING, r"`(\d+)N` scenarios of up to (\d+) linked calls", lambda: (SCENARIOS_PER_EXAMPLE, STATEFUL_STEPS)),
    (FUZZING, r"split into up to (\d+) parts", lambda: (MACHINE_PARTS,)),
    (FUZZING, r"\((\d+) operations:", lambda: (len(operations(load_surface())),)),
    (FUZZING, r"(\d+) OpenAPI links chain the calls", lambda: (_surface_links(),)),
    ("docs/recording-and-replay.md", r"`(\w+)` \(default:", lambda: (DEFAULT_RECORD_MODE,)),
    ("docs/ci.md", r"rate limited to (\d+) requests per second", lambda: (DEFAULT_REMOTE_RATE,)),
    ("docs/parallel-runs.md", r"and `--concurrency` is not, (\w+) scenarios are in flight",
     lambda: (DEFAULT_CONCURRENCY,)),
    (RELIABILITY, r"\(default (\d+); none on loopback\)", lambda: (DEFAULT_REMOTE_RATE,)),
    (RELIABILITY, r"Bodies are read up to (\d+) MB", lambda: (MAX_BODY_BYTES / MB,)),
    (RELIABILITY, r"backoff with jitter \(([\d.]+) s, .*?capped at (\d+) s\)",
     lambda: (RetryPolicy().initial_delay, RetryPolicy().max_delay)),
    (RELIABILITY, r"\(more than (\d+) s: the request gives up", lambda: (RetryPolicy().max_retry_after,)),
    (RELIABILITY, r"nesting limit of (\d+) levels", lambda: (MAX_JSON_DEPTH,)),
    (RELIABILITY, r"deeper than (\d+) levels", lambda: (MAX_JSON_DEPTH,)),
    (RELIABILITY, r"refuses a request body over (\d+) MB", lambda: (SERVER_MAX_BODY_BYTES / MB,)),
    (RELIABILITY, r"`--max-objects` live objects \(default ([\d,]+)\)", lambda: (DEFAULT_MAX_OBJECTS,)),
    (RELIABILITY, r"kept for the ([\d,]+) most recent", lambda: (DEFAULT_MAX_IDEMPOTENCY_RECORDS,)),
    (RELIABILITY, r"after (\d+) failures in a row only one in (\w+) is",
     lambda: (BREAKER_FAILURES, BREAKER_PROBE_EVERY)),
    (RELIABILITY, r"`--deadline` \(at least (\d+) s\)", lambda: (TEARDOWN_MIN_BUDGET,)),
    (RELIABILITY, r"any (\d+)-character piece of it", lambda: (FRAGMENT,)),
    ("README.md", r"in a CI log a plain\s+line every (\w+) scenarios", lambda: (PLAIN_EVERY,)),
]


@pytest.mark.parametrize(("page", "pattern", "declared"), CLAIMS, ids=[f"{c[0]}:{c[1][:30]}" for c in CLAIMS])
def test_a_stated_default_or_limit_is_the_declared_one(
    page: str, pattern: str, declared: Callable[[], tuple[object, ...]]
) -> None:
    found = re.findall(pattern, " ".join(_page(page).split()))
    assert found, f"{page} no longer states {pattern!r}: update the claim here or the page"
    expected = tuple(_value(str(v)) for v in declared())
    for stated in found:
        stated = stated if isinstance(stated, tuple) else (stated,)
        assert tuple(_value(s) for s in stated) == expected, f"{page} states {stated}, the code declares {expected}"


def _table_codes(text: str) -> set[int]:
    return {int(code) for cell in re.findall(r"^\s*\| ([\d, ]+) \|", text, re.M) for code in cell.split(",")}


def test_the_exit_code_tables_list_every_exit_code() -> None:
    readme = _page("README.md")
    section = readme[readme.index("## Exit codes"):readme.index("## Reports")]
    assert _table_codes(section) == EXIT_CODES
    assert _table_codes(_page("docs/ci.md")) == EXIT_CODES
    for code in EXIT_CODES:
        assert re.search(rf"(: |; ){code} ", exit_codes.RUN_EXIT_CODES_HELP), f"run --help leaves out exit {code}"


def test_the_readme_names_every_command() -> None:
    readme = _page("README.md")
    missing = [name for name, _ in COMMANDS if f"`{name}" not in readme and f"stripe-conformance {name}" not in readme]
    assert missing == []


def test_the_reports_page_names_every_run_outcome_and_status() -> None:
    page = _page("docs/reports.md")
    assert [o for o in RUN_OUTCOMES if f"`{o}`" not in page] == []
    assert [s for s in STATUSES if f"| `{s}` |" not in page] == []


def test_the_sample_config_file_is_accepted(tmp_path: Path) -> None:
    page = _page("docs/configuration.md")
    sample = re.search(r"```toml\n(.*?)```", page[page.index("## The config file"):], re.S)
    assert sample is not None
    (tmp_path / "pyproject.toml").write_text(sample.group(1), encoding="utf-8")
    keys = set(re.findall(r"^([\w-]+) =", sample.group(1), re.M))
    loaded = load_config_file(tmp_path)
    assert keys and {key.replace("-", "_") for key in keys} == set(loaded)


def _pins() -> dict[str, str]:
    """The peers' versions as their installers pin them (pip requirements, npm lockfile)."""
    pip = re.search(r"^localstripe==(\S+)$", _page("peers/localstripe/requirements.txt"), re.M)
    npm = json.loads(_page("peers/stateful-mock/package-lock.json"))["packages"][""]["dependencies"]
    assert pip is not None
    return {"localstripe": pip.group(1), "stripe-stateful-mock": npm["stripe-stateful-mock"]}


def test_the_peers_page_names_the_pinned_versions_and_the_unclaimed_features() -> None:
    page = _page("docs/peers.md")
    for name, pinned in _pins().items():
        profile = load_profile(name)
        assert profile.peer is not None and profile.peer.version == pinned, f"{name}: profile and installer disagree"
        unclaimed = ", ".join(f"`{f}`" for f in sorted(profile.unclaimed)) or "none"
        row = f"| {name} | {profile.peer.package} {pinned} ({profile.peer.registry}) | "
        assert row in page and f"| {unclaimed} |" in page.split(row, 1)[1].splitlines()[0], (
            f"docs/peers.md is stale for {name}: run `python peers/run_peer.py --refresh`")


# Flags of other programs a page may name, and the file that must still define each.
OTHER_FLAGS = {
    "--help": None, "--pyargs": None, "--log-file": None,  # click's and pytest's own
    "--quick": "benchmarks/run.py", "--budgets": "benchmarks/detection.py", "--refresh": "peers/run_peer.py",
}


def _command_flags() -> set[str]:
    from conformance.cli import cli

    flags: set[str] = set()
    commands: list[click.Command] = [cli]
    while commands:
        command = commands.pop()
        flags |= {spelled for param in command.params for spelled in (*param.opts, *param.secondary_opts)}
        if isinstance(command, click.Group):
            commands += [c for name in command.list_commands(click.Context(command))
                         if (c := command.get_command(click.Context(command), name)) is not None]
    return flags | {option.pytest_flag for option in OPTIONS if PYTEST in option.front_ends}


def test_every_flag_a_page_names_exists() -> None:
    known = _command_flags()
    for owner in filter(None, OTHER_FLAGS.values()):
        assert (ROOT / owner).exists()
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        named = set(re.findall(r"(?<![\w-])(--[a-z][\w-]*[a-z])", page.read_text(encoding="utf-8"))) - {"--stripe"}
        unknown = sorted(f for f in named if f not in known and f not in OTHER_FLAGS)
        assert unknown == [], f"{page.name} names flags no command has: {unknown}"
        for flag in named & OTHER_FLAGS.keys():
            owner = OTHER_FLAGS[flag]
            assert owner is None or f'"{flag}"' in _page(owner), f"{page.name}: {owner} no longer takes {flag}"


FILE_SUFFIXES = (".py", ".md", ".json", ".jsonl", ".toml", ".yaml", ".yml", ".txt", ".xml", ".html")


def test_every_requirement_id_a_page_names_is_in_the_catalogue() -> None:
    ids = {requirement.id for requirement in load_catalogue()}
    prefixes = {i.split(".")[0] for i in ids}
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        named = set(re.findall(r"`([a-z_]+\.[a-z0-9_.-]*[a-z0-9])`", page.read_text(encoding="utf-8")))
        claimed = {n for n in named if n.split(".")[0] in prefixes and not n.endswith(FILE_SUFFIXES)}
        unknown = sorted(claimed - ids)
        assert unknown == [], f"{page.name} names requirements the catalogue lacks: {unknown}"
