"""Traceability of the catalogue: every citation is known, every MUST is covered, the index is fresh."""

import importlib.util
import os
import subprocess
import sys
import tomllib
from collections import Counter
from importlib import resources
from pathlib import Path

import pytest

import conformance
from conformance.requirements import CatalogueError, load_catalogue
from conformance.requirements.catalogue import parse_catalogue
from conformance.requirements.index import render_index, scan_scenarios
from conformance.suite.cite import requires

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = Path(conformance.__file__).resolve().parent
INDEX = ROOT / "docs" / "requirements-index.md"


@pytest.fixture(scope="module")
def scenarios():
    found = scan_scenarios(PACKAGE)
    assert found, "no scenario found under conformance/suite"
    return found


def test_citing_an_unknown_id_fails_when_the_module_is_imported(tmp_path):
    with pytest.raises(LookupError, match=r"card\.no-such\.requirement"):
        requires("card.create.returns-card", "card.no-such.requirement")
    module = tmp_path / "test_cites_unknown.py"
    module.write_text(
        "from conformance.suite.cite import requires\n\n"
        "@requires('card.no-such.requirement')\n"
        "def test_x():\n    pass\n"
    )
    spec = importlib.util.spec_from_file_location("test_cites_unknown", module)
    assert spec is not None and spec.loader is not None
    with pytest.raises(LookupError, match="unknown requirement"):
        spec.loader.exec_module(importlib.util.module_from_spec(spec))


def test_a_scenario_citing_an_unknown_id_is_a_collection_error(tmp_path):
    (tmp_path / "test_bad_citation.py").write_text(
        "from conformance.suite.cite import requires\n\n"
        "@requires('card.no-such.requirement')\n"
        "def test_x():\n    pass\n"
    )
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", str(tmp_path), str(tmp_path)],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
        env={**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"},
    )
    assert result.returncode == 2, result.stdout
    assert "unknown requirement id(s): card.no-such.requirement" in result.stdout


def test_shipped_catalogue_has_no_duplicate_ids():
    text = resources.files("conformance.requirements").joinpath("catalogue.toml").read_text("utf-8")
    ids = [entry["id"] for entry in tomllib.loads(text)["requirement"]]
    assert [rid for rid, n in Counter(ids).items() if n > 1] == []
    first = text[text.index("[[requirement]]"):].split("[[requirement]]")[1]
    with pytest.raises(CatalogueError, match="duplicate requirement id"):
        parse_catalogue(text + "\n[[requirement]]" + first)


def test_every_scenario_cites_known_requirements(scenarios):
    catalogue = load_catalogue()
    uncited = [s.test for s in scenarios if not s.cited]
    unknown = {s.test: [r for r in s.cited if r not in catalogue] for s in scenarios}
    assert uncited == []
    assert {test: ids for test, ids in unknown.items() if ids} == {}


def test_checks_name_only_requirements_their_scenario_cites(scenarios):
    stray = {s.test: sorted(set(s.checked) - set(s.cited)) for s in scenarios}
    assert {test: ids for test, ids in stray.items() if ids} == {}


def test_every_must_has_a_scenario_or_a_written_reason(scenarios):
    cited = {rid for s in scenarios for rid in s.cited}
    catalogue = load_catalogue()
    missing = [r.id for r in catalogue if r.level == "MUST" and r.id not in cited and not r.untested]
    assert missing == [], "MUST requirements with neither a scenario nor an `untested` reason"
    both = [r.id for r in catalogue if r.untested and r.id in cited]
    assert both == [], "requirements marked untested but cited by a scenario"


def test_committed_index_is_fresh(scenarios):
    expected = render_index(load_catalogue(), scenarios)
    assert INDEX.exists(), "docs/requirements-index.md is missing"
    assert INDEX.read_text(encoding="utf-8") == expected, (
        "docs/requirements-index.md is stale: run "
        "`stripe-conformance requirements --index --output docs/requirements-index.md`"
    )


def test_cli_prints_the_same_index(scenarios):
    result = subprocess.run(
        [sys.executable, "-m", "conformance", "requirements", "--index"],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == render_index(load_catalogue(), scenarios)
