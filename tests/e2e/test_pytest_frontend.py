"""The pytest front-end gives the same results as the CLI, and the plugin is inert unless asked."""

import json

from conformance.reference import ReferenceServer

pytest_plugins = ["pytester"]


def test_pyargs_run_matches_cli(pytester, tmp_path):
    with ReferenceServer() as server:
        result = pytester.runpytest_subprocess(
            "--pyargs", "conformance.suite", "--stripe-target", server.url,
            "--stripe-api-key", "sk_test_frontend1", "--stripe-report-dir", str(tmp_path), "-p", "no:cacheprovider",
        )
    assert result.ret == 0, result.stdout.str()
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["summary"]["failed"] == 0 and report["summary"]["passed"] >= 5
    result.stdout.fnmatch_lines(["*verdict: CONFORMS*"])


def test_plugin_is_inert_for_other_projects(pytester):
    pytester.makepyfile(
        "import sys\n"
        "def test_plain():\n"
        "    assert 'conformance.reference' not in sys.modules\n"
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    assert result.ret == 0
    assert "verdict:" not in result.stdout.str()
    result.stdout.no_fnmatch_line("*= stripe-conformance =*")


def test_log_file_keeps_working_after_the_built_in_server_starts(pytester, tmp_path):
    """Starting the reference server must not close the handlers pytest installed (--log-file)."""
    pytester.makepyfile(
        "import logging\n"
        "def test_probe(stripe_client):\n"
        "    assert stripe_client.get('/v1/customers?limit=1').status == 200\n"
        "    logging.getLogger('probe').warning('logged after the reference server started')\n"
    )
    log = tmp_path / "run.log"
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", f"--log-file={log}")
    assert result.ret == 0, result.stdout.str()
    assert "logged after the reference server started" in log.read_text()
