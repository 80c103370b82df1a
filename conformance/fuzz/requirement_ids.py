"""The catalogue requirements the fuzz scenarios verify (all in the ``fuzz`` area)."""

from __future__ import annotations

NO_SERVER_ERROR = "fuzz.no-server-error"
RESPONSE_SCHEMA = "fuzz.response-schema"
ERROR_ENVELOPE = "fuzz.error-envelope"
ERROR_PARAM_CARD_FIELDS = "fuzz.error-param-card-fields"
NEGATIVE_REJECTED = "fuzz.negative-rejected"
POSITIVE_ACCEPTED = "fuzz.positive-accepted"
USE_AFTER_FREE = "fuzz.use-after-free"
RESOURCE_AVAILABLE = "fuzz.resource-available"
DEFAULT_SOURCE_LIVE = "fuzz.default-source-live"
DEFAULT_SOURCE_RULES = "fuzz.default-source-rules"
DELETED_STAYS_DELETED = "fuzz.deleted-stays-deleted"
LIST_CONTRACT = "fuzz.list-contract"
UPDATE_APPLIES = "fuzz.update-applies"
UPDATE_READ_BACK = "fuzz.update-read-back"
REFUSED_CHANGES_NOTHING = "fuzz.refused-changes-nothing"
WEBHOOK_SECRET = "fuzz.webhook-secret-once"
CREATE_READ_BACK = "fuzz.create-read-back"
FORWARDING_ONCE_PER_KEY = "fuzz.forwarding-once-per-key"

# Findings on requirements of the hand-written catalogue that a fuzz probe also checks.
REQUEST_ID = "errors.request-id"
REQUEST_ID_ALWAYS = "errors.request-id-always"
JSON_BODY = "errors.json-body"
OTHER_CUSTOMERS_CARD = "card.retrieve.other-customer"

OPERATION_REQUIREMENTS = (
    NO_SERVER_ERROR,
    RESPONSE_SCHEMA,
    ERROR_ENVELOPE,
    ERROR_PARAM_CARD_FIELDS,
    NEGATIVE_REJECTED,
    POSITIVE_ACCEPTED,
    UPDATE_APPLIES,
    UPDATE_READ_BACK,
    REFUSED_CHANGES_NOTHING,
    LIST_CONTRACT,
    DELETED_STAYS_DELETED,
    USE_AFTER_FREE,
    WEBHOOK_SECRET,
    DEFAULT_SOURCE_LIVE,
    DEFAULT_SOURCE_RULES,
    CREATE_READ_BACK,
    RESOURCE_AVAILABLE,
    FORWARDING_ONCE_PER_KEY,
)
"""What each operation's examples verify."""

SCENARIO_REQUIREMENTS = (
    NO_SERVER_ERROR,
    RESPONSE_SCHEMA,
    ERROR_ENVELOPE,
    ERROR_PARAM_CARD_FIELDS,
    POSITIVE_ACCEPTED,
    USE_AFTER_FREE,
    RESOURCE_AVAILABLE,
    DEFAULT_SOURCE_LIVE,
    DEFAULT_SOURCE_RULES,
    DELETED_STAYS_DELETED,
    LIST_CONTRACT,
    UPDATE_APPLIES,
    UPDATE_READ_BACK,
    REFUSED_CHANGES_NOTHING,
    WEBHOOK_SECRET,
    CREATE_READ_BACK,
    FORWARDING_ONCE_PER_KEY,
)
"""What the state machine's scenarios verify."""

CROSS_CHECKED = (REQUEST_ID, REQUEST_ID_ALWAYS, JSON_BODY, OTHER_CUSTOMERS_CARD)
"""Catalogue requirements outside the fuzz area a fuzz finding may land on."""
