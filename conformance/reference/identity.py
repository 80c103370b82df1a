"""Identity verification reports (seeds/000 'Verification Report'): a fixed, made-up set.

Reports are made by verification sessions, which the reference does not serve, so every store
holds the same six reports (people and documents invented for the reference), three sessions
with two reports each, one hour apart, newest last in this table:

======================  =========  ==========================  ======================
id                      type       verification_session        client_reference_id
======================  =========  ==========================  ======================
vr_reference_report_1   document   vs_reference_session_1      customer-ada
vr_reference_report_2   id_number  vs_reference_session_1      customer-ada
vr_reference_report_3   document   vs_reference_session_2      customer-grace
vr_reference_report_4   id_number  vs_reference_session_2      customer-grace
vr_reference_report_5   document   vs_reference_session_3      (none)
vr_reference_report_6   id_number  vs_reference_session_3      (none)
======================  =========  ==========================  ======================

The list filters ``type``, ``verification_session``, ``client_reference_id`` and ``created``
combine (every filter given must match).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING

from .account_state import state_of
from .listing import list_page, retrieve_one, within_created
from .params import as_choice, as_string, reject_unknown

if TYPE_CHECKING:
    from .routes import Handler
    from .store import JsonObject, Store

REPORTS_CREATED = 1_700_100_000
"""Creation time of the first report; each next one is an hour later."""
TYPES = frozenset({"document", "id_number"})
LIST_PARAMS = frozenset(
    {"client_reference_id", "created", "ending_before", "expand", "limit", "starting_after", "type",
     "verification_session"}
)
_PEOPLE = (("Ada", "Example"), ("Grace", "Sample"), ("Alan", "Placeholder"))


@dataclass(frozen=True)
class Report:
    """One verification report."""

    id: str
    type: str
    verification_session: str
    client_reference_id: str | None
    first_name: str
    last_name: str
    sequence: int

    @property
    def created(self) -> int:
        """One hour per position after ``REPORTS_CREATED``."""
        return REPORTS_CREATED + 3600 * self.sequence

    def render(self) -> JsonObject:
        """Render an ``identity.verification_report`` object."""
        checked = {"code": None, "reason": None}
        document = id_number = None
        if self.type == "document":
            document = {
                "address": {"city": "Springfield", "country": "US", "line1": "1 Example Way", "line2": None,
                            "postal_code": "00000", "state": "IL"},
                "error": checked,
                "expiration_date": {"day": 1, "month": 12, "year": 2030},
                "files": [f"file_reference_{self.sequence}_front", f"file_reference_{self.sequence}_back"],
                "first_name": self.first_name,
                "issued_date": {"day": 1, "month": 12, "year": 2020},
                "issuing_country": "US",
                "last_name": self.last_name,
                "status": "verified",
                "type": "driving_license",
            }
        else:
            id_number = {
                "error": checked,
                "first_name": self.first_name,
                "id_number_type": "us_ssn",
                "last_name": self.last_name,
                "status": "verified",
            }
        return {
            "id": self.id,
            "object": "identity.verification_report",
            "client_reference_id": self.client_reference_id,
            "created": self.created,
            "document": document,
            "id_number": id_number,
            "livemode": False,
            "options": {"document": {}, "id_number": {}},
            "selfie": None,
            "type": self.type,
            "verification_session": self.verification_session,
        }


def _seed() -> Mapping[str, Report]:
    reports = []
    for index in range(6):
        person = index // 2
        first, last = _PEOPLE[person]
        reports.append(
            Report(
                id=f"vr_reference_report_{index + 1}",
                type="document" if index % 2 == 0 else "id_number",
                verification_session=f"vs_reference_session_{person + 1}",
                client_reference_id=("customer-ada", "customer-grace", None)[person],
                first_name=first,
                last_name=last,
                sequence=index,
            )
        )
    return MappingProxyType({report.id: report for report in reports})


REPORTS: Mapping[str, Report] = _seed()
"""Every report, by id."""


class Identity:
    """The account's verification reports (the fixed set) and the list filters."""

    def reports(self) -> list[Report]:
        """Return every report of the account."""
        return list(REPORTS.values())

    def list_reports(self, store: Store, params: Mapping[str, object], url: str) -> JsonObject:
        """List reports newest first, narrowed by every filter given."""
        reject_unknown(params, LIST_PARAMS)
        store.parse_expand(params, "empty_list")
        found = self.filter(store, self.reports(), params)
        return list_page(store, found, params, url=url, noun="verification report", render=Report.render)

    def filter(self, store: Store, reports: list[Report], params: Mapping[str, object]) -> list[Report]:
        """Apply the ``type``, ``verification_session``, ``client_reference_id`` and ``created`` filters."""
        found = reports
        if "type" in params:
            kind = as_choice(params["type"], "type", TYPES)
            found = [report for report in found if report.type == kind]
        for name in ("verification_session", "client_reference_id"):
            if name in params:
                wanted = as_string(params[name], name)
                found = [report for report in found if getattr(report, name) == wanted]
        if "created" in params:
            bounds = store.parse_created_filter(params["created"])
            found = [report for report in found if within_created(report.created, bounds)]
        return found

    def retrieve_report(self, store: Store, report_id: str, params: Mapping[str, object]) -> JsonObject:
        """Return one report."""
        reports = {report.id: report for report in self.reports()}
        return retrieve_one(store, reports, report_id, params, noun="verification report", render=Report.render)


def identity_of(store: Store) -> Identity:
    """Return the store's identity state (``store.identity_class`` swaps the class)."""
    return state_of(store, "identity", Identity)


IDENTITY_ROUTES: tuple[tuple[str, str, Handler], ...] = (
    ("GET", "/v1/identity/verification_reports", lambda s, c: identity_of(s).list_reports(s, c.params, c.path)),
    (
        "GET",
        "/v1/identity/verification_reports/{id}",
        lambda s, c: identity_of(s).retrieve_report(s, c.args["id"], c.params),
    ),
)
"""``(method, path template, handler)`` of every identity route."""
