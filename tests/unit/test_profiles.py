"""Target profiles: shipped ones load, features are claimed unless listed false, bad files are refused."""

import re
from pathlib import Path

import pytest

from conformance.targets.profile import (
    FEATURES,
    ProfileError,
    available_profiles,
    custom_profile,
    load_profile,
    parse_profile,
)

TRANSCRIPTS = Path(__file__).resolve().parents[2] / "docs" / "peers"


def test_shipped_profiles_load_with_valid_expectations():
    assert set(available_profiles()) >= {"reference", "localstripe", "stripe-stateful-mock", "stripe"}
    for name in available_profiles():
        profile = load_profile(name)
        assert profile.name == name
        assert profile.stripe_version == "2023-08-16"


def test_reference_claims_everything_and_expects_nothing():
    reference = load_profile("reference")
    assert reference.builtin and not reference.unclaimed and not reference.expectations


def test_stripe_profile_is_hosted_and_never_a_peer():
    stripe = load_profile("stripe")
    assert stripe.hosted and stripe.peer is None and stripe.url == "https://api.stripe.com"


def test_peer_profiles_pin_an_exact_version_and_loopback_url():
    for name in ("localstripe", "stripe-stateful-mock"):
        profile = load_profile(name)
        assert profile.peer is not None and profile.peer.version[0].isdigit()
        assert profile.url is not None and profile.url.startswith("http://127.0.0.1:")


@pytest.mark.parametrize("name", ["localstripe", "stripe-stateful-mock"])
def test_every_expected_deviation_has_a_reason_a_link_and_a_curl_transcript(name):
    profile = load_profile(name)
    assert profile.expectations, f"{name} has no expectations"
    for entry in profile.expectations:
        assert not entry.reason.startswith("observed "), f"{entry.requirement_id}: reason not written by hand"
        assert entry.link and entry.link.startswith("https://")
        transcript = TRANSCRIPTS / name / f"{entry.requirement_id}.txt"
        assert transcript.exists(), f"no curl transcript {transcript}"
        text = transcript.read_text()
        assert "$ curl" in text or "$(curl" in text
        assert not re.search(r"sk_test_[A-Za-z0-9]", text), "a key leaked into a transcript"


def test_unlisted_features_are_claimed():
    profile = parse_profile('name = "x"\n[features]\nlist_sources = false\n')
    assert not profile.claims("list_sources")
    assert profile.claims("update_source")
    assert custom_profile().claims("list_sources")


def test_skip_reason_names_the_profile_and_the_missing_feature():
    profile = parse_profile('name = "fake"\n[features]\nlist_cards = false\n')
    reason = profile.skip_reason(("list_sources", "list_cards"))
    assert reason is not None
    assert "'fake'" in reason and "list_cards" in reason and "list_sources" not in reason
    assert profile.skip_reason(("list_sources",)) is None


def test_unknown_feature_is_refused_in_a_file_and_in_a_query():
    with pytest.raises(ProfileError, match="unknown feature 'teleport'"):
        parse_profile('name = "x"\n[features]\nteleport = false\n')
    with pytest.raises(ProfileError, match="unknown feature"):
        custom_profile().claims("teleport")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("description = 'no name'\n", "'name' is required"),
        ('name = "x"\ncolour = "blue"\n', "unknown key"),
        ('name = "x"\n[features]\nlist_sources = "no"\n', "true or false"),
        ('name = "x"\n[peer]\nregistry = "cran"\npackage = "p"\nversion = "1"\ndefault_port = 1\n', "registry"),
        ('name = "x"\n[peer]\nregistry = "npm"\npackage = "p"\nversion = "1"\ndefault_port = 0\n', "default_port"),
        ('name = "x"\n[expectations."no.such.requirement"]\nexpected = "fail"\nreason = "r"\n', "unknown requirement"),
        ('name = "x"\n[expectations."card.delete.stub"]\nexpected = "fail"\n', "'reason' is required"),
        ("name = [", "not valid TOML"),
    ],
)
def test_malformed_profiles_are_refused_with_one_line(text, message):
    with pytest.raises(ProfileError, match=message):
        parse_profile(text)


def test_load_by_path_and_unknown_name(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text('name = "mine"\n[features]\nupdate_source = false\n')
    assert load_profile(str(path)).unclaimed == frozenset({"update_source"})
    with pytest.raises(ProfileError, match=r"unknown target profile 'nope'.*localstripe"):
        load_profile("nope")
    with pytest.raises(ProfileError, match="cannot read"):
        load_profile(str(tmp_path / "missing.toml"))


def test_feature_vocabulary_is_described():
    assert all(description and not description.endswith(".") for description in FEATURES.values())
