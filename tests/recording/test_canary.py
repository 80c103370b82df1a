"""The canary: record a whole run with a canary key and raw card numbers; no written file may hold them."""

import base64
import shutil
from pathlib import Path

CANARY = "sk_test_CANARYzq9Xv3LeakDetector0001"
PANS = ("4242424242424242", "378282246310005")
SCENARIOS = Path(__file__).with_name("canary_scenarios.py")

pytest_plugins = ["pytester"]


def test_no_written_file_holds_the_key_or_a_card_number(pytester, tmp_path):
    shutil.copy(SCENARIOS, pytester.path / "test_canary_scenarios.py")
    cassettes, reports, logs = tmp_path / "cassettes", tmp_path / "reports", tmp_path / "logs"
    logs.mkdir()
    result = pytester.runpytest_subprocess(
        "--pyargs", "conformance.suite", "test_canary_scenarios.py",
        "-p", "no:cacheprovider", "--disable-plugin-autoload", "-p", "conformance.plugin", "-p", "allure_pytest.plugin",
        "-rA", "-vv", "--tb=long",
        "--stripe-api-key", CANARY,
        "--stripe-record", str(cassettes), "--stripe-record-mode", "rewrite",
        "--stripe-report-dir", str(reports), "--stripe-allure-attach", "all",  # every exchange written, and scanned
        "--junitxml", str(logs / "pytest-junit.xml"), "-o", "junit_logging=all",
        "--log-file", str(logs / "run.log"), "--log-file-level", "DEBUG",
    )
    (logs / "stdout.txt").write_text(result.stdout.str())
    (logs / "stderr.txt").write_text(result.stderr.str())
    assert result.ret == 1, result.stdout.str()[-3000:]  # the canary scenarios fail on purpose
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    cassette_files = [p for p in written if p.suffix == ".json" and p.parent.parent == cassettes]
    assert len(cassette_files) >= 20 and (reports / "report.json").is_file() and (reports / "junit.xml").is_file()
    assert any((reports / "allure-results").iterdir())
    forbidden = [CANARY, base64.b64encode(f"{CANARY}:".encode()).decode(), *PANS, "cvc]=314", "cvc]=9876"]
    leaks = [
        f"{path.relative_to(tmp_path)} holds {secret[:12]}…"
        for path in written
        for secret in forbidden
        if secret in path.read_text(encoding="utf-8", errors="replace")
    ]
    assert not leaks, leaks
    # The evidence is there, redacted: the failing check's request and the careless assertion.
    assert "source[number]=[REDACTED]4242" in (reports / "report.json").read_text()
    for log in ("stdout.txt", "pytest-junit.xml"):
        assert "unexpected status with key sk_test_[REDACTED]" in (logs / log).read_text()
    assert "debug: using key sk_test_[REDACTED]" in (logs / "stdout.txt").read_text()


def test_log_records_are_redacted():
    import logging

    from conformance.plugin.recording import RedactingFilter

    record = logging.LogRecord("x", logging.WARNING, __file__, 1, "key %s card %s", (CANARY, PANS[0]), None)
    assert RedactingFilter().filter(record)
    assert record.getMessage() == "key sk_test_[REDACTED] card [REDACTED]4242"
