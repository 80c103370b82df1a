"""The UTF-8 table written ahead of Hypothesis is the one Hypothesis computes, and is read where it is."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import configuration
from hypothesis.internal import charmap

from conformance.fuzz.unicode_tables import UTF8_TABLE_NAME, prime_utf8_table, utf8_table


@pytest.fixture
def hypothesis_home(tmp_path: Path) -> Iterator[Path]:
    """Hypothesis' storage in an empty directory for one test, its table cache emptied around it."""
    before = configuration.storage_directory(intent_to_write=False).path
    configuration.set_hypothesis_home_dir(tmp_path)
    charmap.intervals_from_codec.cache_clear()
    try:
        yield tmp_path
    finally:
        configuration.set_hypothesis_home_dir(before)
        charmap.intervals_from_codec.cache_clear()


def test_the_closed_form_is_what_hypothesis_computes(hypothesis_home: Path) -> None:
    """Hypothesis' own walk of every code point (no file yet) gives the table written ahead of it."""
    encodable, non_roundtrip = charmap.intervals_from_codec("utf-8")
    as_lists = [[list(pair) for pair in table.intervals] for table in (encodable, non_roundtrip)]
    assert as_lists == utf8_table()
    computed = gzip.decompress(charmap.charmap_file(UTF8_TABLE_NAME).read_bytes())
    assert json.loads(computed) == utf8_table()


def test_primed_table_is_read_by_hypothesis(hypothesis_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With the file written ahead, Hypothesis reads it and never walks the code points."""
    prime_utf8_table()
    path = charmap.charmap_file(UTF8_TABLE_NAME)
    assert path.is_file() and hypothesis_home in path.parents
    monkeypatch.setattr(charmap.sys, "maxunicode", -1)  # a walk would now find nothing encodable
    encodable, _ = charmap.intervals_from_codec("utf-8")
    assert encodable.intervals == ((0, 0xD7FF), (0xE000, 0x10FFFF))


def test_an_existing_table_is_left_alone(hypothesis_home: Path) -> None:
    """A table already there (Hypothesis' own, or an earlier run's) is not rewritten."""
    path = charmap.charmap_file(UTF8_TABLE_NAME)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"kept")
    prime_utf8_table()
    assert path.read_bytes() == b"kept"


def test_an_unwritable_storage_is_not_an_error(hypothesis_home: Path) -> None:
    """Where the file cannot be written, nothing is raised: Hypothesis then computes the table itself."""
    (hypothesis_home / "unicode_data").write_text("a file where a directory should be")
    prime_utf8_table()
    assert not charmap.charmap_file(UTF8_TABLE_NAME).exists()
