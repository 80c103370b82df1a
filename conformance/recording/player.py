"""Replay at the transport seam: answer each request from the running test's cassette, no sockets.

A replay used to go through vcrpy, which patches every HTTP client library it supports in and out
around each cassette, then rebuilds each answer as an ``http.client`` response for urllib3 to read.
``ReplayTransport`` sits where ``Urllib3Transport`` sits in the stack and answers from the same
JSON cassette files (vcrpy's format, read by the same serializer) through the same key as
``IndexedCassette``: a request is reduced to what urllib3 would have put on the wire, redacted as
recording redacted it, keyed by ``request_key``; each recording plays once, in order. A request
the cassette cannot answer raises the same ``CassetteMiss``. vcrpy is never imported.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from urllib3.util.url import _encode_target, parse_url

from conformance.http.exchange import Request, Response
from conformance.http.redaction import redact_body, redact_header, redact_url
from conformance.recording import serializer as cassette_serializer
from conformance.recording.miss import CassetteMiss, CassetteState, MissHandler, cassette_miss
from conformance.recording.modes import RecordingPlan
from conformance.recording.network import NetworkBlockedError
from conformance.recording.signature import RequestKey, request_key

_DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True, slots=True)
class RecordedAnswer:
    """One recorded response, as ``Urllib3Transport`` would have returned it from vcrpy's stub."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes


class PlayedCassette:
    """One test's cassette file, loaded for replay: answers by request key, each played once."""

    def __init__(
        self,
        path: Path,
        *,
        label: str = "",
        cited: tuple[str, ...] = (),
        on_miss: MissHandler | None = None,
        rerecord_hint: str = "",
    ) -> None:
        """Load ``path``; a missing or damaged file leaves the cassette empty, and every request says why."""
        self.path = path
        self.label = label
        self.cited = cited
        self.on_miss = on_miss
        self.rerecord_hint = rerecord_hint
        self.misses: list[CassetteMiss] = []
        self.keys: list[RequestKey] = []
        self.answers: list[RecordedAnswer] = []
        self.loaded = False
        self.load_error: str | None = None
        self._played: list[bool] = []
        self._index: dict[RequestKey, list[int]] = {}
        self._load()

    @property
    def play_count(self) -> int:
        """How many recordings were played so far."""
        return sum(self._played)

    def __len__(self) -> int:
        """The number of recorded interactions."""
        return len(self.keys)

    def answer(self, request: Request) -> Response:
        """Return the next unplayed answer recorded for ``request``; raise ``CassetteMiss`` if none."""
        started = time.perf_counter()
        key = sent_key(request)
        index = next((i for i in self._index.get(key, ()) if not self._played[i]), None)
        if index is None:
            raise self._miss(key, request)
        self._played[index] = True
        answer = self.answers[index]
        return Response(answer.status, answer.headers, answer.body, request, time.perf_counter() - started)

    def _miss(self, key: RequestKey, request: Request) -> CassetteMiss:
        state = CassetteState(
            path=self.path,
            keys=self.keys,
            played=self._played.__getitem__,
            loaded=self.loaded,
            load_error=self.load_error,
            record_mode="none",
            play_count=self.play_count,
            label=self.label,
            cited=self.cited,
            rerecord_hint=self.rerecord_hint,
        )
        miss = cassette_miss(key, state, sent_evidence(request))
        self.misses.append(miss)
        if self.on_miss is not None:
            self.on_miss(miss)
        return miss

    def _load(self) -> None:
        """Read the file as vcrpy's filesystem persister would; a damaged one sets ``load_error``."""
        if not self.path.is_file():
            return
        try:
            text = self.path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            return  # vcrpy treats an undecodable file as empty: "the cassette file could not be read"
        if not text.strip():
            return  # an empty file counts as no cassette
        try:
            interactions = [_interaction(item) for item in _interactions(cassette_serializer.deserialize(text))]
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            self.load_error = f"the cassette file could not be read ({type(exc).__name__}: {str(exc)[:200]})"
            return
        for index, (key, answer) in enumerate(interactions):
            self.keys.append(key)
            self.answers.append(answer)
            self._index.setdefault(key, []).append(index)
        self._played = [False] * len(self.keys)
        self.loaded = True


class ReplayTransport:
    """A transport that answers from the running test's cassette (see ``playing``); it opens no socket.

    It replaces ``Urllib3Transport`` at the bottom of a run's stack, so retries, token minting and
    everything above it behave as they did when the set was recorded.
    """

    def __init__(self, plan: RecordingPlan) -> None:
        """Replay the cassettes of ``plan`` (whose record mode is ``none``)."""
        self.plan = plan
        self.cassette: PlayedCassette | None = None

    @contextmanager
    def playing(
        self, path: Path, *, label: str = "", cited: tuple[str, ...] = (), on_miss: MissHandler | None = None
    ) -> Iterator[PlayedCassette]:
        """Answer from the cassette at ``path`` inside the block."""
        cassette = PlayedCassette(
            path, label=label, cited=cited, on_miss=on_miss, rerecord_hint=self.plan.rerecord_hint
        )
        previous, self.cassette = self.cassette, cassette
        try:
            yield cassette
        finally:
            self.cassette = previous

    def send(self, request: Request) -> Response:
        """Answer ``request`` from the current cassette; outside any cassette nothing may be sent."""
        if self.cassette is None:
            raise NetworkBlockedError(
                f"replaying cassettes: refused {request.method} {redact_url(request.url)} sent outside any test"
            )
        return self.cassette.answer(request)

    def close(self) -> None:
        """Nothing to release: no connection is ever opened."""


def sent_key(request: Request) -> RequestKey:
    """Return the key of ``request`` as a recording stored it: the URL urllib3 sends, redacted."""
    content_type = _content_type(dict(request.headers))
    if content_type is not None:
        content_type = redact_header("Content-Type", content_type)
    uri = redact_url(_wire_uri(request.url))
    return request_key(request.method, uri, redact_body(request.body, content_type), content_type)


def sent_evidence(request: Request) -> dict[str, Any]:
    """Return ``request`` redacted as a recording stores it (method, URL, headers, body), for a miss."""
    headers = {name: redact_header(name, value) for name, value in dict(request.headers).items()}
    content_type = _content_type(headers)
    return {
        "method": request.method,
        "url": redact_url(_wire_uri(request.url)),
        "headers": headers,
        "body": redact_body(request.body, content_type).decode("utf-8", "replace"),
    }


def _wire_uri(url: str) -> str:
    """The absolute URI vcrpy records for ``url``: urllib3's normalised request target on the host."""
    parsed = parse_url(url)
    scheme = parsed.scheme or "http"
    port = f":{parsed.port}" if parsed.port and parsed.port != _DEFAULT_PORTS.get(scheme) else ""
    return f"{scheme}://{parsed.host or ''}{port}{_encode_target(parsed.request_uri)}"


def _interactions(cassette: Any) -> list[Any]:
    if not isinstance(cassette, dict) or not isinstance(cassette.get("interactions"), list):
        raise ValueError("not a cassette: no list of interactions")
    return list(cassette["interactions"])


def _interaction(item: Mapping[str, Any]) -> tuple[RequestKey, RecordedAnswer]:
    request, response = item["request"], item["response"]
    headers = request["headers"]
    key = request_key(request["method"], request["uri"], _bytes(request["body"]), _content_type(headers))
    status = int(response["status"]["code"])
    recorded = response["headers"]
    pairs = tuple(
        (name, str(value))
        for name, values in recorded.items()
        if name.lower() != "transfer-encoding"  # as vcrpy: the stored body is no longer chunked
        for value in (values if isinstance(values, list | tuple) else [values])
    )
    return key, RecordedAnswer(status, pairs, _bytes(response["body"]["string"]))


def _content_type(headers: Mapping[str, Any]) -> str | None:
    for name, value in headers.items():
        if name.lower() == "content-type":
            if isinstance(value, list | tuple):
                return str(value[0]) if value else ""
            return str(value)
    return None


def _bytes(body: Any) -> bytes:
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    return str(body).encode("utf-8")


def unreadable_cassette(path: Path) -> str | None:
    """Why the cassette at ``path`` cannot be replayed (a damaged file), or None (readable, or absent)."""
    if not path.is_file():
        return None
    try:
        text = path.read_text(encoding="utf-8")
        if text.strip():
            [_interaction(item) for item in _interactions(cassette_serializer.deserialize(text))]
    except (UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError) as exc:
        return f"{type(exc).__name__}: {str(exc)[:200]}"
    return None
