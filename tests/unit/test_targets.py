import pytest

from conformance.targets import ConfigError, TargetConfig, generated_test_key


def test_build_normalises_url():
    config = TargetConfig.build("http://user:pw@127.0.0.1:12111/", "sk_test_x")
    assert config.base_url == "http://127.0.0.1:12111"
    assert config.stripe_version == "2023-08-16"


@pytest.mark.parametrize("key", ["sk_live_abc", "rk_live_abc"])
def test_live_keys_refused(key):
    with pytest.raises(ConfigError, match="live-mode key"):
        TargetConfig.build("http://127.0.0.1:1", key)


def test_no_option_lets_a_live_key_through():
    """There is no override: no run option, config-file key or environment variable names one."""
    from conformance.settings.options import OPTIONS

    assert not [o for o in OPTIONS if "live" in o.name or "live" in (o.flag or "")]
    with pytest.raises(TypeError):
        TargetConfig.build("http://127.0.0.1:1", "sk_live_abc", allow_live_key=True)  # type: ignore[call-arg]


@pytest.mark.parametrize("url", ["127.0.0.1:12111", "ftp://x", "http://", "http://h:99999"])
def test_bad_urls(url):
    with pytest.raises(ConfigError):
        TargetConfig.build(url, "sk_test_x")


def test_missing_key_and_bad_version():
    with pytest.raises(ConfigError, match="API key"):
        TargetConfig.build("http://127.0.0.1:1", None)
    with pytest.raises(ConfigError, match="stripe-version"):
        TargetConfig.build("http://127.0.0.1:1", "sk_test_x", stripe_version="latest")


def test_generated_key_is_test_mode():
    assert generated_test_key().startswith("sk_test_")
