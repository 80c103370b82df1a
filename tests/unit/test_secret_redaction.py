"""The configured key is redacted wherever it appears: whole, in pieces, in base64 at any alignment."""

import base64

import pytest

from conformance.http import Request, Response
from conformance.http.redacted_output import RedactingStream
from conformance.http.redaction import (
    MEMO_TEXT,
    _memo,
    forget_secrets,
    one_line,
    redact_bytes,
    redact_response,
    redact_text,
    register_secret,
)

KEY = "sk_test_51UnitCanaryQm2Wx9Lz4Pk8RtAbC"


@pytest.fixture(autouse=True)
def registered():
    register_secret(KEY)
    yield
    forget_secrets()


def assert_clean(text):
    assert KEY not in text
    assert not [KEY[i : i + 16] for i in range(len(KEY) - 15) if KEY[i : i + 16] in text]
    for prefix in (b"", b"a", b"ab", b"Basic-ish:"):
        for suffix in (b"", b":", b"xyz"):
            encoded = base64.b64encode(prefix + KEY.encode() + suffix).decode()
            core = encoded[len(prefix) * 4 // 3 + 4 : -8]  # the part only the key decides
            assert core not in text, (prefix, suffix)


@pytest.mark.parametrize("prefix", [b"", b"a", b"ab", b"abc", b"Bearer "])
@pytest.mark.parametrize("urlsafe", [False, True])
def test_base64_at_every_alignment(prefix, urlsafe):
    encode = base64.urlsafe_b64encode if urlsafe else base64.b64encode
    text = "header: " + encode(prefix + KEY.encode() + b":").decode() + " end"
    assert_clean(__import__("conformance.http.redaction", fromlist=["x"]).redact_text(text))


def test_pieces_and_case_of_the_key():
    from conformance.http.redaction import redact_text

    for piece in (KEY[5:30], KEY[-16:], KEY[:16], "X" + KEY[8:] + "Y"):
        assert_clean(redact_text(f"message: {piece}!"))
    assert redact_text("short piece " + KEY[10:20]) == "short piece " + KEY[10:20]  # under 16: kept


def test_bytes_that_are_not_utf8_are_redacted_and_keep_their_length():
    data = b"\xff\xfe\x00" + KEY.encode() + b"\x80" + base64.b64encode(KEY.encode() + b":")
    text = redact_bytes(data)
    assert_clean(text)
    assert f"not UTF-8: {len(data)} bytes" in text


def test_response_evidence_holds_no_piece_of_the_key():
    request = Request("GET", "http://127.0.0.1:1/v1/customers", (("Authorization", f"Bearer {KEY}"),))
    response = Response(403, (("X-Echo", KEY[2:]),), b"\xff" + KEY.encode(), request)
    assert_clean(str(redact_response(response).to_dict()) + str(redact_response(response).request.to_dict()))


def test_one_line_is_redacted_flat_and_cut():
    line = one_line(f"forbidden\nAuthorization: Basic {base64.b64encode(KEY.encode() + b':').decode()}\r\nnext\x1b[2J",
                    limit=80)
    assert "\n" not in line and "\r" not in line and "\x1b" not in line and len(line) <= 80
    assert_clean(line)


def test_streams_redact_a_key_written_in_pieces():
    class Sink:
        def __init__(self):
            self.text = ""

        def write(self, text):
            self.text += text

        def flush(self):
            pass

    sink = Sink()
    stream = RedactingStream(sink)
    for piece in ("key is ", KEY[:10], KEY[10:], " ok\n", "tail ", KEY):
        stream.write(piece)
    stream.flush()
    assert_clean(sink.text)
    assert sink.text.startswith("key is ") and sink.text.count("\n") == 1


def test_a_remembered_redaction_is_forgotten_when_a_secret_is_registered():
    text = "token opaqueCredential0042 in a label"  # nothing secret-looking until it is registered
    assert redact_text(text) == text
    assert redact_text(text) == text  # now remembered
    register_secret("opaqueCredential0042")
    assert "opaqueCredential0042" not in redact_text(text)


def test_long_texts_are_redacted_without_being_remembered():
    text = "x" * MEMO_TEXT + f" {KEY}"
    assert KEY not in redact_text(text)
    assert text not in _memo[0]
