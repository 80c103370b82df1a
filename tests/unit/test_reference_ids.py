"""Reference server ids: right length and alphabet, every character reachable, no modulo bias."""

import collections
import string

from conformance.reference.ids import ALPHANUMERIC, invoice_prefix, random_alnum, random_id


def test_ids_have_the_prefix_length_and_alphabet():
    for length in (1, 8, 14, 24, 300):
        value = random_id("cus", length)
        assert value.startswith("cus_")
        assert len(value) == 4 + length
        assert set(value[4:]) <= set(ALPHANUMERIC)


def test_invoice_prefix_is_upper_case_and_digits():
    prefix = invoice_prefix()
    assert len(prefix) == 8 and set(prefix) <= set(string.ascii_uppercase + string.digits)


def test_every_character_is_drawn_about_equally_often():
    counts = collections.Counter("".join(random_alnum(62) for _ in range(2000)))
    assert set(counts) == set(ALPHANUMERIC)
    expected = 2000  # 124,000 draws over 62 characters
    assert all(abs(count - expected) < 300 for count in counts.values()), counts.most_common(3)
