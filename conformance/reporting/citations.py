"""Turn a requirement's citation into links to the public Stripe API reference section it cites.

Citations are free text written by people (``seeds/004 'Delete a card' (...)``, ``openapi
2023-08-16: POST /v1/customers/{customer}/sources``, ``Stripe pagination docs``); this module
recognises the common forms and maps them onto reference pages. Unrecognised text gives no link.
"""

from __future__ import annotations

import functools
import re

DOCS_BASE = "https://docs.stripe.com/api"

_VERBS = {"create": "create", "retrieve": "retrieve", "update": "update", "delete": "delete", "list all": "list"}
_OBJECTS = {"card": "cards", "cards": "cards", "customer": "customers", "customers": "customers"}
_SECTION = re.compile(r"'(Create|Retrieve|Update|Delete|List all) (?:an? )?([a-z]+)'", re.IGNORECASE)
_OPERATION = re.compile(r"\b(GET|POST|DELETE) (/v1/[^\s;,()]+)")
_OPERATIONS = (
    ("POST", "/v1/customers", "customers/create"),
    ("GET", "/v1/customers", "customers/list"),
    ("GET", "/v1/customers/{customer}", "customers/retrieve"),
    ("POST", "/v1/customers/{customer}", "customers/update"),
    ("DELETE", "/v1/customers/{customer}", "customers/delete"),
    ("POST", "/v1/customers/{customer}/sources", "cards/create"),
    ("GET", "/v1/customers/{customer}/sources", "cards/list"),
    ("GET", "/v1/customers/{customer}/sources/{id}", "cards/retrieve"),
    ("POST", "/v1/customers/{customer}/sources/{id}", "cards/update"),
    ("DELETE", "/v1/customers/{customer}/sources/{id}", "cards/delete"),
)
_TOPICS = (
    (re.compile(r"securitySchemes|authentication", re.IGNORECASE), "authentication", "Authentication"),
    (re.compile(r"schemas\.error\b|'Errors'", re.IGNORECASE), "errors", "Errors"),
    (re.compile(r"Idempotent requests", re.IGNORECASE), "idempotent_requests", "Idempotent requests"),
    (re.compile(r"schemas\.card\b"), "cards/object", "The card object"),
    (re.compile(r"schemas\.customer\b"), "customers/object", "The customer object"),
    (re.compile(r"pagination", re.IGNORECASE), "pagination", "Pagination"),
    (re.compile(r"Request IDs", re.IGNORECASE), "request_ids", "Request IDs"),
)


@functools.cache  # the Allure labels ask again for each scenario citing the requirement: ~780 calls, 145 sources
def doc_links(source: str) -> tuple[tuple[str, str], ...]:
    """Return ``(name, url)`` pairs for the reference sections ``source`` cites, without duplicates."""
    links: dict[str, str] = {}
    for verb, noun in _SECTION.findall(source):
        page = _OBJECTS.get(noun.lower())
        if page:
            name = f"{verb} {noun}" if verb.lower() == "list all" else f"{verb} a {noun}"
            links.setdefault(f"{DOCS_BASE}/{page}/{_VERBS[verb.lower()]}", name)
    for method, path in _OPERATION.findall(source):
        page = _operation_page(method, path)
        if page:
            links.setdefault(f"{DOCS_BASE}/{page}", f"{method} {path}")
    for pattern, page, name in _TOPICS:
        if pattern.search(source):
            links.setdefault(f"{DOCS_BASE}/{page}", name)
    return tuple((name, url) for url, name in links.items())


def _operation_page(method: str, path: str) -> str | None:
    normalised = re.sub(r"\{[^}]+\}|:id|(?<=/)(?:cus|card|src)_[A-Za-z0-9]+", "{x}", path.rstrip("/"))
    normalised = normalised.replace("/cards", "/sources")
    for known_method, known_path, page in _OPERATIONS:
        if known_method == method and re.sub(r"\{[^}]+\}", "{x}", known_path) == normalised:
            return page
    return None
