"""Live keys are refused however they are spelled, from every entry point, before any connection.

Each variant is what a user pastes by accident: a key with a leading space or tab, in upper or mixed
case, with its Authorization scheme still in front. A listening loopback socket stands in for the
target and must see zero connections.
"""

import os
import socket
import subprocess
import sys
from contextlib import contextmanager

import pytest

from conformance.targets import ConfigError, TargetConfig

CLI = [sys.executable, "-m", "conformance"]
TAIL = "canaryLIVE0123456789"

LIVE_VARIANTS = {
    "plain": f"sk_live_{TAIL}",
    "leading-space": f" sk_live_{TAIL}",
    "leading-tab": f"\tsk_live_{TAIL}",
    "trailing-newline": f"sk_live_{TAIL}\n",
    "upper": f"SK_LIVE_{TAIL}",
    "mixed": f"Sk_Live_{TAIL}",
    "bearer": f"Bearer sk_live_{TAIL}",
    "bearer-lower": f"bearer  sk_live_{TAIL}",
    "restricted": f"rk_live_{TAIL}",
    "restricted-upper": f" RK_LIVE_{TAIL}",
    "restricted-bearer": f"Bearer rk_live_{TAIL}",
}
MALFORMED = {
    "inner-space": "sk_test_abc def123",
    "inner-tab": "sk_test_abc\tdef123",
    "control-char": "sk_test_abc\x1bdef123",
    "inner-newline": "sk_test_abc\ndef123",
    "basic-scheme": "Basic c2tfdGVzdF9hYmM6",
}


@contextmanager
def listening():
    """A loopback socket nobody should ever connect to; yields its URL, then asserts zero accepts."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
        listener.setblocking(False)
        with pytest.raises(BlockingIOError):
            listener.accept()  # a connection would wait in the backlog: there must be none


def _no_key_in(output: str, key: str) -> None:
    core = key.strip().split()[-1] if key.strip() else key
    assert TAIL not in output and core not in output, output[-2000:]
    assert "Traceback" not in output, output[-2000:]


@pytest.mark.parametrize("key", LIVE_VARIANTS.values(), ids=LIVE_VARIANTS.keys())
def test_live_key_variants_are_refused_by_the_config(key):
    with pytest.raises(ConfigError, match="live-mode key"):
        TargetConfig.build("http://127.0.0.1:9", key)


@pytest.mark.parametrize("key", MALFORMED.values(), ids=MALFORMED.keys())
def test_keys_with_whitespace_control_characters_or_a_scheme_are_usage_errors(key):
    with pytest.raises(ConfigError) as caught:
        TargetConfig.build("http://127.0.0.1:9", key)
    assert "def123" not in str(caught.value) and "\n" not in str(caught.value)


def test_harmless_spelling_is_normalised():
    from conformance.targets.config import normalise_key

    assert normalise_key("  sk_test_abc123\n") == "sk_test_abc123"
    assert normalise_key("Bearer sk_test_abc123") == "sk_test_abc123"
    assert TargetConfig.build("http://127.0.0.1:9", "\tsk_test_abc123 ").api_key == "sk_test_abc123"
    # Normalised first, then judged: a padded upper-case live key is still refused.
    with pytest.raises(ConfigError, match="live-mode key"):
        TargetConfig.build("http://127.0.0.1:9", " SK_LIVE_x1")


@pytest.mark.parametrize("key", [*LIVE_VARIANTS.values(), *MALFORMED.values()],
                         ids=[*LIVE_VARIANTS.keys(), *MALFORMED.keys()])
def test_cli_refuses_before_any_connection(key, tmp_path):
    with listening() as url:
        result = subprocess.run(
            [*CLI, "run", "--target", url, "--api-key", key, "--report-dir", str(tmp_path / "r")],
            capture_output=True, text=True, timeout=60,
        )
    output = result.stdout + result.stderr
    assert result.returncode == 2, output[-2000:]
    assert result.stderr.strip().count("\n") == 0, result.stderr
    _no_key_in(output, key)


@pytest.mark.parametrize("key", [LIVE_VARIANTS[name] for name in ("leading-tab", "mixed", "bearer")])
def test_cli_refuses_through_the_environment_and_on_the_builtin_server(key, tmp_path):
    env = {**os.environ, "STRIPE_API_KEY": key}
    result = subprocess.run([*CLI, "run", "--report-dir", str(tmp_path / "r")], capture_output=True, text=True,
                            timeout=60, env=env)
    assert result.returncode == 2 and "live-mode key" in result.stderr, result.stderr[-2000:]
    _no_key_in(result.stdout + result.stderr, key)


PLUGIN_VARIANTS = ("leading-space", "leading-tab", "upper", "mixed", "bearer", "restricted-upper", "inner-tab")


@pytest.mark.parametrize("name", PLUGIN_VARIANTS)
def test_pytest_plugin_refuses_before_any_connection(name, tmp_path):
    key = {**LIVE_VARIANTS, **MALFORMED}[name]
    with listening() as url:
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "--pyargs", "conformance.suite", "-p", "no:cacheprovider",
             "--stripe-target", url, "--stripe-api-key", key, "--stripe-report-dir", str(tmp_path / "r"), "-q"],
            capture_output=True, text=True, timeout=60, cwd=tmp_path,
        )
    output = result.stdout + result.stderr
    assert result.returncode == 2, output[-2000:]
    _no_key_in(output, key)


@pytest.mark.parametrize("key", [LIVE_VARIANTS["leading-space"], LIVE_VARIANTS["mixed"]])
def test_pytest_plugin_refuses_on_the_builtin_server_too(key, tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--pyargs", "conformance.suite", "-p", "no:cacheprovider",
         "--stripe-api-key", key, "--stripe-report-dir", str(tmp_path / "r"), "-q", "-k", "test_auth"],
        capture_output=True, text=True, timeout=60, cwd=tmp_path,
    )
    assert result.returncode == 2, (result.stdout + result.stderr)[-2000:]
    _no_key_in(result.stdout + result.stderr, key)


@pytest.mark.parametrize("key", [LIVE_VARIANTS["upper"], LIVE_VARIANTS["bearer"], MALFORMED["inner-tab"]])
def test_cleanup_command_refuses_before_any_connection(key):
    with listening() as url:
        result = subprocess.run([*CLI, "cleanup", "--target", url, "--api-key", key],
                                capture_output=True, text=True, timeout=60)
    assert result.returncode == 2, result.stderr
    _no_key_in(result.stdout + result.stderr, key)
