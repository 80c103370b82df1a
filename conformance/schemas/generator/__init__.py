"""Generate the JSON Schemas from Stripe's OpenAPI spec, its fixtures, and hand-written overlays.

``schemas build`` is the front-end; this package is only imported to regenerate.
"""

from conformance.schemas.generator.build import (
    BuildError,
    BuildReport,
    Generated,
    build_schemas,
    generate,
    render,
    stale_files,
    write_files,
)

__all__ = [
    "BuildError",
    "BuildReport",
    "Generated",
    "build_schemas",
    "generate",
    "render",
    "stale_files",
    "write_files",
]
