"""Per-test cassettes: vcrpy with redaction, a JSON file format, and one indexed matcher.

vcrpy's default matching runs every matcher against every stored interaction for each request;
here each request is reduced to a ``RequestKey`` once and looked up in a dict, so replay cost stays
linear in the number of requests. A request the cassette cannot answer while the cassette may not
record raises ``CassetteMiss``, naming the test, the request and the closest recorded one.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Collection
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, cast

from vcr.cassette import Cassette
from vcr.record_mode import RecordMode
from vcr.request import Request as VcrRequest

from conformance.recording import serializer as cassette_serializer
from conformance.recording.compat import make_vcr_responses_urllib3_compatible
from conformance.recording.miss import CassetteMiss, CassetteState, MissHandler, ReplayMismatch, cassette_miss
from conformance.recording.modes import RecordingPlan
from conformance.recording.scrub import content_type_of, scrub_request, scrub_response
from conformance.recording.signature import RequestKey, request_key

__all__ = ["CassetteMiss", "IndexedCassette", "MissHandler", "ReplayMismatch", "key_of", "use_cassette"]


def key_of(request: VcrRequest) -> RequestKey:
    """Return the matching key of a vcrpy request."""
    return request_key(request.method, request.uri, request.body, content_type_of(request.headers))


def same_request(first: VcrRequest, second: VcrRequest) -> None:
    """Match for vcrpy: the two requests have the same key (raises ``AssertionError`` otherwise)."""
    assert key_of(first) == key_of(second), "method, path, query or body differ"


class IndexedCassette(Cassette):  # type: ignore[misc]
    """A vcrpy cassette that finds answers through a dict of request keys."""

    def __init__(
        self,
        *args: Any,
        label: str = "",
        cited: Collection[str] = (),
        on_miss: MissHandler | None = None,
        rerecord_hint: str = "",
        **kwargs: Any,
    ) -> None:
        """Create the cassette; ``label`` names the test, ``cited`` its requirement IDs."""
        super().__init__(*args, **kwargs)
        self.label = label
        self.cited = tuple(cited)
        self.on_miss = on_miss
        self.rerecord_hint = rerecord_hint
        self.misses: list[CassetteMiss] = []
        self._loading = False
        self.load_error: str | None = None
        self._index: dict[RequestKey, deque[int]] = {}
        self._keys: list[RequestKey] = []

    def _load(self) -> None:
        self._loading = True
        try:
            super()._load()
        except (ValueError, KeyError, TypeError) as exc:  # a damaged file: every request will say so
            self.load_error = f"the cassette file could not be read ({type(exc).__name__}: {str(exc)[:200]})"
            self.data.clear()
        finally:
            self._loading = False

    def append(self, request: VcrRequest, response: Any) -> None:
        """Add an interaction; one loaded from the file was redacted when recorded, so it is kept as is."""
        if self._loading:
            self.data.append((request, response))
            self.dirty = True
            return
        super().append(request, response)

    def _ensure_index(self) -> None:
        for index in range(len(self._keys), len(self.data)):
            key = key_of(self.data[index][0])
            self._keys.append(key)
            self._index.setdefault(key, deque()).append(index)

    def _next_unplayed(self, key: RequestKey) -> int | None:
        self._ensure_index()
        candidates = self._index.get(key)
        if not candidates:
            return None
        for index in candidates:
            if self.play_counts[index] == 0 or self.allow_playback_repeats:
                return index
        return None

    def _key(self, request: VcrRequest) -> RequestKey | None:
        cached = getattr(request, "_conformance_key", None)
        if cached is not None:
            return cast(RequestKey, cached)
        filtered = self._before_record_request(request)
        if not filtered:
            return None
        key = key_of(filtered)
        request._conformance_key = key
        return key

    def _responses(self, request: VcrRequest) -> Any:
        key = self._key(request)
        if key is None:
            return
        self._ensure_index()
        for index in self._index.get(key, ()):
            yield index, self.data[index][1]

    def __contains__(self, request: VcrRequest) -> bool:
        """Tell whether an unplayed interaction answers ``request``."""
        key = self._key(request)
        return key is not None and self._next_unplayed(key) is not None

    def can_play_response_for(self, request: VcrRequest) -> bool:
        """Tell whether to answer from the cassette; raise ``CassetteMiss`` if it must but cannot."""
        key = self._key(request)
        if key is None:
            return False
        playable = self.record_mode != RecordMode.ALL and (self.rewound or self.allow_playback_repeats)
        if playable and self._next_unplayed(key) is not None:
            return True
        if self.write_protected:
            raise self._miss(key, scrub_request(request))
        return False

    def play_response(self, request: VcrRequest) -> Any:
        """Return the next unplayed response recorded for ``request`` and mark it played."""
        key = self._key(request)
        index = self._next_unplayed(key) if key is not None else None
        if index is None or key is None:
            raise self._miss(key or key_of(request), scrub_request(request))
        if self.play_counts[index] == 0 and index < self._loaded_count:
            self._played_interactions.append((self.data[index][0], self.data[index][1]))
        self.play_counts[index] += 1
        return self.data[index][1]

    def _miss(self, key: RequestKey, clean: VcrRequest) -> CassetteMiss:
        self._ensure_index()
        state = CassetteState(
            path=self._path,
            keys=self._keys,
            played=lambda index: bool(self.play_counts[index]),
            loaded=bool(self.rewound),
            load_error=self.load_error,
            record_mode=self.record_mode.value,
            play_count=self.play_count,
            label=self.label,
            cited=self.cited,
            rerecord_hint=self.rerecord_hint,
        )
        evidence = {"method": clean.method, "url": clean.uri, "headers": dict(clean.headers), "body": _text(clean.body)}
        miss = cassette_miss(key, state, evidence)
        self.misses.append(miss)
        if self.on_miss is not None:
            self.on_miss(miss)
        return miss


def use_cassette(
    path: Path,
    plan: RecordingPlan,
    *,
    label: str = "",
    cited: Collection[str] = (),
    on_miss: MissHandler | None = None,
) -> AbstractContextManager[IndexedCassette]:
    """Return a context manager that records into or replays from the cassette at ``path``."""
    make_vcr_responses_urllib3_compatible()
    return cast(
        AbstractContextManager[IndexedCassette],
        IndexedCassette.use(
            path=str(path),
            serializer=cassette_serializer,
            record_mode=RecordMode(plan.vcr_mode),
            match_on=(same_request,),
            before_record_request=scrub_request,
            before_record_response=scrub_response,
            label=label,
            cited=cited,
            on_miss=on_miss,
            rerecord_hint=plan.rerecord_hint,
        ),
    )


def _text(body: Any) -> str:
    if isinstance(body, bytes):
        return body.decode("utf-8", "replace")
    return "" if body is None else str(body)
