"""The run contract end to end: exit codes, reports, and the guard rails before any connection."""

import json
import socket
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

import pytest

from conformance.reference import ReferenceServer

CLI = [sys.executable, "-m", "conformance"]


def run_cli(*args, env=None, timeout=120):
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=timeout, env=env)


def test_run_against_builtin_reference_writes_reports(tmp_path, report_validator):
    result = run_cli("run", "--report-dir", str(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads((tmp_path / "report.json").read_text())
    report_validator.validate(report)
    assert report["summary"]["failed"] == 0 and report["summary"]["passed"] >= 5
    assert report["target"]["name"] == "reference"
    junit = ET.parse(tmp_path / "junit.xml").getroot()
    cases = junit.findall(".//testcase")
    assert len(cases) == report["summary"]["total"]
    props = {p.get("name") for p in cases[0].findall("./properties/property")}
    assert {"requirement_id", "area"} <= props
    assert "verdict: CONFORMS" in result.stdout
    assert "Traceback" not in result.stderr


def test_a_subset_selection_is_partial_in_every_report(tmp_path):
    result = run_cli("run", "-k", "auth", "--fuzz-examples", "0", "--report-dir", str(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["verdict"] == "PARTIAL" and report["conforms"] is False
    assert report["selection"]["left_out"] and not set(report["selection"]["left_out"]) & {
        r["id"] for r in report["requirements"]
    }
    assert "verdict: PARTIAL" in result.stdout and "leaves out" in result.stdout
    for name in ("summary.md", "report.html"):
        assert "leaves out" in (tmp_path / name).read_text(), name


def test_run_over_loopback_against_served_reference(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([*CLI, "serve", "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        result = run_cli("run", "--target", f"http://127.0.0.1:{port}", "--api-key", "sk_test_loopback1",
                         "--report-dir", str(tmp_path))
        assert result.returncode == 0, result.stdout + result.stderr
        assert json.loads((tmp_path / "report.json").read_text())["target"]["url"] == f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.mark.parametrize("key", ["sk_live_canary123456", "rk_live_canary123456"])
def test_live_key_exits_2_before_any_connection(tmp_path, key):
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        listener.settimeout(0.5)
        port = listener.getsockname()[1]
        result = run_cli("run", "--target", f"http://127.0.0.1:{port}", "--api-key", key, "--report-dir", str(tmp_path))
        with pytest.raises(TimeoutError):
            listener.accept()
    assert result.returncode == 2
    assert "live-mode key" in result.stderr and key not in result.stderr + result.stdout
    assert "Traceback" not in result.stderr


def test_closed_port_exits_3_fast(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    started = time.monotonic()
    result = run_cli(
        "run", "--target", f"http://127.0.0.1:{port}", "--api-key", "sk_test_x1", "--report-dir", str(tmp_path)
    )
    assert result.returncode == 3
    assert time.monotonic() - started <= 30
    assert result.stderr.count("\n") == 1 and "cannot reach" in result.stderr
    assert "Traceback" not in result.stderr


def test_rejected_key_exits_3(tmp_path):
    with ReferenceServer() as server:
        result = run_cli("run", "--target", server.url, "--api-key", "not_a_key", "--report-dir", str(tmp_path))
    assert result.returncode == 3 and "rejects the API key" in result.stderr


@pytest.mark.parametrize(
    "args",
    [["run", "--no-such-flag"], ["run", "--target", "not a url", "--api-key", "sk_test_1"], ["frobnicate"],
     ["run", "--target", "http://127.0.0.1:9", "--stripe-version", "latest", "--api-key", "sk_test_1"]],
)
def test_usage_errors_are_one_line_exit_2(args, tmp_path):
    result = run_cli(*args, "--report-dir", str(tmp_path)) if args[0] == "run" and len(args) > 2 else run_cli(*args)
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().count("\n") == 0 and "Traceback" not in result.stderr


def test_no_matching_scenario_is_usage_error(tmp_path):
    result = run_cli("run", "-k", "no_scenario_has_this_name", "--report-dir", str(tmp_path))
    assert result.returncode == 2 and "no scenario" in result.stderr


def test_requirements_listing():
    text = run_cli("requirements")
    assert text.returncode == 0 and "card.delete.stub" in text.stdout
    rows = json.loads(run_cli("requirements", "--format", "json").stdout)
    assert {"id", "area", "level", "title"} <= set(rows[0])
