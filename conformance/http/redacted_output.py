"""Output streams that pass every line through the redaction before it reaches the terminal or a CI log."""

from __future__ import annotations

import contextlib
import io
import sys
from collections.abc import Iterator
from typing import TextIO

from conformance.http.redaction import redact_text


class RedactingStream(io.TextIOBase):
    """A text stream that redacts what is written to it, a whole line at a time.

    Text is held until a line ends (or the stream is flushed), so a secret written in pieces is
    still seen whole by the redaction.
    """

    def __init__(self, target: TextIO) -> None:
        """Write redacted text to ``target``."""
        self.target = target
        self._pending = ""

    def write(self, text: str) -> int:
        """Queue ``text``; pass on every complete line, redacted."""
        self._pending += text
        if "\n" in self._pending:
            lines, _, self._pending = self._pending.rpartition("\n")
            self.target.write(redact_text(lines + "\n"))
        return len(text)

    def flush(self) -> None:
        """Pass on what is pending, redacted, and flush the target."""
        if self._pending:
            self.target.write(redact_text(self._pending))
            self._pending = ""
        self.target.flush()

    def isatty(self) -> bool:
        """Whether the target is a terminal (so progress displays keep their behaviour)."""
        return self.target.isatty()

    def fileno(self) -> int:
        """The target's file descriptor."""
        return self.target.fileno()

    def writable(self) -> bool:
        """Always writable."""
        return True

    @property
    def encoding(self) -> str:  # type: ignore[override]
        """The target's encoding."""
        return getattr(self.target, "encoding", "utf-8") or "utf-8"


def redacting(stream: TextIO) -> TextIO:
    """Return ``stream`` wrapped in a ``RedactingStream`` (once: an already redacting stream is kept)."""
    return stream if isinstance(stream, RedactingStream) else RedactingStream(stream)  # type: ignore[return-value]


@contextlib.contextmanager
def redacted_standard_streams() -> Iterator[None]:
    """Redact everything written to ``sys.stdout`` and ``sys.stderr`` inside the block."""
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = redacting(sys.stdout), redacting(sys.stderr)
    try:
        yield
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        sys.stdout, sys.stderr = saved
