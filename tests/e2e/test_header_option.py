"""-H/--header: sent with every request of a run (scenarios, fuzzing, the SDK, the preflight), redacted by name."""

import subprocess
import sys

import pytest

from conformance.reference import ReferenceServer, create_app
from tests.reporting.samples import NoDefaultOnFirstCard

CLI = [sys.executable, "-m", "conformance"]
ACCOUNT = "acct_1HeaderOption9z"
TOKEN = "gw-token-7f3a91c2"


class _HeaderSpy:
    """ASGI wrapper around the reference app noting the headers of every request."""

    def __init__(self, app):
        self.app = app
        self.seen = []

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            self.seen.append({k.decode().lower(): v.decode() for k, v in scope["headers"]})
        await self.app(scope, receive, send)


def _outputs(directory, result):
    texts = [result.stdout, result.stderr]
    texts += [p.read_text(errors="replace") for p in directory.rglob("*") if p.is_file()]
    return "\n".join(texts)


def test_every_request_carries_the_headers_and_no_output_shows_a_credential(tmp_path):
    spy = _HeaderSpy(create_app(NoDefaultOnFirstCard()))
    with ReferenceServer(app=spy) as server:
        result = subprocess.run(
            [*CLI, "run", "--target", server.url, "--api-key", "sk_test_headeroption1", "--report-dir", str(tmp_path),
             "-H", f"Stripe-Account: {ACCOUNT}", "--header", f"X-Gateway-Token:{TOKEN}", "-H", "X-Trace: run-1",
             "-k", "first_card or sdk_attaches or fuzz_operation and GetCustomers", "--fuzz-examples", "1"],
            capture_output=True, text=True, timeout=300,
        )
    assert result.returncode == 1, result.stdout + result.stderr  # the broken store fails the first-card rule
    assert len(spy.seen) > 10
    for headers in spy.seen:  # preflight, scenarios, stripe-python and Schemathesis calls alike
        assert (headers.get("stripe-account"), headers.get("x-gateway-token"), headers.get("x-trace")) == (
            ACCOUNT, TOKEN, "run-1"), headers
    outputs = _outputs(tmp_path, result)
    assert ACCOUNT not in outputs and TOKEN not in outputs
    assert "Stripe-Account: [REDACTED]" in outputs and "X-Gateway-Token: [REDACTED]" in outputs
    assert "X-Trace: run-1" in outputs  # a header that is no credential stays visible as evidence


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-H", "Authorization: Bearer sk_test_x"], "cannot be set with --header: the key comes from --api-key"),
        (["-H", "Stripe-Version: 2020-08-27"], "cannot be set with --header"),
        (["-H", "no colon"], "is not NAME:VALUE"),
        (["-H", "X-A: 1", "-H", "x-a: 2"], "given twice"),
    ],
)
def test_a_bad_header_is_one_line_and_exit_2_before_any_connection(args, message):
    result = subprocess.run([*CLI, "run", "--target", "http://127.0.0.1:9", "--api-key", "sk_test_badheader1", *args],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.count("\n") == 1 and message in result.stderr and "Traceback" not in result.stderr


def test_the_pytest_front_end_spells_it_stripe_header(tmp_path):
    spy = _HeaderSpy(create_app())
    with ReferenceServer(app=spy) as server:
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--pyargs", "conformance.suite", "-k", "auth",
             f"--stripe-target={server.url}", "--stripe-api-key=sk_test_headeroption2",
             f"--stripe-report-dir={tmp_path}", f"--stripe-header=Stripe-Account:{ACCOUNT}", "-q"],
            capture_output=True, text=True, timeout=180,
        )
    assert result.returncode == 0, result.stdout + result.stderr
    assert spy.seen and all(headers.get("stripe-account") == ACCOUNT for headers in spy.seen)
    assert ACCOUNT not in _outputs(tmp_path, result)
