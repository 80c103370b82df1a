"""stripe-conformance: a contract-testing and conformance suite for Stripe-compatible APIs."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("stripe-conformance")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"

__all__ = ["__version__"]
