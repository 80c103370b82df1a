"""The run ledger: every object a run creates, tagged with the run and written down as it is made.

Whatever creates it (a scenario, a fuzz scratch object, a generated ``POST``), an object made
through the run's transport is found again in two independent ways:

- its *tag*: a create call to a top-level collection (customers, webhook endpoints) gets
  ``metadata[conformance_run]=<run id>`` added, or, where the body leaves no room for it (it
  already carries 50 metadata keys, or unsets ``metadata``), ``description`` names the run;
- the *ledger*: each successful create is appended, as one JSON line, to the run's ledger file
  (``ledger.jsonl`` in the report directory), and each successful delete after it.

A later call may take the tag off again: a fuzzed update that unsets ``metadata`` or overwrites
``description``, or a generated create whose body left no room for the tag. Such a call is sent
and judged exactly as generated; its answer marks the object *untagged* in the ledger, and one
follow-up request puts the tag back (:meth:`LedgerTransport.restore_tags`) once the checks that
read the object as the call left it are done (at the latest when its teardown starts).

Cards and sources are recorded under their customer and go with it. Teardown deletes through the
ledger without retries and behind a breaker, so a target whose deletes all fail costs a handful of
requests, not a retry storm; what could not be deleted is listed in the report and stays in the
ledger for ``stripe-conformance cleanup --ledger``.
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlsplit, urlunsplit

from conformance.http.exchange import Request, Response
from conformance.http.transport import Transport, TransportError
from conformance.targets.cleanup import DESCRIPTION_PREFIX, DESCRIPTION_TAG, RUN_METADATA_KEY

LEDGER_NAME = "ledger.jsonl"
MAX_METADATA_KEYS = 50
"""Stripe accepts at most 50 metadata keys on an object (docs.stripe.com/metadata)."""
BREAKER_FAILURES = 5
"""Consecutive failed teardown deletes after which teardown stops sending them."""
BREAKER_PROBE_EVERY = 10
"""While the breaker is open, every N-th teardown delete is still sent, to notice a recovered target."""

TAGGED_COLLECTIONS = ("/v1/customers", "/v1/webhook_endpoints")
"""Top-level collections whose created objects carry the run tag (children go with their parent)."""
_TAGGED_OBJECT = re.compile(r"^/v1/(?:customers|webhook_endpoints)/[^/]+$")
_CHILD_COLLECTION = re.compile(r"^/v1/customers/(?P<parent>[^/]+)/(?:sources|cards)$")
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
_NOT_COPIED = frozenset({"idempotency-key", "content-length", "content-type"})
"""Headers of the call that took a tag off that its follow-up does not reuse."""
NOT_SENT = 599
"""The status of a teardown delete the open breaker did not send (the object stays in the ledger)."""


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """One object the run created: its type, id, the path that deletes it, and its parent's path."""

    type: str
    id: str
    path: str
    parent: str | None = None


@dataclass(frozen=True, slots=True)
class DeleteFailure:
    """A teardown delete that did not remove its object: ``status`` is the HTTP status or why none came."""

    entry: LedgerEntry
    status: int | str

    def to_dict(self) -> dict[str, Any]:
        """Return the report's form: ``{"type", "id", "status"}``."""
        return {"type": self.entry.type, "id": self.entry.id, "status": self.status}


class RunLedger:
    """The objects one run created and has not deleted yet; appended to ``path`` as they change."""

    def __init__(self, run_id: str, path: Path | None = None) -> None:
        """Keep the ledger of ``run_id``; with ``path``, also write every change there at once."""
        self.run_id = run_id
        self.path = path
        self._lock = threading.Lock()
        self._open: dict[str, LedgerEntry] = {}
        self._untagged: dict[str, str] = {}
        self.uncertain = False
        """True once a create call got no answer: it may have made an object only the run tag can find."""

    def created(self, entry: LedgerEntry) -> None:
        """Record a created object."""
        with self._lock:
            self._open[entry.path] = entry
            self._write({"event": "created", "run": self.run_id, **_entry_dict(entry)})

    def deleted(self, path: str) -> None:
        """Record that the object at ``path`` is gone (and its children with it)."""
        with self._lock:
            gone = [p for p, e in self._open.items() if p == path or e.parent == path]
            for key in gone:
                del self._open[key]
                self._untagged.pop(key, None)
            if gone:
                self._write({"event": "deleted", "run": self.run_id, "path": path})

    def untagged(self, path: str, form: str) -> None:
        """Record that the open object at ``path`` lost the run tag; ``form`` is the body that puts it back."""
        with self._lock:
            if path in self._open and path not in self._untagged:
                self._untagged[path] = form
                self._write({"event": "untagged", "run": self.run_id, "path": path, "form": form})

    def retagged(self, path: str) -> None:
        """Record that the object at ``path`` carries the run tag again."""
        with self._lock:
            if self._untagged.pop(path, None) is not None:
                self._write({"event": "retagged", "run": self.run_id, "path": path})

    def to_retag(self) -> list[tuple[str, str]]:
        """The open objects that lost the run tag, each with the form body that puts it back."""
        with self._lock:
            return [(path, form) for path, form in self._untagged.items() if path in self._open]

    def failed(self, failure: DeleteFailure) -> None:
        """Record a teardown delete that failed (the object stays open)."""
        with self._lock:
            self._write({"event": "delete_failed", "run": self.run_id, "status": failure.status,
                         **_entry_dict(failure.entry)})

    def unanswered_create(self, path: str) -> None:
        """Record a create call that got no answer (interrupted, cut off): sweep the run's tag at teardown."""
        with self._lock:
            if not self.uncertain:
                self.uncertain = True
                self._write({"event": "unanswered_create", "run": self.run_id, "path": path})

    def knows(self, path: str) -> bool:
        """True when ``path`` is an object of this run not deleted yet."""
        with self._lock:
            return path in self._open

    def outstanding(self) -> list[LedgerEntry]:
        """The objects not deleted yet, oldest first, children whose parent is open left out."""
        with self._lock:
            entries = list(self._open.values())
        return [e for e in entries if e.parent is None or e.parent not in self._open]

    def _write(self, record: dict[str, Any]) -> None:
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(record) + "\n")
            handle.flush()


def _entry_dict(entry: LedgerEntry) -> dict[str, Any]:
    return {"type": entry.type, "id": entry.id, "path": entry.path, "parent": entry.parent}


class LedgerError(ValueError):
    """A ledger file cannot be read (one clear line naming it)."""


def read_ledger(path: Path) -> tuple[list[LedgerEntry], list[dict[str, Any]]]:
    """Return the objects a ledger file leaves undeleted and its failed-delete records of those."""
    ledger, failures = _replay_file(path)
    outstanding = ledger.outstanding()
    ids = {entry.id for entry in outstanding}
    return outstanding, [f for f in failures if f["id"] in ids]


def load_ledger(path: Path, run_id: str) -> RunLedger:
    """The ledger a file holds (written by this run's processes), appending to the same file from now on."""
    ledger = _replay_file(path)[0]
    ledger.run_id, ledger.path = run_id, path
    return ledger


def _replay_file(path: Path) -> tuple[RunLedger, list[dict[str, Any]]]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise LedgerError(f"{path}: cannot read the run ledger ({exc.__class__.__name__})") from None
    ledger = RunLedger("")
    failures: list[dict[str, Any]] = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            event = record["event"]
            if event == "created":
                ledger.created(LedgerEntry(record["type"], record["id"], record["path"], record.get("parent")))
            elif event == "deleted":
                ledger.deleted(record["path"])
            elif event == "delete_failed":
                failures.append({"type": record["type"], "id": record["id"], "status": record["status"]})
            elif event == "unanswered_create":
                ledger.uncertain = True
            elif event == "untagged":
                ledger.untagged(record["path"], str(record["form"]))
            elif event == "retagged":
                ledger.retagged(record["path"])
        except (ValueError, KeyError, TypeError):
            raise LedgerError(f"{path}:{number}: not a run ledger line") from None
    return ledger, failures


def ledger_run_id(path: Path) -> str | None:
    """The run id a ledger file records (None for an empty ledger)."""
    try:
        with path.open(encoding="utf-8") as handle:
            first = handle.readline()
        return str(json.loads(first)["run"]) if first.strip() else None
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError):
        raise LedgerError(f"{path}: cannot read the run ledger") from None


def tag_request(request: Request, run_id: str) -> Request:
    """Return ``request`` with the run tag added when it creates a top-level object, else unchanged."""
    if request.method != "POST" or urlsplit(request.url).path not in TAGGED_COLLECTIONS:
        return request
    content_type = (request.header("Content-Type") or FORM_CONTENT_TYPE).split(";")[0].strip().lower()
    if content_type != FORM_CONTENT_TYPE:
        return request
    try:
        pairs = parse_qsl(request.body.decode("utf-8"), keep_blank_values=True, strict_parsing=bool(request.body))
    except (UnicodeDecodeError, ValueError):
        return request  # a body that is not a form: a negative case, sent as generated
    keys = [unquote(key) for key, _ in pairs]
    if f"metadata[{RUN_METADATA_KEY}]" in keys:
        return request
    metadata = [key for key in keys if key.startswith("metadata[")]
    if "metadata" not in keys and len(metadata) < MAX_METADATA_KEYS:
        added = f"metadata[{RUN_METADATA_KEY}]={run_id}"
    elif "description" not in keys:
        added = "description=" + quote(DESCRIPTION_PREFIX + run_id)
    else:
        return request
    body = request.body + (b"&" if request.body else b"") + added.encode("ascii")
    return Request(request.method, request.url, request.headers, body)


def carries_tag(body: Any, run_id: str) -> bool:
    """True when an answered object names ``run_id`` in its metadata or in its description."""
    if not isinstance(body, dict):
        return False
    metadata = body.get("metadata")
    if isinstance(metadata, dict) and metadata.get(RUN_METADATA_KEY) == run_id:
        return True
    described = DESCRIPTION_TAG.match(str(body.get("description") or ""))
    return described is not None and described.group("run") == run_id


def retag_form(body: Any, run_id: str) -> str:
    """The form body that puts the run tag on an answered object: metadata while it has room, else description."""
    metadata = body.get("metadata") if isinstance(body, dict) else None
    if isinstance(metadata, dict) and len(metadata) < MAX_METADATA_KEYS:
        return f"metadata[{RUN_METADATA_KEY}]={quote(run_id)}"
    return "description=" + quote(DESCRIPTION_PREFIX + run_id)


def created_entry(request: Request, response: Response) -> LedgerEntry | None:
    """The object a successful create call made, or None when the call created nothing."""
    if request.method != "POST" or response.status != 200:
        return None
    body = response.json()
    if not isinstance(body, dict) or not isinstance(body.get("id"), str) or not isinstance(body.get("object"), str):
        return None
    path = urlsplit(request.url).path
    if path in TAGGED_COLLECTIONS:
        return LedgerEntry(body["object"], body["id"], f"{path}/{body['id']}")
    child = _CHILD_COLLECTION.match(path)
    if child is not None:
        parent = f"/v1/customers/{child.group('parent')}"
        return LedgerEntry(body["object"], body["id"], f"{path}/{body['id']}", parent)
    return None


class LedgerTransport:
    """The run's outermost transport: tags creates, records what they made and what deletes removed.

    ``plain`` is the stack below the retries: teardown deletes (:meth:`teardown`) go there once,
    behind a breaker. ``checkpoint`` runs before every other request (a stop request raises there).
    """

    def __init__(
        self,
        inner: Transport,
        ledger: RunLedger,
        *,
        plain: Transport | None = None,
        checkpoint: Callable[[], None] | None = None,
    ) -> None:
        """Send through ``inner`` (teardown deletes through ``plain``), recording into ``ledger``."""
        self.inner = inner
        self.ledger = ledger
        self._plain = plain or inner
        self._checkpoint = checkpoint
        self._local = threading.local()
        self._origins: dict[str, Request] = {}
        """The call that took the tag off each untagged object (its URL and headers address the follow-up)."""
        self._failures_in_a_row = 0
        self._skipped = 0

    def send(self, request: Request) -> Response:
        """Send ``request`` (tagged when it creates), record the outcome in the ledger."""
        sent = tag_request(request, self.ledger.run_id)
        if getattr(self._local, "teardown", False) and sent.method == "DELETE":
            return self._teardown_delete(sent)  # cleanup goes on whatever stops the run
        if self._checkpoint is not None:
            self._checkpoint()
        try:
            response = self.inner.send(sent)
        except BaseException:
            if sent is not request or _CHILD_COLLECTION.match(urlsplit(sent.url).path):
                self.ledger.unanswered_create(urlsplit(sent.url).path)
            raise
        self._observe(sent, response)
        return response

    @contextlib.contextmanager
    def teardown(self) -> Iterator[None]:
        """Inside the block, deletes are teardown: sent once, without retries, behind the breaker.

        Entering it first puts the run tag back on the objects that lost it (:meth:`restore_tags`),
        so that whatever the deletes leave behind is found by its tag.
        """
        previous = getattr(self._local, "teardown", False)
        if not previous:
            self.restore_tags()
        self._local.teardown = True
        try:
            yield
        finally:
            self._local.teardown = previous

    def restore_tags(self) -> int:
        """Put the run tag back on each object a call took it off: one POST each, no retries; return how many.

        Call it once the checks that read those objects as the calls left them are done. An object
        whose follow-up fails stays untagged in the ledger (which still finds it).
        """
        restored = 0
        for path, form in self.ledger.to_retag():
            origin = self._origins.get(path)
            if origin is None:
                continue
            parts = urlsplit(origin.url)
            kept = tuple((k, v) for k, v in origin.headers if k.lower() not in _NOT_COPIED)
            request = Request("POST", urlunsplit((parts.scheme, parts.netloc, path, "", "")),
                              (*kept, ("Content-Type", FORM_CONTENT_TYPE)), form.encode("ascii"))
            try:
                response = self._plain.send(request)
            except TransportError:
                continue
            if response.status == 200 and carries_tag(response.json(), self.ledger.run_id):
                self.ledger.retagged(path)
                self._origins.pop(path, None)
                restored += 1
        return restored

    def _observe(self, request: Request, response: Response) -> None:
        entry = created_entry(request, response)
        path = urlsplit(request.url).path
        if entry is not None:
            self.ledger.created(entry)
            if entry.parent is None:
                self._watch_tag(entry.path, request, response)
        elif request.method == "DELETE" and response.status in (200, 404):
            self.ledger.deleted(path)
        elif self._updated_run_object(request, response, path):
            self._watch_tag(path, request, response)

    def _updated_run_object(self, request: Request, response: Response, path: str) -> bool:
        """True for an accepted POST to a tagged object of this run (an update)."""
        tagged = request.method == "POST" and response.status == 200 and _TAGGED_OBJECT.match(path) is not None
        return tagged and self.ledger.knows(path)

    def _watch_tag(self, path: str, request: Request, response: Response) -> None:
        """Mark the object at ``path`` untagged when the answer to ``request`` lacks the run tag."""
        body = response.json()
        if carries_tag(body, self.ledger.run_id):
            return
        self._origins[path] = request
        self.ledger.untagged(path, retag_form(body, self.ledger.run_id))

    def _teardown_delete(self, request: Request) -> Response:
        if self._failures_in_a_row >= BREAKER_FAILURES:
            self._skipped += 1
            if self._skipped % BREAKER_PROBE_EVERY:
                # Left in the ledger for the run's final teardown; no check reads a teardown answer.
                return Response(NOT_SENT, (), b"", request)
        try:
            response = self._plain.send(request)
        except TransportError:
            self._note(False)
            raise
        self._observe(request, response)
        self._note(response.status in (200, 404))
        return response

    def _note(self, ok: bool) -> None:
        self._failures_in_a_row = 0 if ok else self._failures_in_a_row + 1
        if ok:
            self._skipped = 0

    def close(self) -> None:
        """Close the wrapped transport."""
        self.inner.close()


def restore_tags_of(transport: object) -> None:
    """Put the run tag back on the objects calls took it off, when ``transport`` is a ledger transport."""
    if isinstance(transport, LedgerTransport):
        transport.restore_tags()


@contextlib.contextmanager
def teardown_of(transport: object) -> Iterator[None]:
    """Make deletes sent through ``transport`` teardown deletes, when it is a ledger transport."""
    if isinstance(transport, LedgerTransport):
        with transport.teardown():
            yield
    else:
        yield


def tear_down(
    ledger: RunLedger,
    delete: Callable[[str], Response],
    *,
    budget: float,
    clock: Callable[[], float] = time.monotonic,
    retag: Callable[[str, str], Response] | None = None,
) -> list[DeleteFailure]:
    """Delete every object the ledger still holds, once each, within ``budget`` seconds and behind a breaker.

    Returns what could not be deleted: failed answers, no answer, or not attempted (breaker open,
    budget spent). Each outcome is also written to the ledger. With ``retag`` (path, form body), an
    object left behind that had lost the run tag gets it back, so that a sweep by tag finds it.
    """
    ends = clock() + budget
    failures: list[DeleteFailure] = []
    in_a_row = 0
    for entry in reversed(ledger.outstanding()):
        if not ledger.knows(entry.path):
            continue  # went with its parent
        status: int | str
        if in_a_row >= BREAKER_FAILURES:
            status = f"not attempted: {BREAKER_FAILURES} deletes in a row failed"
        elif clock() >= ends:
            status = "not attempted: the teardown time ran out"
        else:
            try:
                response = delete(entry.path)
                status = response.status
            except TransportError as exc:
                status = str(exc)
            if status in (200, 404):
                ledger.deleted(entry.path)
                in_a_row = 0
                continue
            in_a_row += 1
        failure = DeleteFailure(entry, status)
        ledger.failed(failure)
        failures.append(failure)
    if retag is not None:
        _retag_left(ledger, retag, lambda: clock() < ends)
    return failures


def _retag_left(ledger: RunLedger, retag: Callable[[str, str], Response], in_time: Callable[[], bool]) -> None:
    for path, form in ledger.to_retag():
        if not in_time():
            return
        try:
            response = retag(path, form)
        except TransportError:
            continue
        if response.status == 200 and carries_tag(response.json(), ledger.run_id):
            ledger.retagged(path)
