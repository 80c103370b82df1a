"""The README is a front door: short, and every page it sends readers to exists."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MOVED = ("configuration", "fuzzing", "recording-and-replay", "expectations-and-profiles", "reports",
         "reliability-and-cleanup", "parallel-runs")


def _links(page: Path) -> list[str]:
    return [link for link in re.findall(r"\]\(([^)#\s]+)[^)]*\)", page.read_text()) if "://" not in link]


def test_readme_is_short_and_links_every_moved_section():
    readme = ROOT / "README.md"
    assert len(readme.read_text().splitlines()) <= 150
    links = set(_links(readme))
    assert {f"docs/{name}.md" for name in MOVED} <= links


def test_the_newcomer_commands_are_in_the_readme_and_ci_runs_the_test_command():
    text = (ROOT / "README.md").read_text()
    assert "python3 -m venv .venv && . .venv/bin/activate && pip install . && stripe-conformance run" in text
    assert "python -m pytest -q -n 2" in text and "python -m pytest -q -n 2" in (ROOT / ".ci" / "run").read_text()


def test_no_link_of_the_readme_or_docs_is_broken():
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for link in _links(page):
            assert (page.parent / link).exists(), f"{page.relative_to(ROOT)} links to missing {link}"
