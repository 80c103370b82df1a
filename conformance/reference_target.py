"""Starting the built-in reference server as a run's target: the one place both front-ends do it."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from conformance.targets import TargetConfig, check_key_is_safe, generated_test_key


@contextlib.contextmanager
def serve_reference(
    api_key: str | None, stripe_version: str | None, *, name: str = "reference"
) -> Iterator[TargetConfig]:
    """Serve the reference server on a free loopback port for the block; yield it as a validated target.

    Without a key, a generated test-mode one is used (the server accepts any ``sk_test_`` key).
    """
    from conformance.reference import ReferenceServer  # only runs on the built-in server need it

    key = api_key or generated_test_key()
    # The key is judged before the server starts: a refused key connects to nothing.
    check_key_is_safe(key)
    with ReferenceServer() as server:
        yield TargetConfig.build(
            server.url,
            key,
            stripe_version=stripe_version,
            name=name,
        )
