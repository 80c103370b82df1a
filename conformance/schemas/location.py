"""Where the generated schema files live, in a wheel or in a source tree."""

from __future__ import annotations

from pathlib import Path

import conformance

__all__ = ["schemas_root", "stripe_schemas_dir"]


def schemas_root() -> Path:
    """Return the directory holding the shipped ``schemas/`` tree.

    A wheel carries it as ``conformance/_schemas``; a source checkout has it at the
    repository root.
    """
    packaged = Path(conformance.__file__).parent / "_schemas"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "schemas"


def stripe_schemas_dir() -> Path:
    """Return the directory of the generated Stripe object schemas."""
    return schemas_root() / "stripe"
