"""The run's execution options reach the plugin (and pytest-xdist) as pytest arguments."""

from conformance.cli.execution import DEFAULT_DEADLINE, Execution


def test_defaults_bound_every_run():
    args = Execution().pytest_args()
    assert args[args.index("--stripe-deadline") + 1] == f"{DEFAULT_DEADLINE:g}"
    assert args[args.index("--stripe-request-timeout") + 1] == "30"
    assert args[args.index("--stripe-retries") + 1] == "2"
    assert "--stripe-rate-limit" not in args and "-n" not in args and "--stripe-shard" not in args


def test_every_option_is_passed_on():
    args = Execution(workers=3, shard="2/5", request_timeout=1.5, retries=0, rate_limit=7, deadline=0).pytest_args()
    assert args[-4:] == ["-p", "xdist.plugin", "-n", "3"]  # plugin autoload is off in runs: xdist by name
    assert "--stripe-deadline" not in args  # 0: no deadline
    pairs = dict(zip(args[:-4:2], args[1:-4:2], strict=True))
    assert pairs == {"--stripe-request-timeout": "1.5", "--stripe-retries": "0", "--stripe-rate-limit": "7",
                     "--stripe-shard": "2/5"}


def test_transport_settings_for_the_preflight():
    settings = Execution(request_timeout=2, retries=1, rate_limit=5).transport_settings()
    assert (settings.timeout, settings.retries, settings.rate) == (2, 1, 5)
