"""What a process has put on the wire: requests sent and ``429`` answers, counted where requests leave.

Against a rate-limited target a run's time is its request count over the rate it may send at, so
the reports say how many requests each scenario cost and how many the whole run sent. The count is
kept per process, at the innermost transport, so that retries, the official SDK's requests and the
fuzzing's all count; a front-end attributes the difference between two snapshots to whatever ran
between them.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from http import HTTPStatus

__all__ = ["Traffic", "count_answer", "count_request", "traffic_so_far"]


@dataclass(frozen=True, slots=True)
class Traffic:
    """Requests sent and, of their answers, how many were ``429`` (rate limited)."""

    requests: int = 0
    rate_limited: int = 0

    def __add__(self, other: Traffic) -> Traffic:
        """Return the two counts together."""
        return Traffic(self.requests + other.requests, self.rate_limited + other.rate_limited)

    def __sub__(self, other: Traffic) -> Traffic:
        """Return what was counted since the earlier snapshot ``other``."""
        return Traffic(self.requests - other.requests, self.rate_limited - other.rate_limited)

    def to_dict(self) -> dict[str, int]:
        """Return the JSON-ready form."""
        return {"requests": self.requests, "rate_limited": self.rate_limited}


class _Counter:
    """The process's running count; transports of several threads (a concurrent scenario's) share it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests = 0
        self._rate_limited = 0

    def count_request(self) -> None:
        with self._lock:
            self._requests += 1

    def count_rate_limited(self) -> None:
        with self._lock:
            self._rate_limited += 1

    def snapshot(self) -> Traffic:
        with self._lock:
            return Traffic(self._requests, self._rate_limited)


_COUNTER = _Counter()


def count_request() -> None:
    """Count one request as it leaves: it counts whether an answer comes or not (a stopped run's last one too)."""
    _COUNTER.count_request()


def count_answer(status: int) -> None:
    """Note the status of an answer: a ``429`` (rate limited) is counted apart."""
    if status == HTTPStatus.TOO_MANY_REQUESTS:
        _COUNTER.count_rate_limited()


def traffic_so_far() -> Traffic:
    """Return everything this process has sent so far."""
    return _COUNTER.snapshot()
