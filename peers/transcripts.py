"""Write the curl transcripts that confirm each peer deviation by hand: docs/peers/<peer>/<id>.txt.

    python peers/transcripts.py [PEER ...]

Each recipe below is the shortest curl session that shows one deviation. The peer is started
on a free loopback port (installed as ``run_peer.py`` does), every command runs through real
``curl`` in bash, and the transcript records the command as typed (the key stays
``$STRIPE_API_KEY``) and what the peer answered. A recipe also names a string its output must
show; if the peer no longer shows it the script says so and exits 1, so a stale transcript
cannot survive a regeneration.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from conformance.requirements import load_catalogue  # noqa: E402
from conformance.targets import generated_test_key  # noqa: E402
from conformance.targets.peer_process import PeerProcess  # noqa: E402
from conformance.targets.profile import load_profile  # noqa: E402
from peers.run_peer import PEERS, install  # noqa: E402

DOCS = ROOT / "docs" / "peers"
AUTH = '-u "$STRIPE_API_KEY:"'
PRELUDE = """id_of() { python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])'; }"""


@dataclass(frozen=True)
class Recipe:
    """One deviation shown with curl: the steps, and a string the output must contain."""

    steps: tuple[str, ...]
    shows: str


def customer(var: str = "CUS") -> str:
    """Create a customer into ``var``."""
    return f'{var}=$(curl -sS "$BASE/v1/customers" {AUTH} -d description=transcript | id_of)'


def ls_card(var: str = "CARD", number: str = "4242424242424242", cus: str = "CUS") -> tuple[str, str]:
    """On localstripe (no fixed test tokens): mint a token from a test card number, attach it."""
    return (
        f'TOK=$(curl -sS "$BASE/v1/tokens" {AUTH} -d "card[number]={number}" -d "card[exp_month]=12" '
        '-d "card[exp_year]=2030" -d "card[cvc]=123" | id_of)',
        f'{var}=$(curl -sS "$BASE/v1/customers/${cus}/sources" {AUTH} -d source=$TOK | id_of)',
    )


def ssm_card(var: str = "CARD", token: str = "tok_visa", cus: str = "CUS") -> str:
    """On stripe-stateful-mock: attach a fixed test token."""
    return f'{var}=$(curl -sS "$BASE/v1/customers/${cus}/sources" {AUTH} -d source={token} | id_of)'


def call(method: str, path: str, *data: str, headers: tuple[str, ...] = (), pipe: str | None = None) -> str:
    """One curl call, shown as typed; its output piped through ``pipe`` when given."""
    verb = {"GET": "-G " if data else "", "POST": "" if data else "-X POST "}.get(method, f"-X {method} ")
    parts = [f'curl -sS {verb}"$BASE{path}" {AUTH}', *(f"-H '{h}'" for h in headers), *(f'-d "{d}"' for d in data)]
    return " ".join(parts) + (f" | {pipe}" if pipe else "; echo")


def no_request_id(path: str) -> str:
    """Show a response's headers, then whether a Request-Id header was among them."""
    return (f'curl -sS -D /tmp/headers -o /dev/null "$BASE{path}" {AUTH}; cat /tmp/headers; '
            "grep -i '^request-id' /tmp/headers || echo 'no Request-Id header'")


LONG_KEY = "k" * 41
"""A metadata key one character over Stripe's 40."""
SOURCES = "/v1/customers/$CUS/sources"
OTHER_PRODUCTS = tuple(
    call("GET", path, pipe="head -c 120; echo")
    for path in ("/v1/webhook_endpoints", "/v1/identity/verification_reports", "/v1/crypto/onramp_sessions",
                 "/v1/crypto/onramp/quotes", "/v1/climate/orders", "/v1/climate/products", "/v1/climate/suppliers",
                 "/v1/forwarding/requests")
)
"""The other products of the fuzzed surface (features webhook_endpoints, identity, ... of the profile)."""
LS_ATTACHED = (customer(), *ls_card())
RAW_VISA = ("source[object]=card", "source[number]=4242424242424242", "source[exp_month]=12",
            "source[exp_year]=2030", "source[cvc]=123")
LOCALSTRIPE: dict[str, Recipe] = {
    "features": Recipe(
        (
            customer(),
            call("POST", SOURCES, "source=tok_visa"),
            *ls_card(),
            call("GET", "/v1/customers/$CUS/cards"),
            call("GET", "/v1/customers/$CUS/cards/$CARD"),
            *OTHER_PRODUCTS,
        ),
        "404: Not Found",
    ),
    "card.delete.stub": Recipe((*LS_ATTACHED, call("DELETE", f"{SOURCES}/$CARD")), '"object": "customer"'),
    "card.create.token-details": Recipe(
        (customer(), *ls_card(number="5555555555554444"), call("GET", f"{SOURCES}/$CARD")), '"brand": "Visa"'
    ),
    "card.create.metadata": Recipe(
        (customer(), ls_card()[0], call("POST", SOURCES, "source=$TOK", "metadata[order]=A-17")),
        "Unexpected metadata",
    ),
    "card.create.missing-source": Recipe((customer(), call("POST", SOURCES)), '"message": "Bad request"'),
    "card.create.unknown-customer": Recipe(
        (customer(), ls_card()[0], call("POST", "/v1/customers/cus_doesnotexist0042/sources", "source=$TOK")),
        '"message": "Not Found"',
    ),
    "card.create.unknown-token-code": Recipe(
        (customer(), call("POST", SOURCES, "source=tok_does_not_exist_0042")), '"message": "Not Found"'
    ),
    "card.update.persists": Recipe(
        (*LS_ATTACHED, call("POST", f"{SOURCES}/$CARD", "exp_month=11", pipe="wc -c >/dev/null"),
         call("GET", f"{SOURCES}/$CARD", pipe="grep exp_month")),
        '"exp_month": "11"',
    ),
    "card.update.metadata-unset-all": Recipe(
        (*LS_ATTACHED,
         call("POST", f"{SOURCES}/$CARD", "metadata[keep]=1", "metadata[drop]=2", pipe="wc -c >/dev/null"),
         call("POST", f"{SOURCES}/$CARD", "metadata=", pipe="grep -A3 metadata")),
        '"keep": "1"',
    ),
    "card.update.rejected-changes-nothing": Recipe(
        (*LS_ATTACHED, call("POST", f"{SOURCES}/$CARD", "exp_month=soon", pipe="wc -c >/dev/null"),
         call("GET", f"{SOURCES}/$CARD", pipe="grep exp_month")),
        '"exp_month": "soon"',
    ),
    "card.create.embedded-ten-most-recent": Recipe(
        (customer(), *ls_card("FIRST"), "sleep 1.1",
         "for i in $(seq 10); do " + ls_card("NEXT")[0] + "; " + ls_card("NEXT")[1] + "; done",
         f'curl -sS -G "$BASE/v1/customers/$CUS" {AUTH} -d "expand[]=sources" | python3 -c '
         "'import json,sys; d=json.load(sys.stdin)[\"sources\"][\"data\"]; "
         "print(\"cards shown:\", len(d), \"| the oldest card (attached a second before the others) shown:\", "
         "sys.argv[1] in [c[\"id\"] for c in d])' \"$FIRST\""),
        "the oldest card (attached a second before the others) shown: True",
    ),
    "card.create.embedded-newest-first": Recipe(
        (*LS_ATTACHED, *ls_card("SECOND", "5555555555554444"), 'echo "first=$CARD second=$SECOND"',
         call("GET", "/v1/customers/$CUS", "expand[]=sources")),
        '"object": "list"',
    ),
    "card.version.sources-expand-only": Recipe(
        (*LS_ATTACHED, call("GET", "/v1/customers/$CUS", headers=("Stripe-Version: 2023-08-16",))),
        '"sources": {',
    ),
    "card.retrieve.unknown-id": Recipe(
        (customer(), call("GET", f"{SOURCES}/card_doesnotexist0042")), '"message": "Not Found"'
    ),
    "card.retrieve.other-customer-code": Recipe(
        (*LS_ATTACHED, customer("OTHER"), call("GET", "/v1/customers/$OTHER/sources/$CARD")),
        "This customer does not own this card",
    ),
    "card.retrieve.deleted": Recipe(
        (*LS_ATTACHED, call("DELETE", f"{SOURCES}/$CARD", pipe="wc -c >/dev/null"), call("GET", f"{SOURCES}/$CARD")),
        '"message": "Not Found"',
    ),
    "card.retrieve.unknown-customer": Recipe(
        (call("GET", "/v1/customers/cus_doesnotexist0042/sources/card_doesnotexist0042"),), '"message": "Not Found"'
    ),
    "card.update.expiry": Recipe(
        (*LS_ATTACHED, call("POST", f"{SOURCES}/$CARD", "exp_month=11", "exp_year=2031")), '"exp_month": "11"'
    ),
    "card.update.metadata-unset-key": Recipe(
        (*LS_ATTACHED,
         call("POST", f"{SOURCES}/$CARD", "metadata[keep]=1", "metadata[drop]=2", pipe="wc -c >/dev/null"),
         call("POST", f"{SOURCES}/$CARD", "metadata[drop]=", "metadata[add]=3")),
        '"drop": ""',
    ),
    "card.update.invalid-exp-month": Recipe(
        (*LS_ATTACHED, call("POST", f"{SOURCES}/$CARD", "name=Should Not Stick", "exp_month=13")), '"exp_month": "13"'
    ),
    "card.update.non-integer": Recipe(
        (*LS_ATTACHED, call("POST", f"{SOURCES}/$CARD", "exp_month=soon")), '"exp_month": "soon"'
    ),
    "card.update.unknown-param": Recipe(
        (*LS_ATTACHED, call("POST", f"{SOURCES}/$CARD", "nickname=favourite")), '"message": "Bad request"'
    ),
    "card.update.unknown-card": Recipe(
        (customer(), call("POST", f"{SOURCES}/card_doesnotexist0042", "name=Nobody")), '"message": "Not Found"'
    ),
    "card.delete.second-delete": Recipe(
        (*LS_ATTACHED, call("DELETE", f"{SOURCES}/$CARD", pipe="wc -c >/dev/null"), call("DELETE", f"{SOURCES}/$CARD")),
        '"message": "Not Found"',
    ),
    "card.delete.unknown-card": Recipe(
        (customer(), call("DELETE", f"{SOURCES}/card_doesnotexist0042")), '"message": "Not Found"'
    ),
    "card.default.fallback-most-recent": Recipe(
        (*LS_ATTACHED, *ls_card("B", "5555555555554444"), *ls_card("C", "4000056655665556"),
         'echo "default (first)=$CARD then B=$B then most recent C=$C"',
         call("DELETE", f"{SOURCES}/$CARD", pipe="wc -c >/dev/null"),
         call("GET", "/v1/customers/$CUS", pipe="grep default_source")),
        '"default_source"',
    ),
    "card.default.unknown-source": Recipe(
        (customer(), call("POST", "/v1/customers/$CUS", "default_source=card_doesnotexist0042")),
        "500 Internal Server Error",
    ),
    # The run attaches raw card details on localstripe (it refuses tok_visa): a retry under the same
    # Idempotency-Key attaches a second card instead of replaying the first answer.
    "idempotency.replay": Recipe(
        (customer(),
         *(call("POST", SOURCES, *RAW_VISA, headers=("Idempotency-Key: transcript-3",), pipe="grep '\"id\": \"card_'")
           for _ in range(2))),
        '"id": "card_',
    ),
    "idempotency.no-duplicate": Recipe(
        (customer(), ls_card()[0],
         call("POST", SOURCES, "source=$TOK", headers=("Idempotency-Key: transcript-1",), pipe="grep '\"id\"'"),
         call("POST", SOURCES, "source=$TOK", headers=("Idempotency-Key: transcript-1",), pipe="grep '\"id\"'"),
         call("GET", SOURCES, pipe="grep '\"id\": \"card_'")),
        '"id": "card_',
    ),
    "idempotency.key-reuse-mismatch": Recipe(
        (customer(), ls_card()[0], 'TOK1=$TOK', ls_card(number="5555555555554444")[0],
         call("POST", SOURCES, "source=$TOK1", headers=("Idempotency-Key: transcript-2",), pipe="grep last4"),
         call("POST", SOURCES, "source=$TOK", headers=("Idempotency-Key: transcript-2",), pipe="grep last4")),
        '"last4": "4444"',
    ),
    "errors.request-id": Recipe((no_request_id("/v1/customers"),), "no Request-Id header"),
    # A customer with a card whose default_source was set to an unknown id (refused with a 500, but
    # stored) breaks every later export of it: retrieving it, or listing a page that holds it,
    # answers a plain-text 500 from then on.
    "errors.json-body": Recipe(
        (*LS_ATTACHED, call("POST", "/v1/customers/$CUS", "default_source=card_doesnotexist0042", pipe="head -3"),
         f'curl -sS -i "$BASE/v1/customers/$CUS" {AUTH} | head -5'),
        "Content-Type: text/plain",
    ),
    "fuzz.no-server-error": Recipe(
        (*LS_ATTACHED, call("POST", "/v1/customers/$CUS", "default_source=card_doesnotexist0042", pipe="head -3"),
         f'curl -sS -i "$BASE/v1/customers/$CUS" {AUTH} | head -5', call("POST", "/v1/customers/$CUS", "name=Jenny")),
        "500 Internal Server Error",
    ),
    "fuzz.response-schema": Recipe(
        (customer(), *ls_card(), call("POST", f"{SOURCES}/$CARD", "exp_year=2031", pipe="grep exp_year")),
        '"exp_year": "2031"',
    ),
    "fuzz.error-param-card-fields": Recipe(
        (call("GET", "/v1/customers", "zz_unknown=1"),), '"message": "Unexpected zz_unknown"'
    ),
    "fuzz.negative-rejected": Recipe(
        (call("POST", "/v1/customers", f"metadata[{LONG_KEY}]=value", pipe="grep -A2 metadata"),),
        f'"{LONG_KEY}": "value"',
    ),
    "fuzz.positive-accepted": Recipe((customer(), call("POST", "/v1/customers/$CUS")), '"message": "Bad request"'),
    # Amex test cards cannot be tokenized, so tok_amex (which Stripe accepts) cannot be attached either.
    "fuzz.resource-available": Recipe(
        (customer(),
         call("POST", "/v1/tokens", "card[number]=378282246310005", "card[exp_month]=12", "card[exp_year]=2030",
              "card[cvc]=1234"),
         call("POST", "/v1/customers/$CUS/cards", "source=tok_amex")),
        '"message": "Not Found"',
    ),
    "fuzz.update-applies": Recipe(
        (*LS_ATTACHED, call("POST", f"{SOURCES}/$CARD", "address_zip=12345", pipe="grep '\"address_zip\"'"),
         call("POST", f"{SOURCES}/$CARD", "address_zip=", pipe="grep '\"address_zip\"'")),
        '"address_zip": ""',
    ),
    "fuzz.refused-changes-nothing": Recipe(
        (*LS_ATTACHED, call("POST", f"{SOURCES}/$CARD", "address_city=Paris", "expand="),
         call("GET", f"{SOURCES}/$CARD", pipe="grep address_city")),
        '"address_city": "Paris"',
    ),
    "client.sdk.update-card": Recipe(
        (*LS_ATTACHED, call("POST", f"{SOURCES}/$CARD", "name=Jenny Rosen", "exp_month=3")), '"exp_month": "3"'
    ),
    "client.sdk.auto-paging": Recipe(
        (*LS_ATTACHED, call("GET", SOURCES, "object=card", "limit=1")), "Unexpected limit"
    ),
    "client.sdk.delete-card": Recipe((*LS_ATTACHED, call("DELETE", f"{SOURCES}/$CARD")), '"object": "customer"'),
}

SSM_ATTACHED = (customer(), ssm_card())
STATEFUL_MOCK: dict[str, Recipe] = {
    "features": Recipe(
        (*SSM_ATTACHED, call("GET", SOURCES), call("GET", "/v1/customers/$CUS/cards"),
         call("POST", f"{SOURCES}/$CARD", "name=Jenny Rosen"), call("DELETE", "/v1/customers/$CUS"),
         call("POST", "/v1/tokens", "card[number]=4242424242424242", "card[exp_month]=12", "card[exp_year]=2030",
              "card[cvc]=123"),
         call("GET", "/v1/customers/$CUS/cards/$CARD", pipe="head -c 80; echo"),
         call("POST", "/v1/customers/$CUS/cards", "source=tok_visa"), *OTHER_PRODUCTS),
        "No matching path",
    ),
    "card.delete.stub": Recipe((*SSM_ATTACHED, 'echo "attached $CARD"', call("DELETE", f"{SOURCES}/$CARD")),
                               "card_1FKCxrBCvBiGc7Sdp8LvNQKQ"),
    "card.create.raw-card": Recipe(
        (customer(), call("POST", SOURCES, "source[object]=card", "source[number]=4242424242424242",
                          "source[exp_month]=12", "source[exp_year]=2030", "source[cvc]=123",
                          pipe="head -c 160; echo")),
        "Card create options on create customer",
    ),
    "card.create.metadata": Recipe(
        (customer(),
         call("POST", SOURCES, "source=tok_visa", "metadata[order]=A-17", pipe="grep -o '\"metadata\":{[^}]*}'")),
        '"metadata":{}',
    ),
    "card.default.fallback-most-recent": Recipe(
        (*SSM_ATTACHED, ssm_card("B", "tok_mastercard"), ssm_card("C", "tok_visa_debit"),
         'echo "default (first)=$CARD then B=$B then most recent C=$C"',
         call("DELETE", f"{SOURCES}/$CARD", pipe="wc -c >/dev/null"),
         call("GET", "/v1/customers/$CUS", pipe="grep -o '\"default_source\":\"[^\"]*\"'")),
        '"default_source"',
    ),
    "client.sdk.delete-card": Recipe(
        (*SSM_ATTACHED, 'echo "attached $CARD"', call("DELETE", f"{SOURCES}/$CARD")), "card_1FKCxrBCvBiGc7Sdp8LvNQKQ"
    ),
    "errors.request-id": Recipe((no_request_id("/v1/customers"),), "no Request-Id header"),
    # A POST that failed with a 500, sent again with its Idempotency-Key (as clients retry a 500):
    # the replayed answer is labelled text/html.
    "errors.json-body": Recipe(
        (call("POST", "/v1/customers", "source=tok_jcb", headers=("Idempotency-Key: transcript-500",),
              pipe="head -c 90; echo"),
         f'curl -sS -i "$BASE/v1/customers" {AUTH} -H "Idempotency-Key: transcript-500" -d "source=tok_jcb" | head -6'),
        "Content-Type: text/html",
    ),
    "fuzz.no-server-error": Recipe(
        (customer(), f'curl -sS -i "$BASE{SOURCES}" {AUTH} -d "source=tok_jcb" | head -1',
         call("POST", SOURCES, "source=tok_jcb", pipe="head -c 90; echo")),
        "500 Internal Server Error",
    ),
    "fuzz.negative-rejected": Recipe(
        (call("POST", "/v1/customers", f"metadata[{LONG_KEY}]=value", pipe="grep -o '\"metadata\":{[^}]*}'"),),
        f'"{LONG_KEY}":"value"',
    ),
    "fuzz.list-contract": Recipe((call("GET", "/v1/customers", "limit=1", pipe="grep -o '\"url\":\"[^\"]*\"'"),),
                                 '"url":"/v1/refunds"'),
    # An empty value clears a field (an array to []); the mock stores and answers the empty string.
    "fuzz.response-schema": Recipe(
        (customer(), call("POST", "/v1/customers/$CUS", "preferred_locales=",
                          pipe="grep -o '\"preferred_locales\":[^,]*'")),
        '"preferred_locales":""',
    ),
    "fuzz.update-applies": Recipe(
        (customer(), call("POST", "/v1/customers/$CUS", "metadata[a]=1", pipe="grep -o '\"metadata\":{[^}]*}'"),
         call("POST", "/v1/customers/$CUS", "metadata[b]=2", pipe="grep -o '\"metadata\":{[^}]*}'"),
         call("POST", "/v1/customers/$CUS", "balance=1500", pipe="grep -o '\"balance\":[^,]*'")),
        '"metadata":{"b":"2"}',
    ),
}

RECIPES = {"localstripe": LOCALSTRIPE, "stripe-stateful-mock": STATEFUL_MOCK}


def run_recipe(recipe: Recipe, base: str, key: str) -> str:
    """Run the steps in one bash session; return the transcript body."""
    script = [PRELUDE]
    for step in recipe.steps:
        script.append(f"printf '%s\\n' {_quote('$ ' + step)}")
        name, sep, _ = step.partition("=$(")
        if sep and name.isidentifier():
            script += [step, f'echo "  -> {name}=${name}"']
        else:
            script.append(step)
    done = subprocess.run(
        ["bash", "-c", "\n".join(script)],
        env={"BASE": base, "STRIPE_API_KEY": key, "PATH": "/usr/bin:/bin:/usr/local/bin"},
        capture_output=True, text=True, check=False, timeout=60,
    )
    return (done.stdout + done.stderr).replace(key, "$STRIPE_API_KEY").replace(base, "$BASE")


def _quote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


def write_transcripts(profile_name: str) -> list[str]:
    """Start the peer and write every transcript for it; return what is stale or unconfirmed.

    Stale: a recipe whose output no longer shows its string. Unconfirmed: an expected deviation
    of the profile without a recipe. Transcripts of recipes that no longer exist are removed.
    """
    peer = next(p for p in PEERS if p.profile == profile_name)
    profile = load_profile(profile_name)
    catalogue = load_catalogue()
    folder = DOCS / profile_name
    folder.mkdir(parents=True, exist_ok=True)
    key = generated_test_key()
    stale = []
    with PeerProcess(install(peer, profile), cwd=ROOT) as process:
        for rid, recipe in RECIPES[profile_name].items():
            body = run_recipe(recipe, process.url, key)
            if recipe.shows not in body:
                stale.append(rid)
            assert profile.peer is not None
            header = [f"# {profile_name} {profile.peer.version}: {rid}"]
            if rid in catalogue:
                requirement = catalogue.get(rid)
                expectation = profile.expectations.get(rid)
                header += [f"# requirement: {requirement.title}", f"# documented in: {requirement.source}"]
                if expectation is not None:
                    header.append(f"# observed: {expectation.reason}")
            else:
                header.append("# the routes and tokens this peer does not have (its profile's [features])")
            header += [
                "# reproduce: start the peer on loopback (python peers/run_peer.py installs it), then",
                "#   export BASE=http://127.0.0.1:PORT STRIPE_API_KEY=sk_test_...   (any sk_test_ key)",
                f"#   {PRELUDE}",
                f"# regenerate: python peers/transcripts.py {profile_name}",
                "",
            ]
            (folder / f"{rid}.txt").write_text("\n".join(header) + body, encoding="utf-8")
    for old in folder.glob("*.txt"):
        if old.stem not in RECIPES[profile_name]:
            old.unlink()  # a deviation that went away takes its transcript with it
    unconfirmed = [e.requirement_id for e in profile.expectations if e.requirement_id not in RECIPES[profile_name]]
    return stale + [f"{rid} (no recipe: write one)" for rid in unconfirmed]


def main(argv: list[str]) -> int:
    """Write the transcripts of the named peers (default: all); exit 1 if any went stale."""
    names = argv or list(RECIPES)
    stale = [f"{name}/{rid}" for name in names for rid in write_transcripts(name)]
    for item in stale:
        print(f"transcripts: {item}: stale or unconfirmed", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
