"""Check, before a run starts, that its output directories can be created and written to."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

PROBE_BYTES = 64 * 1024
"""What the probe writes: a directory that cannot take this much cannot take the reports either."""


class OutputError(OSError):
    """An output directory cannot be written (a usage error, exit code 2); the message is one line."""


def check_writable(directory: Path, what: str = "report directory") -> None:
    """Create ``directory`` if needed and write, flush and remove a probe file in it, or raise ``OutputError``.

    Catches a path that cannot exist (``/proc/forbidden``), a read-only or foreign directory, a
    file in the way, and a full disk, before anything connects to the target.
    """
    probe = directory / f".stripe-conformance-probe-{os.getpid()}"
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with open(probe, "wb") as handle:
            handle.write(b"\0" * PROBE_BYTES)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise OutputError(f"cannot write the {what} {directory}: {reason}") from None
    finally:
        with contextlib.suppress(OSError):
            probe.unlink(missing_ok=True)
