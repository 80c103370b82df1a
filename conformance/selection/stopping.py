"""Stopping a run early: SIGINT and SIGTERM become one recorded stop request, never a silent end.

The handler records which signal arrived and raises :class:`RunStopped` (a ``KeyboardInterrupt``,
which pytest turns into an orderly session end). An exception raised where Python cannot
propagate it, such as inside a garbage-collector callback of Hypothesis, is swallowed; the
request stays recorded, and the next :func:`checkpoint` (before every scenario and every request)
raises it again. While the run cleans up and writes its reports (:func:`holding`) a further
signal is recorded but raises nothing, so the reports are always written.

A process that runs parts of the run elsewhere (the pytest-xdist controller) passes the stop on
(:func:`on_request`): its workers get the same signal at once instead of finishing what they had
queued. A signal repeated within :data:`REPEAT_GAP` (the terminal's Ctrl-C reaches a worker too,
and so does the controller's copy of it) raises nothing more while the first one is unwinding.
"""

from __future__ import annotations

import gc
import signal
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import FrameType
from typing import Any

SIGNAL_OUTCOMES = {"SIGINT": "interrupted", "SIGTERM": "terminated"}
"""The run outcome each handled signal gives (``conformance.reporting.model.RUN_OUTCOMES``)."""
REPEAT_GAP = 1.0
"""Seconds after a signal raised during which the same stop request arriving again only is recorded."""


class RunStopped(KeyboardInterrupt):
    """A signal asked the run to stop."""


@dataclass
class _StopState:
    signal_name: str | None = None
    holding: int = 0
    installed: int = 0
    previous: dict[int, Any] | None = None
    raised_at: float | None = None
    listeners: list[Callable[[int], None]] = field(default_factory=list)


_STATE = _StopState()


def requested() -> str | None:
    """The name of the signal that asked this process to stop (``SIGINT``/``SIGTERM``), or None."""
    return _STATE.signal_name


def outcome() -> str | None:
    """The run outcome the stop request gives (``interrupted``/``terminated``), or None."""
    return SIGNAL_OUTCOMES.get(_STATE.signal_name or "")


def request(signal_name: str) -> None:
    """Record a stop request (the first one wins); tests and the handler call this."""
    if _STATE.signal_name is None:
        _STATE.signal_name = signal_name


def reset() -> None:
    """Forget any stop request (a new run in the same process)."""
    _STATE.signal_name = None
    _STATE.raised_at = None


def checkpoint() -> None:
    """Raise :class:`RunStopped` if a stop was requested and the run is not cleaning up."""
    if _STATE.signal_name is not None and not _STATE.holding:
        raise RunStopped(_STATE.signal_name)


def on_request(listener: Callable[[int], None]) -> Callable[[], None]:
    """Call ``listener(signum)`` when a signal first asks this process to stop; return what unregisters it."""
    _STATE.listeners.append(listener)

    def remove() -> None:
        if listener in _STATE.listeners:
            _STATE.listeners.remove(listener)

    return remove


def _unraisable_in(frame: FrameType | None) -> bool:
    """True when an exception raised in ``frame`` could not propagate (a callback or finalizer runs it).

    That is a weakref callback, a finalizer, or a garbage-collector callback (``gc.callbacks``, such as
    Hypothesis' own) anywhere below it.

    Python prints such an exception as "ignored" with its traceback (pytest as an unraisable-exception
    warning) and carries on; the stop is recorded anyway and the next checkpoint raises it.
    """
    if frame is None:
        return False
    if frame.f_code.co_name == "__del__" or frame.f_code.co_filename == weakref.__file__:
        return True
    callbacks = {getattr(callback, "__code__", None) for callback in gc.callbacks}
    while frame is not None:
        if frame.f_code in callbacks:
            return True
        frame = frame.f_back
    return False


def _handle(signum: int, frame: FrameType | None) -> None:
    first = _STATE.signal_name is None
    request(signal.Signals(signum).name)
    if first:
        for listener in list(_STATE.listeners):
            listener(signum)
    now = time.monotonic()
    if _STATE.raised_at is not None and now - _STATE.raised_at < REPEAT_GAP:
        return  # the same stop again (a copy of one signal): the first one is still unwinding
    if _unraisable_in(frame):
        return
    if not _STATE.holding:
        _STATE.raised_at = now
    checkpoint()


@contextmanager
def installed() -> Iterator[None]:
    """Handle SIGINT and SIGTERM inside the block (main thread only; nested blocks share one install)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    if not _STATE.installed:
        _STATE.previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
        for sig in _STATE.previous:
            signal.signal(sig, _handle)
    _STATE.installed += 1
    try:
        yield
    finally:
        _STATE.installed -= 1
        if not _STATE.installed and _STATE.previous is not None:
            for sig, handler in _STATE.previous.items():
                signal.signal(sig, handler)
            _STATE.previous = None


def install() -> Callable[[], None]:
    """Enter :func:`installed` until the returned function is called (for hook pairs such as configure/unconfigure)."""
    block = installed()
    block.__enter__()

    def restore() -> None:
        block.__exit__(None, None, None)

    return restore


def hold() -> Callable[[], None]:
    """Enter :func:`holding` until the returned function is called."""
    block = holding()
    block.__enter__()

    def release() -> None:
        block.__exit__(None, None, None)

    return release


@contextmanager
def holding() -> Iterator[None]:
    """Inside the block a signal is recorded but raises nothing: cleanup and reports always finish."""
    _STATE.holding += 1
    try:
        yield
    finally:
        _STATE.holding -= 1


@contextmanager
def released() -> Iterator[None]:
    """Inside the block signals raise again, whatever holds were entered around it (the run proper)."""
    saved, _STATE.holding = _STATE.holding, 0
    try:
        yield
    finally:
        _STATE.holding = saved
