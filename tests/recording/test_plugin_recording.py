"""Recording and replay through the pytest front-end: same verdicts offline, misses fail loudly."""

import json
import shutil
import subprocess
import sys

import pytest

pytest_plugins = ["pytester"]
# Only this project's plugin: the run stays fast (no Schemathesis or Hypothesis start-up).
PLUGIN_ONLY = ("-p", "no:cacheprovider", "--disable-plugin-autoload", "-p", "conformance.plugin")

SCENARIOS = '''
import pytest

@pytest.mark.requirement("card.create.returns-card")
def test_attach(stripe_client, stripe_run_id, stripe_random, stripe_now, check):
    body = {"description": f"r{stripe_random.randint(0, 10**9)}",
            "metadata": {"run": stripe_run_id, "year": stripe_now.year + 3}}
    customer = stripe_client.post("/v1/customers", body).json()["id"]
    response = stripe_client.post(f"/v1/customers/{customer}/sources", {"source": "TOKEN"})
    check.status(response, 200)
    check.equal(response, "$.object", "card")

@pytest.mark.requirement("auth.missing-key")
def test_auth(stripe_client, check):
    check.error(stripe_client.with_key(None).get("/v1/customers", {"limit": 1}), status=401)
'''

SWALLOWING = '''
import pytest

@pytest.mark.requirement("card.create.returns-card")
def test_attach(stripe_client, check):
    check.status(stripe_client.get("/v1/customers", {"limit": 1}), 200)
    try:
        stripe_client.get("/v1/customers", {"limit": 2})
    except Exception:
        pass  # a careless scenario must not turn a replay miss into a pass
'''


def _run(pytester, *args):
    return pytester.runpytest_subprocess(*PLUGIN_ONLY, *args)


def _verdicts(directory):
    report = json.loads((directory / "report.json").read_text())
    return {r["id"]: r["status"] for r in report["requirements"]}, report


@pytest.fixture(scope="module")
def recording(tmp_path_factory):
    """Record the scenarios once against the built-in reference server: (cassette set, live report dir)."""
    where = tmp_path_factory.mktemp("recording")
    (where / "test_scen.py").write_text(SCENARIOS.replace("TOKEN", "tok_visa"))
    cassettes, live = where / "cassettes", where / "live"
    command = [sys.executable, "-m", "pytest", *PLUGIN_ONLY, "test_scen.py", "--stripe-record", str(cassettes),
               "--stripe-report-dir", str(live)]
    result = subprocess.run(command, cwd=where, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    return cassettes, live


@pytest.fixture
def recorded(pytester, tmp_path, recording):
    """A private copy of the recorded cassette set, with the recorded scenarios in pytester's folder."""
    pytester.makepyfile(test_scen=SCENARIOS.replace("TOKEN", "tok_visa"))
    shutil.copytree(recording[1], tmp_path / "live")
    return shutil.copytree(recording[0], tmp_path / "cassettes")


def test_replay_gets_the_recorded_verdicts_with_no_target(pytester, tmp_path, recorded):
    assert sorted(p.name for p in (recorded / "test_scen").iterdir()) == ["test_attach.json", "test_auth.json"]
    manifest = json.loads((recorded / "cassette-set.json").read_text())
    assert manifest["target_name"] == "reference" and manifest["results"]["card.create.returns-card"] == "passed"
    result = _run(pytester, "--stripe-replay", str(recorded), "--stripe-report-dir", str(tmp_path / "replay"))
    assert result.ret == 0, result.stdout.str()
    result.stdout.fnmatch_lines([f"cassettes: replayed {recorded} (seed {manifest['seed']})"])
    live, _ = _verdicts(tmp_path / "live")
    replayed, report = _verdicts(tmp_path / "replay")
    assert replayed == live == {"card.create.returns-card": "passed", "auth.missing-key": "passed"}
    assert report["target"]["url"] == manifest["base_url"]


def test_record_mode_none_replays_offline_too(pytester, tmp_path, recorded):
    pytester.makepyfile(
        test_scen=SCENARIOS.replace("TOKEN", "tok_visa")
        + """
import socket

@pytest.mark.requirement("auth.missing-key")
def test_auth(stripe_client, check):
    check.error(stripe_client.with_key(None).get("/v1/customers", {"limit": 1}), status=401)
    with pytest.raises(Exception, match="network is blocked"):
        socket.create_connection(("127.0.0.1", 9), timeout=1)  # only the cassettes answer
"""
    )
    result = _run(pytester, "--stripe-record", str(recorded), "--stripe-record-mode", "none",
                  "--stripe-report-dir", str(tmp_path / "replay"))
    assert result.ret == 0, result.stdout.str()
    assert set(_verdicts(tmp_path / "replay")[0].values()) == {"passed"}


def test_replay_under_xdist(pytester, tmp_path, recorded):
    result = _run(pytester, "-p", "xdist.plugin", "-n", "2", "--stripe-replay", str(recorded),
                  "--stripe-report-dir", str(tmp_path / "replay"))
    assert result.ret == 0, result.stdout.str()
    assert set(_verdicts(tmp_path / "replay")[0].values()) == {"passed"}


def test_a_changed_request_fails_its_requirement_with_the_mismatch(pytester, tmp_path, recorded):
    pytester.makepyfile(test_scen=SCENARIOS.replace("TOKEN", "tok_mastercard"))
    result = _run(pytester, "--stripe-replay", str(recorded), "--stripe-report-dir", str(tmp_path / "replay"))
    assert result.ret == 1
    result.stdout.fnmatch_lines([
        "*test_scen.py::test_attach sent a request its cassette has no answer for*",
        "*differs in body: source sent 'tok_mastercard', recorded 'tok_visa'*",
    ])
    verdicts, report = _verdicts(tmp_path / "replay")
    assert verdicts == {"card.create.returns-card": "failed", "auth.missing-key": "passed"}
    (failure,) = next(r for r in report["requirements"] if r["id"] == "card.create.returns-card")["failures"]
    assert failure["kind"] == "replay_mismatch" and "tok_mastercard" in failure["message"]


def test_a_swallowed_miss_still_fails(pytester, tmp_path, recorded):
    pytester.makepyfile(test_scen=SWALLOWING)
    result = _run(pytester, "--stripe-replay", str(recorded), "--stripe-report-dir", str(tmp_path / "replay"))
    assert result.ret == 1
    assert _verdicts(tmp_path / "replay")[0] == {"card.create.returns-card": "failed"}


def test_a_scenario_without_cassette_fails_and_says_to_rerecord(pytester, tmp_path, recorded):
    pytester.makepyfile(test_scen=SCENARIOS.replace("TOKEN", "tok_visa").replace("def test_auth", "def test_new"))
    result = _run(pytester, "--stripe-replay", str(recorded), "--stripe-report-dir", str(tmp_path / "replay"))
    assert result.ret == 1
    result.stdout.fnmatch_lines(["*no cassette was recorded for this test*", "*--record-mode rewrite*"])
    assert _verdicts(tmp_path / "replay")[0]["auth.missing-key"] == "failed"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--stripe-record", "a", "--stripe-replay", "b"], "exclude each other"),
        (["--stripe-record-mode", "all"], "needs --stripe-record"),
        (["--stripe-replay", "nowhere"], "not a directory of recorded cassettes"),
    ],
)
def test_bad_combinations_are_usage_errors(pytester, args, message):
    pytester.makepyfile(test_scen="def test_x():\n    pass\n")
    result = _run(pytester, *args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert message in result.stderr.str()
