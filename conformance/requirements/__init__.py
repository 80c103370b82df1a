"""The requirement catalogue: what a Stripe-compatible API must do, as data with stable IDs."""

from conformance.requirements.catalogue import (
    AREAS,
    LEVELS,
    Catalogue,
    CatalogueError,
    Requirement,
    load_catalogue,
)

__all__ = ["AREAS", "LEVELS", "Catalogue", "CatalogueError", "Requirement", "load_catalogue"]
