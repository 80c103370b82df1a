"""The fuzz scenarios' fixtures, shared by every fuzz module here: one loaded surface per run."""

from conformance.fuzz.fixtures import fuzz_budget, fuzz_session, fuzz_surface

__all__ = ["fuzz_budget", "fuzz_session", "fuzz_surface"]
