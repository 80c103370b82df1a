"""The request count: every request put on the wire once, its 429 answers apart, a failed one too."""

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from conformance.http.exchange import Request
from conformance.http.traffic import Traffic, traffic_so_far
from conformance.http.transport import TransportError, Urllib3Transport
from conformance.reporting.json_report import report_from_dict, report_to_dict
from conformance.reporting.junit import junit_tree
from conformance.reporting.model import RunReport, TargetInfo, TestOutcome
from conformance.reporting.run_notes import document_notes


class _LimitedOnce(BaseHTTPRequestHandler):
    """Answers 429 to the first request of the server's life, then 200."""

    protocol_version = "HTTP/1.1"
    answered = 0

    def log_message(self, format, *args):
        pass

    def do_GET(self):
        type(self).answered += 1
        status = 429 if type(self).answered == 1 else 200
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")


@pytest.fixture
def limited_once():
    server = ThreadingHTTPServer(("127.0.0.1", 0), type("Handler", (_LimitedOnce,), {"answered": 0}))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _get(url: str) -> Request:
    return Request(method="GET", url=f"{url}/v1/customers", headers=(), body=b"")


def test_each_request_counts_once_and_a_429_answer_counts_apart(limited_once):
    transport = Urllib3Transport()
    before = traffic_so_far()
    statuses = [transport.send(_get(limited_once)).status for _ in range(3)]
    transport.close()
    assert statuses == [429, 200, 200]
    assert traffic_so_far() - before == Traffic(requests=3, rate_limited=1)


def test_a_request_no_answer_came_to_still_counts():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed once the block ends: nothing listens there
    transport = Urllib3Transport()
    before = traffic_so_far()
    with pytest.raises(TransportError):
        transport.send(_get(f"http://127.0.0.1:{port}"))
    transport.close()
    assert traffic_so_far() - before == Traffic(requests=1, rate_limited=0)


def _report(**outside: int) -> RunReport:
    scenarios = (
        TestOutcome("a.py::one", ("x",), "passed", requests=4, rate_limited=1),
        TestOutcome("a.py::two", ("y",), "passed", requests=6),
    )
    return RunReport("0", TargetInfo("http://t", "2023-08-16"), "s", "f", (), scenarios=scenarios, **outside)


def test_the_report_adds_the_scenarios_and_what_was_sent_outside_them():
    report = _report(requests_outside=2, rate_limited_outside=1)
    assert report.traffic == {"requests": 12, "rate_limited": 2, "in_scenarios": 10, "outside_scenarios": 2}
    assert report_from_dict(report_to_dict(report)).traffic == report.traffic
    suite = junit_tree(report).getroot().find("testsuite").find("properties")
    junit = {p.get("name"): p.get("value") for p in suite if p.get("name", "").startswith("traffic.")}
    assert junit == {"traffic.requests": "12", "traffic.rate_limited": "2", "traffic.in_scenarios": "10",
                     "traffic.outside_scenarios": "2"}
    note = next(n for n in document_notes(report_to_dict(report)) if n.startswith("requests:"))
    assert note == (
        "requests: 12 sent to the target: 10 by the 2 scenarios, 2 outside them (preflight, setup probe, clean-up); "
        "2 answered 429 (rate limited)"
    )


def test_a_replay_says_its_answers_came_from_cassettes():
    document = report_to_dict(_report()) | {"selection": {"replay": "cassettes/x"}}
    assert "requests: 10 answered from the cassette set, none sent to a target" in document_notes(document)


def test_a_report_written_before_the_count_has_no_requests_note():
    document = report_to_dict(_report())
    del document["traffic"]
    assert not [n for n in document_notes(document) if n.startswith("requests:")]
    assert report_from_dict(document).traffic["outside_scenarios"] == 0
