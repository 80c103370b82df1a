"""The pytest front-end gives the same results as the CLI, and the plugin is inert unless asked."""

import json
import subprocess
import sys

from conformance.reference import ReferenceServer
from conformance.requirements import load_catalogue

pytest_plugins = ["pytester"]


def test_pyargs_run_matches_cli(pytester, tmp_path):
    """``pytest --pyargs conformance`` (the README's spelling) and ``stripe-conformance run`` agree per requirement.

    Both run against one target with one seed: the same scenarios, fuzzing included, the same
    budget, the same setup, the same verdicts.
    """
    # One fresh server each: a scenario may derive an idempotency key from the seed (test_forwarding).
    with ReferenceServer() as server:
        result = pytester.runpytest_subprocess(
            "--pyargs", "conformance", "--stripe-target", server.url, "--stripe-seed", "frontends",
            "--stripe-api-key", "sk_test_frontend1", "--stripe-report-dir", str(tmp_path / "pytest"),
            "-p", "no:cacheprovider",
        )
    with ReferenceServer() as server:
        cli = subprocess.run(
            [sys.executable, "-m", "conformance", "run", "--target", server.url, "--seed", "frontends",
             "--api-key", "sk_test_frontend1", "--report-dir", str(tmp_path / "cli")],
            capture_output=True, text=True, timeout=600,
        )
    assert result.ret == 0, result.stdout.str()
    assert cli.returncode == 0, cli.stdout[-3000:] + cli.stderr
    result.stdout.fnmatch_lines(["*verdict: CONFORMS*"])
    from_pytest, from_cli = (json.loads((tmp_path / d / "report.json").read_text()) for d in ("pytest", "cli"))
    assert len(from_cli["requirements"]) == len(load_catalogue())  # every requirement, fuzzing included
    verdicts = [
        {r["id"]: (r["status"], len(r["failures"])) for r in report["requirements"]}
        for report in (from_pytest, from_cli)
    ]
    assert verdicts[0] == verdicts[1]
    assert from_pytest["summary"] == from_cli["summary"]
    assert from_pytest["setup"] == from_cli["setup"]
    assert sorted(c["id"] for c in from_pytest.get("root_causes", ())) == sorted(
        c["id"] for c in from_cli.get("root_causes", ())
    )


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
