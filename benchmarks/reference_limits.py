"""The reference server under hostile load, at full size: a 100 MB body, 200 slowloris sockets, 30,000 creates.

    python -m benchmarks.reference_limits [--creates 30000] [--slow 200] [--wait 12] [--cases body,slow,creates]

Starts ``python -m conformance.reference`` on a free loopback port and prints, for each case, the
answer, the time it took and the server's resident memory (VmRSS) before and after. The fast,
smaller versions of these checks are tests/load/test_load_limits.py.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

KEY = "sk_test_limits1"
AUTH = f"Authorization: Bearer {KEY}"
MB = 1024 * 1024


def rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def start_server(*options: str) -> tuple[subprocess.Popen[bytes], int]:
    """Start the reference server (with ``options``) in its own process; return it and its port once it listens."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen([sys.executable, "-m", "conformance.reference", "--port", str(port), *options],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return process, port
        time.sleep(0.05)
    process.kill()
    process.wait(timeout=10)
    raise RuntimeError("the reference server did not start")


def read_answer(sock: socket.socket, timeout: float = 60) -> tuple[int, str, Any]:
    """Read one HTTP answer from ``sock``: status (0 when closed without one), head and JSON body (or None)."""
    sock.settimeout(timeout)
    data = b""
    with contextlib.suppress(OSError):
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    if not data:
        return 0, "", None
    head, _, body = data.partition(b"\r\n\r\n")
    lengths = [line.split(b":")[1] for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")]
    length = int(lengths[0]) if lengths else 0
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    parsed = None
    with contextlib.suppress(ValueError):
        parsed = json.loads(body) if body else None
    return int(head.split()[1]), head.decode("latin-1"), parsed


def send_body(port: int, size: int, *, chunked: bool = False) -> tuple[tuple[int, str, Any], int]:
    """POST a ``size``-byte body (declared, or chunked without a length); return the answer and the bytes sent."""
    with socket.create_connection(("127.0.0.1", port)) as sock:
        framing = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {size}"
        sock.sendall(f"POST /v1/customers HTTP/1.1\r\nHost: x\r\n{AUTH}\r\n"
                     f"Content-Type: application/x-www-form-urlencoded\r\n{framing}\r\n\r\n".encode())
        sent = 0
        with contextlib.suppress(OSError):  # the server answered and closed without reading the rest
            while sent < size:
                block = b"a" * min(MB, size - sent)
                sock.sendall(block if not chunked else f"{len(block):x}\r\n".encode() + block + b"\r\n")
                sent += len(block)
            if chunked:
                sock.sendall(b"0\r\n\r\n")
        return read_answer(sock), sent


def huge_body(port: int, pid: int, size: int) -> str:
    """POST a ``size``-byte body; say what came back, how fast, and what it did to the server's memory."""
    before, started = rss_mb(pid), time.monotonic()
    (status, _, _), sent = send_body(port, size)
    peak = rss_mb(pid)
    return (f"{size // MB} MB body: HTTP {status} after {time.monotonic() - started:.2f} s, "
            f"{sent // MB} MB accepted by the socket, RSS {before:.0f} -> {peak:.0f} MB")


def slowloris(port: int, count: int, wait: float) -> str:
    """Open ``count`` sockets (half idle, half sending an endless header); say how many are open after ``wait``."""
    sockets = []
    for number in range(count):
        sock = socket.create_connection(("127.0.0.1", port))
        if number % 2:
            sock.sendall(b"GET /v1/customers HTTP/1.1\r\nHost: x\r\nX-Slow: a")
        sockets.append(sock)
    end = time.monotonic() + wait
    while time.monotonic() < end:
        for sock in sockets[1::2]:
            with contextlib.suppress(OSError):
                sock.sendall(b"a")
        time.sleep(1)
    still_open = 0
    for sock in sockets:
        sock.setblocking(False)
        try:
            still_open += sock.recv(1) != b""
        except BlockingIOError:
            still_open += 1  # nothing to read and not closed: the server keeps it
        except OSError:
            pass
        sock.close()
    return f"{count} slow/idle sockets: {still_open} still open after {wait:.0f} s"


def creates(port: int, pid: int, count: int) -> str:
    """Create ``count`` customers over one keep-alive connection; say the statuses and the memory."""
    before, started = rss_mb(pid), time.monotonic()
    statuses: dict[int, int] = {}
    with socket.create_connection(("127.0.0.1", port)) as sock:
        for number in range(count):
            sock.sendall(f"POST /v1/customers HTTP/1.1\r\nHost: x\r\n{AUTH}\r\nIdempotency-Key: bench-{number}\r\n"
                         f"Content-Length: 0\r\n\r\n".encode())
            status = read_answer(sock)[0]
            statuses[status] = statuses.get(status, 0) + 1
    return (f"{count} creates: {json.dumps(statuses)} in {time.monotonic() - started:.1f} s, "
            f"RSS {before:.0f} -> {rss_mb(pid):.0f} MB")


def main() -> None:
    """Run the three cases against a fresh server each and print one line per case."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.reference_limits")
    parser.add_argument("--creates", type=int, default=30_000)
    parser.add_argument("--slow", type=int, default=200)
    parser.add_argument("--wait", type=float, default=12.0)
    parser.add_argument("--body-mb", type=int, default=100)
    parser.add_argument("--cases", default="body,slow,creates", help="Comma-separated subset of body, slow, creates.")
    options = parser.parse_args()
    for case in options.cases.split(","):
        try:
            process, port = start_server()
        except RuntimeError as exc:
            raise SystemExit(str(exc)) from None
        try:
            if case == "body":
                print(huge_body(port, process.pid, options.body_mb * MB), flush=True)
            elif case == "slow":
                print(slowloris(port, options.slow, options.wait), flush=True)
            else:
                print(creates(port, process.pid, options.creates), flush=True)
        finally:
            process.terminate()
            process.wait(timeout=10)


if __name__ == "__main__":
    main()
