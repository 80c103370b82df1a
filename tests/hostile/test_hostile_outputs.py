"""Outputs that cannot be written are a usage error: one line, exit 2, before anything connects."""

import errno
import subprocess
import sys

import pytest
from test_hostile_live_keys import listening

from conformance.reporting import writable
from conformance.reporting.writable import OutputError, check_writable

CLI = [sys.executable, "-m", "conformance"]
PLUGIN = [sys.executable, "-m", "pytest", "--pyargs", "conformance.suite", "-p", "no:cacheprovider", "-q"]


def unwritable(tmp_path):
    """Directories no run can write into: under /proc, and below a regular file."""
    blocker = tmp_path / "a-file"
    blocker.write_text("in the way")
    return {"proc": "/proc/forbidden", "below-a-file": str(blocker / "reports")}


@pytest.mark.parametrize("case", ["proc", "below-a-file"])
def test_cli_unwritable_report_dir_is_exit_2_before_any_connection(case, tmp_path):
    with listening() as url:
        result = subprocess.run(
            [*CLI, "run", "--target", url, "--api-key", "sk_test_outputs1", "--report-dir", unwritable(tmp_path)[case]],
            capture_output=True, text=True, timeout=60,
        )
    assert result.returncode == 2, (result.stdout + result.stderr)[-2000:]
    assert result.stderr.count("\n") == 1 and "cannot write the report directory" in result.stderr, result.stderr
    assert "Traceback" not in result.stdout + result.stderr and "INTERNALERROR" not in result.stdout


def test_cli_unwritable_cassette_dir_is_exit_2(tmp_path):
    with listening() as url:
        result = subprocess.run(
            [*CLI, "run", "--target", url, "--api-key", "sk_test_outputs1", "--report-dir", str(tmp_path / "r"),
             "--record", "/proc/forbidden/cassettes"],
            capture_output=True, text=True, timeout=60,
        )
    assert result.returncode == 2 and "cannot write the cassette directory" in result.stderr, result.stderr
    assert result.stderr.count("\n") == 1


@pytest.mark.parametrize("case", ["proc", "below-a-file"])
def test_plugin_unwritable_report_dir_is_exit_2_before_any_connection(case, tmp_path):
    with listening() as url:
        result = subprocess.run(
            [*PLUGIN, "--stripe-target", url, "--stripe-api-key", "sk_test_outputs1",
             "--stripe-report-dir", unwritable(tmp_path)[case]],
            capture_output=True, text=True, timeout=60, cwd=tmp_path,
        )
    output = result.stdout + result.stderr
    assert result.returncode == 2, output[-2000:]
    assert "cannot write the report directory" in result.stderr and result.stderr.count("\n") == 1, output[-2000:]
    assert "Traceback" not in output and "INTERNALERROR" not in output


def test_full_disk_is_an_output_error(tmp_path, monkeypatch):
    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(writable.os, "fsync", full)
    with pytest.raises(OutputError, match="No space left on device"):
        check_writable(tmp_path / "reports")
    assert not list((tmp_path / "reports").iterdir())  # the probe does not stay behind


def test_writable_directory_passes_and_is_left_clean(tmp_path):
    check_writable(tmp_path / "new" / "reports")
    assert (tmp_path / "new" / "reports").is_dir() and not list((tmp_path / "new" / "reports").iterdir())
