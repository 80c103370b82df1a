"""Repository-level pytest configuration: the project's own tests live in tests/."""

collect_ignore = ["benchmarks", "build", "conformance-report"]
