"""The benchmark's latency proxy: answers are held back, and requests beyond the limit get Stripe's 429."""

import http.client
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from benchmarks.latency_proxy import LatencyProxy, SlidingWindow


class _Echo(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        answer = json.dumps({"path": self.path, "body": body.decode()}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)


@pytest.fixture
def upstream():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[:2]
    server.shutdown()
    server.server_close()


def _post(connection: http.client.HTTPConnection, path: str) -> tuple[int, dict]:
    connection.request("POST", path, body=b"a=1", headers={"Content-Type": "application/x-www-form-urlencoded"})
    response = connection.getresponse()
    return response.status, json.loads(response.read())


def test_forwards_and_adds_the_latency(upstream):
    with LatencyProxy(upstream, latency=0.2, rate=25) as proxy:
        connection = http.client.HTTPConnection(*proxy.url.removeprefix("http://").split(":"))
        started = time.monotonic()
        status, body = _post(connection, "/v1/customers?x=1")
        elapsed = time.monotonic() - started
        connection.close()
    assert status == 200 and body == {"path": "/v1/customers?x=1", "body": "a=1"}
    assert elapsed >= 0.2
    assert proxy.stats.as_dict() == {"received": 1, "forwarded": 1, "rate_limited": 0}


def test_beyond_the_limit_answers_429_in_stripes_error_envelope(upstream):
    with LatencyProxy(upstream, latency=0.0, rate=3) as proxy:
        connection = http.client.HTTPConnection(*proxy.url.removeprefix("http://").split(":"))
        answers = [_post(connection, "/v1/customers") for _ in range(5)]
        connection.close()
    assert [status for status, _ in answers] == [200, 200, 200, 429, 429]
    error = answers[3][1]["error"]
    assert error["type"] == "invalid_request_error" and error["message"]
    assert proxy.stats.as_dict() == {"received": 5, "forwarded": 3, "rate_limited": 2}


def test_the_window_slides_and_rejections_do_not_count():
    now = [0.0]
    window = SlidingWindow(2, clock=lambda: now[0])
    assert [window.admit(), window.admit(), window.admit()] == [True, True, False]
    now[0] = 0.99
    assert window.admit() is False
    now[0] = 1.0  # the first two admissions leave the window together
    assert [window.admit(), window.admit(), window.admit()] == [True, True, False]


def test_a_rate_must_be_positive():
    with pytest.raises(ValueError, match="positive"):
        SlidingWindow(0)
