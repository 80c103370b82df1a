"""The run model: one table of options, one frozen ``RunSettings``, the config file and the precedence.

Both front-ends (``stripe-conformance run`` and the pytest plugin) generate their options from
``OPTIONS`` and build a ``RunSettings`` with ``resolve``: a command-line flag beats an environment
variable, which beats the config file, which beats the table's default.
"""

from conformance.settings.config_file import CONFIG_FILE, PYPROJECT_TABLE, find_config_file, load_config_file
from conformance.settings.given import GivenRun
from conformance.settings.model import RunSettings, SettingsError
from conformance.settings.options import (
    BY_NAME,
    CLI,
    DEFAULT_DEADLINE,
    DEFAULT_EXAMPLES,
    OPTIONS,
    PYTEST,
    Option,
)
from conformance.settings.resolve import convert, from_environment, resolve

__all__ = [
    "BY_NAME",
    "CLI",
    "CONFIG_FILE",
    "DEFAULT_DEADLINE",
    "DEFAULT_EXAMPLES",
    "OPTIONS",
    "PYPROJECT_TABLE",
    "PYTEST",
    "GivenRun",
    "Option",
    "RunSettings",
    "SettingsError",
    "convert",
    "find_config_file",
    "from_environment",
    "load_config_file",
    "resolve",
]
