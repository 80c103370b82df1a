"""Crypto onramp sessions and quotes (seeds/000 'Crypto Onramp Session', 'Crypto Onramp Quotes').

A session is created ``initialized`` with a one-session ``client_secret``; the reference has no
buyer, so it never moves further. Quotes are computed from a fixed, made-up price table
(``USD_PRICES``: US dollars per unit) with a fixed network fee per network and a transaction fee
of 4% of the fiat amount, so the same request always gets the same amounts:

=========  ====================  =================
network    currencies            network fee (USD)
=========  ====================  =================
bitcoin    btc                   1.50
ethereum   eth, usdc             0.50
polygon    matic, usdc           0.01
solana     sol, usdc             0.01
=========  ====================  =================
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from types import MappingProxyType
from typing import TYPE_CHECKING

from . import ids
from .account_state import state_of
from .errors import invalid_parameter, invalid_request
from .listing import list_objects, retrieve_one
from .metadata import apply_metadata, parse_metadata
from .params import as_choice, as_hash, as_string, as_string_list, reject_unknown

if TYPE_CHECKING:
    from .routes import Handler
    from .store import JsonObject, Store

NETWORK_CURRENCIES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {"bitcoin": ("btc",), "ethereum": ("eth", "usdc"), "polygon": ("matic", "usdc"), "solana": ("sol", "usdc")}
)
"""Which cryptocurrencies each destination network settles."""
USD_PRICES: Mapping[str, Decimal] = MappingProxyType(
    {"btc": Decimal("40000"), "eth": Decimal("2000"), "matic": Decimal("0.80"), "sol": Decimal("100"),
     "usdc": Decimal("1")}
)
NETWORK_FEES: Mapping[str, Decimal] = MappingProxyType(
    {"bitcoin": Decimal("1.50"), "ethereum": Decimal("0.50"), "polygon": Decimal("0.01"), "solana": Decimal("0.01")}
)
TRANSACTION_FEE_RATE = Decimal("0.04")
SOURCE_CURRENCIES = frozenset({"usd"})
DEFAULT_SOURCE_AMOUNT = Decimal("100.00")
CURRENCIES = frozenset(USD_PRICES)
NETWORKS = frozenset(NETWORK_CURRENCIES)

SESSION_CREATE_PARAMS = frozenset(
    {
        "customer_ip_address",
        "destination_amount",
        "destination_currencies",
        "destination_currency",
        "destination_network",
        "destination_networks",
        "expand",
        "lock_wallet_address",
        "metadata",
        "source_amount",
        "source_currency",
        "wallet_addresses",
    }
)
QUOTE_PARAMS = frozenset(
    {"destination_amount", "destination_currencies", "destination_networks", "expand", "source_amount",
     "source_currency"}
)
_CENT = Decimal("0.01")


@dataclass
class Session:
    """One onramp session."""

    id: str
    created: int
    sequence: int
    client_secret: str
    details: dict[str, object]
    metadata: dict[str, str] = field(default_factory=dict)
    status: str = "initialized"


class CryptoOnramp:
    """The account's onramp sessions and the quote rules."""

    def __init__(self) -> None:
        """Start with no session."""
        self.lock = threading.RLock()
        self.sessions: dict[str, Session] = {}

    # -- sessions ----------------------------------------------------------------------

    def create_session(self, store: Store, params: Mapping[str, object]) -> JsonObject:
        """Create an ``initialized`` session from the transaction parameters."""
        with self.lock:
            reject_unknown(params, SESSION_CREATE_PARAMS)
            store.parse_expand(params, "leaf")
            details = self.validate_transaction(params)
            metadata = apply_metadata({}, parse_metadata(params["metadata"])) if "metadata" in params else {}
            if "customer_ip_address" in params:
                as_string(params["customer_ip_address"], "customer_ip_address", 64)
            session_id = self.new_session_id()
            session = Session(
                id=session_id,
                created=store.now(),
                sequence=store.next_sequence(),
                client_secret=self.new_client_secret(session_id),
                details=details,
                metadata=metadata,
            )
            self.sessions[session.id] = session
            return self.render_session(session)

    def new_session_id(self) -> str:
        """Return a fresh session id."""
        return ids.random_id("cos", 24)

    def new_client_secret(self, session_id: str) -> str:
        """Return a fresh client secret for ``session_id``."""
        return f"{session_id}_secret_{secrets.token_hex(12)}"

    def retrieve_session(self, store: Store, session_id: str, params: Mapping[str, object]) -> JsonObject:
        """Return one session."""
        with self.lock:
            return retrieve_one(
                store, self.sessions, session_id, params, noun="onramp session", render=self.render_session
            )

    def list_sessions(self, store: Store, params: Mapping[str, object], url: str) -> JsonObject:
        """List sessions newest first."""
        with self.lock:
            return list_objects(
                store, list(self.sessions.values()), params, url=url, noun="onramp session", render=self.render_session
            )

    def validate_transaction(self, params: Mapping[str, object]) -> dict[str, object]:
        """Validate a session's transaction parameters into its ``transaction_details``."""
        source_amount = self.decimal_param(params, "source_amount")
        destination_amount = self.decimal_param(params, "destination_amount")
        if source_amount is not None and destination_amount is not None:
            raise exclusive_amounts()
        networks = self.choices(params, "destination_networks", NETWORKS)
        currencies = self.choices(params, "destination_currencies", CURRENCIES)
        network = as_choice(params["destination_network"], "destination_network", NETWORKS) if (
            "destination_network" in params
        ) else None
        currency = as_choice(params["destination_currency"], "destination_currency", CURRENCIES) if (
            "destination_currency" in params
        ) else None
        if network is not None and networks and network not in networks:
            raise invalid_parameter("destination_network must be one of destination_networks.", "destination_network")
        if currency is not None and currencies and currency not in currencies:
            raise invalid_parameter(
                "destination_currency must be one of destination_currencies.", "destination_currency"
            )
        wallets: dict[str, str] = {}
        if "wallet_addresses" in params:
            raw = as_hash(params["wallet_addresses"], "wallet_addresses")
            for name, address in raw.items():
                if name not in NETWORKS:
                    raise invalid_parameter(f"Invalid wallet network: {str(name)[:40]}", f"wallet_addresses[{name}]")
                wallets[name] = as_string(address, f"wallet_addresses[{name}]", 200)
        lock = None
        if "lock_wallet_address" in params:
            lock = as_choice(params["lock_wallet_address"], "lock_wallet_address", ("true", "false")) == "true"
        source_currency = (
            as_choice(params["source_currency"], "source_currency", SOURCE_CURRENCIES) if "source_currency" in params
            else None
        )
        return {
            "destination_amount": _text(destination_amount),
            "destination_currencies": currencies or None,
            "destination_currency": currency,
            "destination_network": network,
            "destination_networks": networks or None,
            "lock_wallet_address": lock,
            "source_amount": _text(source_amount),
            "source_currency": source_currency,
            "transaction_id": None,
            "wallet_address": None,
            "wallet_addresses": wallets or None,
        }

    def render_session(self, session: Session) -> JsonObject:
        """Render a ``crypto.onramp_session`` object."""
        return {
            "id": session.id,
            "object": "crypto.onramp_session",
            "client_secret": session.client_secret,
            "created": session.created,
            "kyc_details_provided": False,
            "livemode": False,
            "metadata": dict(session.metadata),
            "redirect_url": None,
            "status": session.status,
            "transaction_details": dict(session.details),
        }

    # -- quotes ------------------------------------------------------------------------

    def quotes(self, store: Store, params: Mapping[str, object]) -> JsonObject:
        """Quote every requested currency on every requested network from the fixed price table."""
        reject_unknown(params, QUOTE_PARAMS)
        store.parse_expand(params, "leaf")
        source_amount = self.decimal_param(params, "source_amount")
        destination_amount = self.decimal_param(params, "destination_amount")
        if source_amount is not None and destination_amount is not None:
            raise exclusive_amounts()
        networks = self.choices(params, "destination_networks", NETWORKS) or sorted(NETWORKS)
        currencies = self.choices(params, "destination_currencies", CURRENCIES)
        if destination_amount is not None and (len(networks) != 1 or len(currencies) != 1):
            raise invalid_request(
                "A destination_amount needs exactly one of destination_currencies and of destination_networks.",
                param="destination_amount",
                replayable=False,
            )
        source_currency = (
            as_choice(params["source_currency"], "source_currency", SOURCE_CURRENCIES) if "source_currency" in params
            else "usd"
        )
        quotes: dict[str, object] = {}
        totals: list[Decimal] = []
        for network in networks:
            rows = []
            for currency in NETWORK_CURRENCIES[network]:
                if currencies and currency not in currencies:
                    continue
                row, total = self.quote(network, currency, source_amount, destination_amount)
                rows.append(row)
                totals.append(total)
            quotes[network] = rows
        shown_source = source_amount if source_amount is not None else (
            totals[0] if destination_amount is not None and totals else DEFAULT_SOURCE_AMOUNT
        )
        digest = hashlib.sha256(repr(sorted((k, str(v)) for k, v in params.items())).encode()).hexdigest()
        return {
            "id": digest,
            "object": "crypto.onramp_quote",
            "destination_network_quotes": quotes,
            "livemode": False,
            "rate_fetched_at": float(store.now()),
            "source_amount": _text(shown_source),
            "source_currency": source_currency,
        }

    def quote(
        self, network: str, currency: str, source: Decimal | None, destination: Decimal | None
    ) -> tuple[dict[str, object], Decimal]:
        """Return one network/currency quote and the fiat total it charges."""
        network_fee = NETWORK_FEES[network]
        if destination is not None:
            net = (destination * USD_PRICES[currency]).quantize(_CENT, ROUND_HALF_UP)
            gross = ((net + network_fee) / (1 - TRANSACTION_FEE_RATE)).quantize(_CENT, ROUND_HALF_UP)
            crypto = destination
        else:
            gross = source if source is not None else DEFAULT_SOURCE_AMOUNT
            net = gross - network_fee - (gross * TRANSACTION_FEE_RATE).quantize(_CENT, ROUND_HALF_UP)
            crypto = max(net, Decimal(0)) / USD_PRICES[currency]
        transaction_fee = (gross * TRANSACTION_FEE_RATE).quantize(_CENT, ROUND_HALF_UP)
        row_id = hashlib.sha256(f"{network}:{currency}:{gross}:{crypto}".encode()).hexdigest()
        return (
            {
                "id": row_id,
                "destination_amount": _text(crypto.quantize(Decimal("0.00000001"), ROUND_HALF_UP)),
                "destination_currency": currency,
                "destination_network": network,
                "fees": {
                    "network_fee_monetary": _text(network_fee),
                    "transaction_fee_monetary": _text(transaction_fee),
                },
                "source_total_amount": _text(gross),
            },
            gross,
        )

    # -- parameters --------------------------------------------------------------------

    def decimal_param(self, params: Mapping[str, object], name: str) -> Decimal | None:
        """Read a positive decimal-string amount, or None when absent."""
        if name not in params:
            return None
        text = as_string(params[name], name, 40)
        try:
            value = Decimal(text)
        except InvalidOperation:
            value = Decimal(0)
        if not value.is_finite() or value <= 0 or "e" in text.lower():
            raise invalid_parameter(f"Invalid decimal: {text[:40]}", name)
        return value

    def choices(self, params: Mapping[str, object], name: str, allowed: frozenset[str]) -> list[str]:
        """Read a list parameter whose items must be among ``allowed``."""
        if name not in params:
            return []
        values = as_string_list(params[name], name)
        for index, value in enumerate(values):
            if value not in allowed:
                raise invalid_parameter(f"Invalid {name}: must be among {', '.join(sorted(allowed))}",
                                        f"{name}[{index}]")
        return list(dict.fromkeys(values))


def exclusive_amounts() -> Exception:
    """Build the 400 for sending both ``source_amount`` and ``destination_amount``."""
    return invalid_request(
        "You may only specify one of these parameters: source_amount, destination_amount.",
        code="parameters_exclusive",
        param="destination_amount",
        replayable=False,
    )


def _text(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def onramp_of(store: Store) -> CryptoOnramp:
    """Return the store's onramp state (``store.crypto_onramp_class`` swaps the class)."""
    return state_of(store, "crypto_onramp", CryptoOnramp)


CRYPTO_ONRAMP_ROUTES: tuple[tuple[str, str, Handler], ...] = (
    ("GET", "/v1/crypto/onramp_sessions", lambda s, c: onramp_of(s).list_sessions(s, c.params, c.path)),
    ("POST", "/v1/crypto/onramp_sessions", lambda s, c: onramp_of(s).create_session(s, c.params)),
    ("GET", "/v1/crypto/onramp_sessions/{id}", lambda s, c: onramp_of(s).retrieve_session(s, c.args["id"], c.params)),
    ("GET", "/v1/crypto/onramp/quotes", lambda s, c: onramp_of(s).quotes(s, c.params)),
)
"""``(method, path template, handler)`` of every crypto onramp route."""
