"""PeerProcess: a child server on a free loopback port, waited for, and stopped with its group."""

import sys
import textwrap

import pytest

from conformance.targets.peer_process import PeerError, PeerProcess, answers_http, free_port

SERVER = textwrap.dedent(
    """
    import http.server, sys

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = b'{"object": "list", "data": []}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
    """
)


def test_starts_on_loopback_answers_and_stops(tmp_path):
    script = tmp_path / "server.py"
    script.write_text(SERVER)
    peer = PeerProcess([sys.executable, str(script), "{port}"], log_path=tmp_path / "peer.log")
    with peer:
        assert peer.url.startswith("http://127.0.0.1:")
        port = peer.port
        assert port is not None and answers_http("127.0.0.1", port)
    assert peer.port is None
    assert not answers_http("127.0.0.1", port)


def test_a_command_that_exits_is_reported_with_its_log(tmp_path):
    peer = PeerProcess(
        [sys.executable, "-c", "import sys; print('boom: no such module'); sys.exit(3)"],
        log_path=tmp_path / "peer.log",
        ready_timeout=5,
    )
    with pytest.raises(PeerError, match=r"exited with code 3.*boom: no such module"):
        peer.start()


def test_a_peer_that_never_answers_times_out(tmp_path):
    peer = PeerProcess([sys.executable, "-c", "import time; time.sleep(30)"], ready_timeout=0.5)
    with pytest.raises(PeerError, match="no HTTP answer"):
        peer.start()
    assert peer.port is None


def test_a_missing_program_is_a_peer_error():
    with pytest.raises(PeerError, match="cannot run"):
        PeerProcess(["/nonexistent/peer-binary", "{port}"]).start()


def test_free_port_is_bindable():
    assert 0 < free_port() < 65536
