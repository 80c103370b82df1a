"""``GivenRun``: what a front-end hands the pytest plugin, as an object passed to ``pytest.main(plugins=...)``."""

from __future__ import annotations

from dataclasses import dataclass

from conformance.http.traffic import Traffic
from conformance.settings.model import RunSettings
from conformance.targets import TargetConfig


@dataclass(frozen=True, slots=True)
class GivenRun:
    """The settings of a run and, when the front-end already validated it, its target.

    It holds no hooks: the plugin finds it among the registered plugins and uses it as it is, so
    neither the key nor any other setting travels through argv or the environment.
    """

    settings: RunSettings
    target: TargetConfig | None = None
    traffic_since: Traffic | None = None
    """The process's request count when the front-end started the run: its preflight counts as the run's."""
