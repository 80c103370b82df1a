"""``serve``: --log writes one redacted line per request; a taken port is one line and exit code 2."""

import re
import signal
import subprocess
import sys
import urllib.request

from conformance.cli.request_log import request_line
from conformance.exit_codes import EXIT_OK, EXIT_USAGE

CLI = [sys.executable, "-m", "conformance"]
KEY = "sk_test_servelog1234567890"
URL_LINE = re.compile(r"listening on (http://127\.0\.0\.1:(\d+))")


def _start(*args):
    server = subprocess.Popen([*CLI, "serve", "--port", "0", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True)
    first = server.stdout.readline()
    match = URL_LINE.search(first)
    assert match, first + server.stderr.read()
    return server, match.group(1), int(match.group(2))


def _get(url, **headers):
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


def test_serve_log_writes_one_redacted_line_per_request():
    server, url, _ = _start("--log")
    try:
        key = {"Authorization": f"Bearer {KEY}"}
        assert _get(f"{url}/v1/customers?limit=2", **key, **{"Stripe-Account": "acct_1x"}) == 200
        refused = _get(f"{url}/v1/customers/cus_missing?client_secret=seti_1_secret_abcdef", **key)
        assert _get(f"{url}/v1/customers") == 401
    finally:
        server.send_signal(signal.SIGTERM)
        out, err = server.communicate(timeout=20)
    assert server.returncode == EXIT_OK, err
    lines = [line for line in out.splitlines() if " GET " in line]
    assert len(lines) == 3, out
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z GET /v1/customers\?limit=2 200 [\d.]+ms \[key account\]$",
                    lines[0]), lines[0]
    assert f" {refused} " in lines[1] and "client_secret=" in lines[1] and "abcdef" not in lines[1]
    assert lines[2].split()[2:4] == ["/v1/customers", "401"] and "[" not in lines[2]
    assert KEY not in out + err and "acct_1x" not in out


def test_a_taken_port_is_one_line_and_exit_code_2():
    first, _, port = _start()
    try:
        second = subprocess.run([*CLI, "serve", "--port", str(port)], capture_output=True, text=True, timeout=30)
    finally:
        first.send_signal(signal.SIGTERM)
        first.communicate(timeout=20)
    assert second.returncode == EXIT_USAGE
    assert second.stderr.count("\n") == 1 and f"cannot listen on 127.0.0.1:{port}" in second.stderr
    assert "--port 0" in second.stderr and "Traceback" not in second.stderr


def test_the_log_line_redacts_what_a_path_or_query_carries():
    line = request_line("POST", "/v1/customers/cus_1/sources", "card[number]=4242424242424242&key=sk_test_abc123",
                        402, 0.0123, ["key"])
    assert line.startswith("POST /v1/customers/cus_1/sources?") and line.endswith(" 402 12.3ms [key]")
    assert "4242424242424242" not in line and "sk_test_abc123" not in line
