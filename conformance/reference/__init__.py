"""Built-in reference server: an in-memory, thread-safe, Stripe-like HTTP server.

It serves customers and their cards with Stripe API 2023-08-16 semantics, and the other
APIs seeds/000 documents (webhook endpoints, climate, forwarding with a built-in echo
destination, crypto onramp, identity verification reports), and is the default target of
the conformance suite.
"""

from __future__ import annotations

from .app import create_app
from .forms import decode_form
from .server import ReferenceServer, serve
from .store import Store

__all__ = ["ReferenceServer", "Store", "create_app", "decode_form", "serve"]
