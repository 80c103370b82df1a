"""The documented exit codes of every command and of the pytest plugin (defined here only)."""

EXIT_OK = 0
"""The target conforms (every assessed MUST held; failed SHOULDs are warnings), or the command succeeded."""
EXIT_NONCONFORMING = 1
"""The target does not conform: a MUST failed, or a SHOULD under ``--strict`` (or validate/diff input is invalid)."""
EXIT_USAGE = 2
"""Usage or configuration error: a bad option, config file, profile or expectations file."""
EXIT_UNREACHABLE = 3
"""The target is unreachable, not Stripe-like, or rejects the key."""
EXIT_INCOMPLETE = 4
"""``run``/``merge``: the run ended early (``--deadline``) or a merge lacks shards; what did not run is listed."""
EXIT_INTERRUPTED = 130
"""SIGINT (Ctrl-C) stopped the run: 128 + 2, as shells report it; every report says ``interrupted``."""
EXIT_TERMINATED = 143
"""SIGTERM (CI cancellation, ``timeout``) stopped the run: 128 + 15; every report says ``terminated``."""

_BY_OUTCOME = {"interrupted": EXIT_INTERRUPTED, "terminated": EXIT_TERMINATED}
_BY_VERDICT = {
    "CONFORMS": EXIT_OK,
    "PARTIAL": EXIT_OK,
    "DOES NOT CONFORM": EXIT_NONCONFORMING,
    "INCOMPLETE": EXIT_INCOMPLETE,
}


def exit_code_for(verdict: str, outcome: str) -> int:
    """The exit code of a run that wrote a report with this verdict and outcome (a signal's code wins)."""
    return _BY_OUTCOME.get(outcome, _BY_VERDICT.get(verdict, EXIT_NONCONFORMING))


RUN_EXIT_CODES_HELP = (
    "Exit codes: 0 conforms: every assessed MUST held, failed SHOULDs are only warnings (or, for one "
    "shard, a subset replay or a -k/-m/--fuzz-examples 0 selection, PARTIAL with nothing failed); 1 does "
    "not conform: a MUST failed, or a SHOULD under --strict (--max-failures included); 2 usage or input "
    "error (bad flag, expectations file, unreadable cassette); 3 target unreachable or not Stripe-like; 4"
    " incomplete (--deadline passed); 130 interrupted by SIGINT; 143 terminated by SIGTERM. Every report "
    "is written in each case."
)
