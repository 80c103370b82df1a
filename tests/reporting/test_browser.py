"""report.html in a real browser: headless Chromium renders the score and a failure with its curl line."""

import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from tests.reporting.samples import FIRST_CARD

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or (
    "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
)
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="headless Chromium not installed (Debian: apt-get install chromium; .ci/run does it)"
)


def chromium(tmp_path, *args, timeout=60):
    profile = tmp_path / f"chromium-profile-{time.monotonic_ns()}"
    command = [
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
        "--hide-scrollbars", f"--user-data-dir={profile}", *args,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout)


def test_report_renders_score_and_failure_in_chromium(broken_run, tmp_path):
    out, _ = broken_run
    page = (out / "report.html").resolve()
    dom = chromium(tmp_path, "--dump-dom", page.as_uri()).stdout
    assert 'data-ready="true"' in dom, "the filter script did not run"
    score = re.search(r'<strong id="score">(\d+)%</strong>', dom)
    assert score and 0 < int(score.group(1)) < 100
    assert "DOES NOT CONFORM" in dom
    failure = dom[dom.index(f'id="req-{FIRST_CARD.replace(".", "-")}"'):]
    assert "expected $.default_source = " in failure and "got None" in failure
    assert re.search(r'<pre class="curl">curl -sS http://127\.0\.0\.1:\d+/v1/customers/cus_\w+ ', failure)
    assert "$STRIPE_API_KEY" in failure and "sk_test_brokenrun1" not in dom


def test_filters_from_the_link_hide_other_rows(broken_run, tmp_path):
    out, _ = broken_run
    page = (out / "report.html").resolve().as_uri() + "#status=failed&area=default_source"
    dom = chromium(tmp_path, "--dump-dom", page).stdout
    rows = re.findall(r'<tr data-status="(\w+)" data-area="(\w+)"[^>]*?(hidden="")?>', dom)
    visible = {(status, area) for status, area, hidden in rows if not hidden}
    assert visible == {("failed", "default_source")}
    assert re.search(r'id="shown">\d+ of \d+ shown', dom)


def test_screenshot(broken_run, tmp_path):
    out, _ = broken_run
    shot = tmp_path / "report.png"
    chromium(tmp_path, f"--screenshot={shot}", "--window-size=1280,2000", (out / "report.html").resolve().as_uri())
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
