"""The route table: which store method answers which method and path.

Routes are matched in table order, the first whose pattern matches the whole path and whose
method is the request's wins. The table is indexed once, at import, by method and by the number
of ``/`` in the template: a path argument never holds a ``/``, so only routes with the request's
method and slash count can match, and a request tries a handful of patterns instead of all of them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from .climate import CLIMATE_ROUTES
from .crypto_onramp import CRYPTO_ONRAMP_ROUTES
from .forwarding import FORWARDING_ROUTES
from .identity import IDENTITY_ROUTES
from .other_objects import OTHER_OBJECT_ROUTES
from .store import JsonObject, SourceKind, Store


@dataclass(frozen=True, slots=True)
class Call:
    """One routed request, as handed to a route handler."""

    path: str
    params: Mapping[str, object]
    version: str
    args: Mapping[str, str] = field(default_factory=dict)


Handler = Callable[[Store, Call], JsonObject]


@dataclass(frozen=True, slots=True)
class RouteSpec:
    """A method and path pattern served by a handler."""

    method: str
    pattern: re.Pattern[str]
    handler: Handler
    slashes: int


def _route(method: str, template: str, handler: Handler) -> RouteSpec:
    """Build a route from a template such as ``/v1/customers/{customer}``."""
    regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template)
    return RouteSpec(method, re.compile(regex), handler, template.count("/"))


def _customer_routes(family: str, kind: SourceKind) -> tuple[RouteSpec, ...]:
    """Build the source routes under ``/sources`` or the legacy ``/cards``."""
    base = f"/v1/customers/{{customer}}/{family}"
    return (
        _route(
            "GET",
            base,
            lambda store, call: store.list_sources(
                call.args["customer"], call.params, version=call.version, url=call.path, kind=kind
            ),
        ),
        _route(
            "POST",
            base,
            lambda store, call: store.create_source(
                call.args["customer"], call.params, version=call.version, kind=kind
            ),
        ),
        _route(
            "GET",
            base + "/{id}",
            lambda store, call: store.retrieve_source(
                call.args["customer"], call.args["id"], call.params, version=call.version, kind=kind
            ),
        ),
        _route(
            "POST",
            base + "/{id}",
            lambda store, call: store.update_source(
                call.args["customer"], call.args["id"], call.params, version=call.version, kind=kind
            ),
        ),
        _route(
            "DELETE",
            base + "/{id}",
            lambda store, call: store.delete_source(call.args["customer"], call.args["id"], call.params, kind=kind),
        ),
    )


ROUTES: tuple[RouteSpec, ...] = (
    _route(
        "GET",
        "/v1/customers",
        lambda store, call: store.list_customers(call.params, version=call.version, url=call.path),
    ),
    _route(
        "POST",
        "/v1/customers",
        lambda store, call: store.create_customer(call.params, version=call.version),
    ),
    _route(
        "GET",
        "/v1/customers/{customer}",
        lambda store, call: store.retrieve_customer(call.args["customer"], call.params, version=call.version),
    ),
    _route(
        "POST",
        "/v1/customers/{customer}",
        lambda store, call: store.update_customer(call.args["customer"], call.params, version=call.version),
    ),
    _route(
        "DELETE",
        "/v1/customers/{customer}",
        lambda store, call: store.delete_customer(call.args["customer"], call.params),
    ),
    *_customer_routes("sources", "source"),
    *_customer_routes("cards", "card"),
    *(
        _route(method, template, handler)
        for table in (OTHER_OBJECT_ROUTES, CLIMATE_ROUTES, FORWARDING_ROUTES, CRYPTO_ONRAMP_ROUTES, IDENTITY_ROUTES)
        for method, template, handler in table
    ),
)
"""Every endpoint the reference server answers, in matching order."""


def _index(routes: tuple[RouteSpec, ...]) -> Mapping[tuple[str, int], tuple[RouteSpec, ...]]:
    """Group routes by method and slash count, keeping their table order within each group."""
    groups: dict[tuple[str, int], list[RouteSpec]] = {}
    for spec in routes:
        groups.setdefault((spec.method, spec.slashes), []).append(spec)
    return MappingProxyType({key: tuple(specs) for key, specs in groups.items()})


_BY_METHOD_AND_DEPTH = _index(ROUTES)


def match_route(method: str, path: str) -> tuple[RouteSpec, dict[str, str]] | None:
    """Find the route for a request, with its path arguments."""
    for spec in _BY_METHOD_AND_DEPTH.get((method, path.count("/")), ()):
        found = spec.pattern.fullmatch(path)
        if found is not None:
            return spec, found.groupdict()
    return None
