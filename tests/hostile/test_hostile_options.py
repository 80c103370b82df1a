"""The run's execution options reach pytest (workers) and the transport; the rest travel in ``RunSettings``."""

from conformance.cli.run_cmd import suite_arguments
from conformance.settings import DEFAULT_DEADLINE, RunSettings


def test_defaults_bound_every_run():
    settings = RunSettings()
    assert (settings.deadline, settings.request_timeout, settings.retries) == (DEFAULT_DEADLINE, 30, 2)
    assert settings.rate_limit is None and settings.shard is None
    args = suite_arguments(settings)
    assert "-n" not in args and not [a for a in args if a.startswith("--stripe-")]


def test_workers_become_xdist_arguments_and_nothing_else_is_passed_as_argv():
    settings = RunSettings(workers=3, concurrency=2, shard="2/5", request_timeout=1.5, retries=0, rate_limit=7,
                           deadline=0, api_key="sk_test_secretvalue")
    args = suite_arguments(settings)
    assert args[-4:] == ["-p", "xdist.plugin", "-n", "3"]  # plugin autoload is off in runs: xdist by name
    assert not [a for a in args if a.startswith("--stripe-") or "sk_test" in a]


def test_transport_settings_for_the_preflight():
    settings = RunSettings(request_timeout=2, retries=1, rate_limit=5).transport_settings()
    assert (settings.timeout, settings.retries, settings.rate) == (2, 1, 5)
