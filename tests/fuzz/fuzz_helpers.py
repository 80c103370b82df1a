"""Helpers of the fuzz tests: reference stores, fuzz sessions, the card catalogue's mutants."""

from __future__ import annotations

import datetime
import importlib.util
import itertools
import sys
from pathlib import Path
from types import ModuleType

from conformance.fuzz.budget import FuzzBudget
from conformance.fuzz.session import FuzzSession, LoadedSurface
from conformance.http import StripeClient
from conformance.reference import ReferenceServer, Store
from conformance.reference.crypto_onramp import CryptoOnramp
from conformance.reference.forwarding import Forwarding
from conformance.reference.other_objects import OtherObjects

KEY = "sk_test_fuzztests123"
TODAY = datetime.date(2026, 6, 1)
MUTANTS_FILE = Path(__file__).resolve().parents[1] / "mutants" / "mutant_faults.py"


class CountingWebhookIds(OtherObjects):
    """Webhook endpoints whose ids and secrets count up."""

    def __init__(self) -> None:
        super().__init__()
        self._ids = itertools.count(1)

    def new_webhook_endpoint_id(self) -> str:
        return f"we_{next(self._ids):024d}"

    def new_webhook_secret(self) -> str:
        return f"whsec_{next(self._ids):032d}"


class CountingOnrampIds(CryptoOnramp):
    """Onramp sessions whose ids and client secrets count up."""

    def __init__(self) -> None:
        super().__init__()
        self._ids = itertools.count(1)

    def new_session_id(self) -> str:
        return f"cos_{next(self._ids):024d}"

    def new_client_secret(self, session_id: str) -> str:
        return f"{session_id}_secret_{next(self._ids):024d}"


class CountingForwardingIds(Forwarding):
    """Forwarding requests whose ids count up."""

    def __init__(self) -> None:
        super().__init__()
        self._ids = itertools.count(1)

    def new_request_id(self) -> str:
        return f"fwdreq_{next(self._ids):024d}"


class CountingIds(Store):
    """A faithful store whose ids count up instead of being random: two runs answer alike."""

    other_objects_class = CountingWebhookIds
    crypto_onramp_class = CountingOnrampIds
    forwarding_class = CountingForwardingIds

    def __init__(self) -> None:
        super().__init__()
        self._ids = itertools.count(1)

    def new_customer_id(self) -> str:
        return f"cus_{next(self._ids):014d}"

    def new_card_id(self) -> str:
        return f"card_{next(self._ids):024d}"


def session_for(server: ReferenceServer, examples: int, seed: str = "tests") -> FuzzSession:
    """A fuzz session against ``server`` whose idempotency keys count up (reproducible requests)."""
    counter = itertools.count(1)
    client = StripeClient(server.url, KEY, idempotency_keys=lambda: f"fuzz-test-{next(counter)}")
    surface = LoadedSurface.load(server.url, today=TODAY)
    return FuzzSession(surface, client, FuzzBudget(examples=examples, seed=seed))



def mutant_faults() -> ModuleType:
    """Import the card catalogue's mutants (tests/mutants/mutant_faults.py)."""
    name = "mutant_faults"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, MUTANTS_FILE)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]
