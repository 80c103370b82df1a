"""Card rules: reading a card from a token or raw details, expiry and cvc checks, updates."""

from __future__ import annotations

from collections.abc import Mapping

from .card_numbers import brand_for_number, is_plausible_number, luhn_valid, normalize_number
from .errors import (
    ApiError,
    card_error,
    invalid_parameter,
    invalid_request,
    parameter_invalid_empty,
    parameter_missing,
    resource_missing,
)
from .metadata import MetadataUpdate
from .models import CARD_ADDRESS_FIELDS, Card, CardDetails, CardUpdate
from .params import as_hash, as_integer, as_nullable_string, as_string, nested_name
from .rules import Rules
from .tokens import TEST_NUMBERS, TEST_TOKENS

RAW_CARD_PARAMS = frozenset(
    {*CARD_ADDRESS_FIELDS, "cvc", "exp_month", "exp_year", "metadata", "name", "number", "object"}
)
"""Keys accepted in a raw card hash (``source[...]`` or ``card[...]``)."""


class CardRules(Rules):
    """Overridable rules for validating new cards and card updates."""

    def source_details_from_params(self, params: Mapping[str, object]) -> CardDetails:
        """Read the card to attach from ``source`` (or the legacy ``card``)."""
        given = [name for name in ("source", "card") if name in params]
        if not given:
            raise parameter_missing("source")
        if len(given) > 1:
            raise invalid_request(
                "Send the card in either `source` or `card`, not both.",
                param="card",
                replayable=False,
            )
        return self.card_details_from_source(params[given[0]], given[0])

    def card_details_from_source(self, value: object, param: str) -> CardDetails:
        """Validate a ``source`` value: a token or a hash of raw card details."""
        if isinstance(value, str):
            if not value:
                raise parameter_invalid_empty(param)
            return self.card_details_from_token(value, param)
        return self.card_details_from_hash(as_hash(value, param), param)

    def card_details_from_token(self, token: str, param: str) -> CardDetails:
        """Resolve a test token such as ``tok_visa`` into card details."""
        test_card = TEST_TOKENS.get(token)
        if test_card is None:
            raise resource_missing(f"No such token: '{token}'", param, 400)
        today = self.today()
        return CardDetails(
            number=test_card.number,
            brand=test_card.brand,
            funding=test_card.funding,
            country=test_card.country,
            exp_month=today.month,
            exp_year=today.year + 1,
            cvc_check="pass",
        )

    def card_details_from_hash(self, data: Mapping[str, object], param: str) -> CardDetails:
        """Validate raw card details (number, expiry, cvc, name, address, metadata)."""
        self.reject_unknown_params(data, RAW_CARD_PARAMS, param)
        if "object" in data and data["object"] != "card":
            raise invalid_parameter(
                f"Invalid {param}[object]: only `card` sources are supported.",
                nested_name(param, "object"),
            )
        for required in ("number", "exp_month", "exp_year"):
            if required not in data:
                raise parameter_missing(nested_name(param, required))
        number = self.validate_card_number(as_string(data["number"], f"{param}[number]"))
        exp_month = self.card_integer(data["exp_month"], "exp_month")
        self.validate_exp_month(exp_month)
        exp_year = self.normalize_exp_year(self.card_integer(data["exp_year"], "exp_year"))
        self.validate_exp_year(exp_year)
        self.check_expiry_not_past(exp_month, exp_year)
        cvc = data.get("cvc", "")
        if cvc != "":
            self.validate_cvc(cvc)
        address = {
            field: as_nullable_string(data[field], nested_name(param, field))
            for field in CARD_ADDRESS_FIELDS
            if field in data
        }
        name = as_nullable_string(data["name"], nested_name(param, "name")) if "name" in data else None
        metadata = (
            self.validate_metadata(data["metadata"], nested_name(param, "metadata"))
            if "metadata" in data
            else MetadataUpdate()
        )
        known = TEST_NUMBERS.get(number)
        return CardDetails(
            number=number,
            brand=known.brand if known else brand_for_number(number),
            funding=known.funding if known else "unknown",
            country=known.country if known else "US",
            exp_month=exp_month,
            exp_year=exp_year,
            cvc_check="pass" if cvc != "" else None,
            name=name,
            address=address,
            metadata=metadata,
        )

    def validate_card_number(self, raw: str) -> str:
        """Return the digits of a card number that is well formed and passes Luhn."""
        number = normalize_number(raw)
        if not is_plausible_number(number):
            raise card_error("invalid_number", "The card number is not a valid credit card number.", "number")
        if not luhn_valid(number):
            raise card_error("incorrect_number", "Your card number is incorrect.", "number")
        return number

    def card_integer(self, value: object, param: str) -> int:
        """Read an expiry field of raw card details; a non-integer is a card error."""
        try:
            return as_integer(value, param)
        except ApiError:
            if param == "exp_month":
                raise self.expiry_month_error() from None
            raise self.expiry_year_error() from None

    def expiry_month_error(self) -> ApiError:
        """Build the card error for a bad expiry month."""
        return card_error("invalid_expiry_month", "Your card's expiration month is invalid.", "exp_month")

    def expiry_year_error(self) -> ApiError:
        """Build the card error for a bad expiry year."""
        return card_error("invalid_expiry_year", "Your card's expiration year is invalid.", "exp_year")

    def validate_exp_month(self, month: int) -> None:
        """Require a month from 1 to 12."""
        if not 1 <= month <= 12:
            raise self.expiry_month_error()

    def normalize_exp_year(self, year: int) -> int:
        """Read a two-digit year as 20xx."""
        return 2000 + year if 0 <= year < 100 else year

    def validate_exp_year(self, year: int) -> None:
        """Require a four-digit year that is not in the past."""
        if year < self.today().year or year > 9999:
            raise self.expiry_year_error()

    def check_expiry_not_past(self, month: int, year: int) -> None:
        """Reject an expiry month/year combination that has already passed."""
        today = self.today()
        if (year, month) < (today.year, today.month):
            raise card_error("invalid_expiry_month", "Your card's expiration date is in the past.", "exp_month")

    def validate_cvc(self, value: object) -> str:
        """Require a 3- or 4-digit security code."""
        if not (isinstance(value, str) and value.isascii() and value.isdigit()) or len(value) not in (3, 4):
            raise card_error("invalid_cvc", "Your card's security code is invalid.", "cvc")
        return value

    def validate_card_update(self, params: Mapping[str, object], card: Card) -> CardUpdate:
        """Validate every card update parameter without changing anything."""
        update = CardUpdate()
        for name in (*CARD_ADDRESS_FIELDS, "name"):
            if name in params:
                update.fields[name] = as_nullable_string(params[name], name)
        month, year = card.exp_month, card.exp_year
        if "exp_month" in params:
            month = as_integer(params["exp_month"], "exp_month")
            self.validate_exp_month(month)
            update.fields["exp_month"] = month
        if "exp_year" in params:
            year = self.normalize_exp_year(as_integer(params["exp_year"], "exp_year"))
            self.validate_exp_year(year)
            update.fields["exp_year"] = year
        if "exp_month" in params or "exp_year" in params:
            self.check_expiry_not_past(month, year)
        if "metadata" in params:
            update.metadata = self.validate_metadata(params["metadata"])
        return update

    def apply_card_update(self, card: Card, update: CardUpdate) -> None:
        """Apply validated field changes; a changed address line or zip becomes ``unchecked``."""
        for name, value in update.fields.items():
            if name == "address_line1" and value != card.address_line1:
                card.address_line1_check = "unchecked" if value else None
            if name == "address_zip" and value != card.address_zip:
                card.address_zip_check = "unchecked" if value else None
            setattr(card, name, value)
