"""Pure functions that strip secrets from anything before it is shown or written.

Secrets: API keys (``sk_``/``rk_``/``pk_``, live or test), the ``Authorization``,
``Stripe-Account`` and cookie headers and any header whose name says it holds a credential
(``X-Api-Key``, ``X-Auth-Token``...), ``client_secret`` values, webhook secrets
(``whsec_``), full card numbers (PAN-like digit runs) and CVCs.

Beyond these patterns, the secrets a run is configured with (its API key) are registered with
``register_secret``: from then on every redaction also removes the secret itself, any 16-character
piece of it, and its base64 forms (at each of the three byte alignments it can have inside a
longer base64 text, standard and URL-safe alphabets), wherever they appear.
"""

from __future__ import annotations

import base64
import re
import threading
from collections.abc import Iterable
from urllib.parse import parse_qsl, quote

from conformance.http.exchange import Request, Response

REDACTED = "[REDACTED]"

SECRET_HEADERS = frozenset({"authorization", "stripe-account", "cookie", "set-cookie", "proxy-authorization"})
# Names that say a header carries a credential or an identity (X-Api-Key, X-Auth-Token,
# X-Client-Secret, Connected-Account...): blanked like the ones above, e.g. when given with -H.
_PUBLIC_HEADERS = frozenset({"idempotency-key", "idempotent-replayed"})  # evidence, not credentials
_SECRET_HEADER_NAME = re.compile(r"auth|token|secret|key|passw|session|cookie|account|signature|credential", re.I)

_KEY_PATTERN = re.compile(r"\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]+")
# The base64 of "sk_test_…", "rk_live_…" etc. (an Authorization value seen without its scheme).
_BASE64_KEY_PATTERN = re.compile(r"\b(?:c2tf|cmtf|cGtf)(?:dGVzdF|bGl2ZV)[A-Za-z0-9+/]*={0,2}")
_WHSEC_PATTERN = re.compile(r"\bwhsec_[A-Za-z0-9]+")
_CLIENT_SECRET_PATTERN = re.compile(r"\b[a-z]{2,5}_[A-Za-z0-9]+_secret_[A-Za-z0-9]+")
_JSON_SECRET_FIELD = re.compile(r'("(?:client_secret|secret|cvc)"\s*:\s*)"[^"]*"')
_JSON_NUMBER_FIELD = re.compile(r'("number"\s*:\s*)"[\d -]{8,}"')
# A credential after its scheme: 12 characters or more, so that prose ("a Bearer token") stays readable.
_BASIC_PATTERN = re.compile(r"(Basic|Bearer)\s+[A-Za-z0-9+/=._-]{12,}")
# 13-19 digits (spaces or dashes allowed between them), not part of a longer word such as an object
# id, nor the fraction of a decimal number.
_PAN_PATTERN = re.compile(r"(?<![A-Za-z0-9_])(?<!\d\.)\d(?:[ -]?\d){12,18}(?![A-Za-z0-9_])(?!\.\d)")
_SECRET_FORM_LEAVES = frozenset({"number", "cvc", "client_secret", "secret"})

FRAGMENT = 16
"""A piece of a registered secret this long or longer is redacted wherever it appears."""
_MIN_SECRET = 8
_MAX_SECRETS = 32
"""A run has one key; a process that builds many configurations (a test session) keeps the newest."""
_registered: dict[str, frozenset[str]] = {}
_pattern: list[re.Pattern[str]] = []
_lock = threading.Lock()

MEMO_TEXT = 256
"""Texts up to this long are remembered with their redaction (a run redacts the same labels, names
and statuses thousands of times: every Allure result and container file is redacted string by string)."""
MEMO_SIZE = 8192
_memo: list[dict[str, str]] = [{}]
"""The texts redacted since the registered secrets last changed; a new dict whenever they change."""


def register_secret(secret: str) -> None:
    """Redact ``secret``, its 16-character pieces and its base64 forms from now on, in every redaction."""
    secret = secret.strip()
    if len(secret) < _MIN_SECRET or secret in _registered:
        return
    forms = {secret[i : i + FRAGMENT] for i in range(max(1, len(secret) - FRAGMENT + 1))}
    raw = secret.encode("utf-8")
    for start in range(3):
        whole = raw[start : start + 3 * ((len(raw) - start) // 3)]
        if len(whole) >= 6:
            encoded = base64.b64encode(whole).decode("ascii")
            forms |= {encoded, encoded.replace("+", "-").replace("/", "_")}
    with _lock:
        _registered[secret] = frozenset(forms)
        while len(_registered) > _MAX_SECRETS:
            del _registered[next(iter(_registered))]
        every = set().union(*_registered.values())
        # Longest first, and a piece runs on to the end of its token: a match never leaves a tail behind.
        alternatives = "|".join(re.escape(form) for form in sorted(every, key=len, reverse=True))
        _pattern[:] = [re.compile(f"(?:{alternatives})[A-Za-z0-9_+/=-]*")]
        _memo[:] = [{}]  # after the pattern: a redaction that sees the new memo also sees the new pattern


def forget_secrets() -> None:
    """Forget every registered secret (tests; a process runs against one key)."""
    with _lock:
        _registered.clear()
        _pattern.clear()
        _memo[:] = [{}]


def _redact_registered(text: str) -> str:
    for pattern in tuple(_pattern):
        text = pattern.sub(REDACTED, text)
    return text


def redact_text(text: str) -> str:
    """Replace every secret-looking token inside free text."""
    if len(text) > MEMO_TEXT:
        return _redact_text(text)
    memo = _memo[0]  # before the patterns are read: see register_secret
    redacted = memo.get(text)
    if redacted is None:
        redacted = _redact_text(text)
        if len(memo) < MEMO_SIZE:
            memo[text] = redacted
    return redacted


def _redact_text(text: str) -> str:
    text = _KEY_PATTERN.sub(_mask_key, text)
    text = _redact_registered(text)
    text = _BASE64_KEY_PATTERN.sub(REDACTED, text)
    text = _WHSEC_PATTERN.sub("whsec_" + REDACTED, text)
    text = _CLIENT_SECRET_PATTERN.sub(REDACTED, text)
    text = _JSON_SECRET_FIELD.sub(lambda m: m.group(1) + f'"{REDACTED}"', text)
    text = _JSON_NUMBER_FIELD.sub(lambda m: m.group(1) + f'"{REDACTED}"', text)
    text = _BASIC_PATTERN.sub(lambda m: f"{m.group(1)} {REDACTED}", text)
    return _PAN_PATTERN.sub(_mask_pan, text)


def is_secret_header(name: str) -> bool:
    """Tell whether a header named ``name`` carries a secret (``SECRET_HEADERS``, or a name that says so)."""
    lowered = name.lower()
    return lowered in SECRET_HEADERS or (lowered not in _PUBLIC_HEADERS and bool(_SECRET_HEADER_NAME.search(name)))


def redact_header(name: str, value: str) -> str:
    """Return ``value`` safe to show: blanked for secret-bearing headers, scrubbed as text otherwise."""
    return REDACTED if is_secret_header(name) else redact_text(value)


def redact_headers(headers: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """Replace the values of secret-bearing headers and scrub the rest as text."""
    return tuple((name, redact_header(name, value)) for name, value in headers)


def redact_form(body: str) -> str:
    """Redact an urlencoded form or query string, parameter by parameter."""
    pairs = parse_qsl(body, keep_blank_values=True)
    cleaned = [(key, _redact_form_value(key, value)) for key, value in pairs]
    return "&".join(f"{quote(k, safe='[]')}={quote(v, safe='[]')}" for k, v in cleaned)


def redact_url(url: str) -> str:
    """Redact secrets in a URL's query string and any userinfo it carries."""
    url = re.sub(r"//[^/@]+@", "//", url, count=1)
    base, sep, query = url.partition("?")
    return redact_text(base) + (sep + redact_form(query) if sep else "")


def redact_body(body: bytes, content_type: str | None) -> bytes:
    """Redact a request or response body: form bodies parameter by parameter, anything else as text.

    Bytes that are not UTF-8 are decoded with replacement characters and redacted as text (an
    echoed key is ASCII inside any binary), followed by a note of their original length.
    """
    if not body:
        return body
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return redact_bytes(body).encode("utf-8")
    if "x-www-form-urlencoded" in (content_type or "").lower():
        return redact_form(text).encode("utf-8")
    return redact_text(text).encode("utf-8")


def redact_bytes(data: bytes) -> str:
    """Return ``data`` as redacted text; bytes that are not UTF-8 say so, with their length."""
    try:
        return redact_text(data.decode("utf-8"))
    except UnicodeDecodeError:
        text = redact_text(data.decode("utf-8", "replace"))
        return f"{text}{NOT_UTF8_NOTE.format(size=len(data))}"


NOT_UTF8_NOTE = " [not UTF-8: {size} bytes, shown decoded with replacement characters]"


def one_line(text: str, limit: int = 300) -> str:
    """Return ``text`` redacted, on one line (control characters and line breaks as spaces), cut at ``limit``."""
    flat = " ".join(re.sub(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]", " ", redact_text(text)).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def redact_request(request: Request) -> Request:
    """Return a copy of ``request`` safe to show or write."""
    content_type = request.header("Content-Type") or ""
    return Request(
        method=request.method,
        url=redact_url(request.url),
        headers=redact_headers(request.headers),
        body=redact_body(request.body, content_type),
    )


def redact_response(response: Response) -> Response:
    """Return a copy of ``response`` (and its request) safe to show or write."""
    return Response(
        status=response.status,
        headers=redact_headers(response.headers),
        body=redact_bytes(response.body).encode("utf-8"),
        request=redact_request(response.request),
        elapsed=response.elapsed,
    )


def _redact_form_value(key: str, value: str) -> str:
    leaf = key.rsplit("[", 1)[-1].rstrip("]")
    if not value or leaf not in _SECRET_FORM_LEAVES:
        return redact_text(value)
    if value.startswith(REDACTED):
        return value  # already redacted: redaction is idempotent
    digits = re.sub(r"[ -]", "", value)
    if leaf == "number" and digits.isdigit() and len(digits) >= 12:
        return f"{REDACTED}{digits[-4:]}"  # the last four digits may be shown, as on receipts
    return REDACTED


def _mask_key(match: re.Match[str]) -> str:
    prefix = match.group(0)[:8]
    return f"{prefix}{REDACTED}"


def _mask_pan(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    if not _luhn_valid(digits):
        return match.group(0)
    return f"{REDACTED}{digits[-4:]}"


def _luhn_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0
