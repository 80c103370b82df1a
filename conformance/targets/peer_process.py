"""Run a peer (another Stripe-compatible server) as a child process on a free loopback port.

``PeerProcess`` starts a command whose arguments may hold ``{port}``, waits until something
answers HTTP on ``127.0.0.1:{port}``, and stops the whole process group afterwards::

    with PeerProcess(["node", "peers/stateful-mock/serve.js", "{port}"]) as peer:
        run_suite(peer.url)

The command must bind 127.0.0.1 only; the runner never talks to any other address.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType

LOOPBACK = "127.0.0.1"
READY_TIMEOUT = 30.0
STOP_TIMEOUT = 5.0
_START_ATTEMPTS = 3


class PeerError(RuntimeError):
    """The peer could not be started, or did not answer in time."""


def free_port(host: str = LOOPBACK) -> int:
    """Return a TCP port that is free on ``host`` right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def answers_http(host: str, port: int, *, timeout: float = 1.0) -> bool:
    """Tell whether an HTTP server answers a GET on ``host:port`` (any status counts)."""
    connection = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        connection.request("GET", "/v1/customers?limit=1")
        connection.getresponse().read()
    except (OSError, http.client.HTTPException):
        return False
    finally:
        connection.close()
    return True


class PeerProcess:
    """A child server process on a free loopback port, stopped with its whole process group."""

    def __init__(
        self,
        command: Sequence[str],
        *,
        cwd: Path | None = None,
        env: Mapping[str, str] | None = None,
        log_path: Path | None = None,
        ready_timeout: float = READY_TIMEOUT,
    ) -> None:
        """Configure the peer; ``{port}`` in ``command`` or ``env`` values becomes the chosen port."""
        if not command:
            raise ValueError("a peer needs a command")
        self._command = tuple(command)
        self._cwd = cwd
        self._env = dict(env or {})
        self._log_path = log_path
        self._ready_timeout = ready_timeout
        self._process: subprocess.Popen[bytes] | None = None
        self.port: int | None = None

    @property
    def url(self) -> str:
        """The base URL of the running peer."""
        if self.port is None:
            raise PeerError("the peer is not running")
        return f"http://{LOOPBACK}:{self.port}"

    def start(self) -> PeerProcess:
        """Start the peer and return once it answers HTTP; raise ``PeerError`` otherwise."""
        last = "not started"
        for _ in range(_START_ATTEMPTS):
            port = free_port()
            self._spawn(port)
            outcome = self._wait_until_ready(port)
            if outcome is None:
                self.port = port
                return self
            last = outcome
            self.stop()
            if "exited" not in outcome:
                break  # it hung rather than lost a port race: trying again will not help
        raise PeerError(f"peer {self._command[0]} did not start: {last}{self._log_tail()}")

    def stop(self) -> None:
        """Stop the peer (SIGTERM to its process group, SIGKILL after a grace period)."""
        process, self._process, self.port = self._process, None, None
        if process is None or process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=STOP_TIMEOUT)

    def __enter__(self) -> PeerProcess:
        """Start the peer."""
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        """Stop the peer."""
        self.stop()

    def _spawn(self, port: int) -> None:
        argv = [part.replace("{port}", str(port)) for part in self._command]
        env = os.environ | {k: v.replace("{port}", str(port)) for k, v in self._env.items()}
        with contextlib.ExitStack() as stack:
            log = stack.enter_context(open(self._log_path, "ab")) if self._log_path else subprocess.DEVNULL
            try:
                self._process = subprocess.Popen(
                    argv,
                    cwd=self._cwd,
                    env=env,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            except OSError as exc:
                raise PeerError(f"cannot run {argv[0]}: {exc.strerror or exc}") from None

    def _wait_until_ready(self, port: int) -> str | None:
        deadline = time.monotonic() + self._ready_timeout
        process = self._process
        assert process is not None
        while time.monotonic() < deadline:
            if process.poll() is not None:
                return f"it exited with code {process.returncode}"
            if answers_http(LOOPBACK, port):
                return None
            time.sleep(0.1)
        return f"no HTTP answer on {LOOPBACK}:{port} within {self._ready_timeout:.0f}s"

    def _log_tail(self) -> str:
        if self._log_path is None or not self._log_path.exists():
            return ""
        lines = self._log_path.read_text(encoding="utf-8", errors="replace").strip().splitlines()
        return ("; log: " + " | ".join(lines[-3:])) if lines else ""
