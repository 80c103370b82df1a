"""The documented exit codes of every command."""

EXIT_OK = 0
EXIT_NONCONFORMING = 1
EXIT_USAGE = 2
EXIT_UNREACHABLE = 3
