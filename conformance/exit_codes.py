"""The documented exit codes of every command and of the pytest plugin (defined here only)."""

EXIT_OK = 0
"""The target conforms, or the command succeeded."""
EXIT_NONCONFORMING = 1
"""The target does not conform (or the input to validate/diff is invalid)."""
EXIT_USAGE = 2
"""Usage or configuration error: a bad option, config file, profile or expectations file."""
EXIT_UNREACHABLE = 3
"""The target is unreachable, not Stripe-like, or rejects the key."""
