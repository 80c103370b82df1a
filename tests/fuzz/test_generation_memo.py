"""The per-run memo of Schemathesis' generation config: built once per operation and phase, same values."""

from conformance.fuzz.session import LoadedSurface


def test_generation_config_is_built_once_per_operation_and_phase_with_the_same_values():
    surface = LoadedSurface.load("http://127.0.0.1:1")
    config = surface.schema.config
    build = type(config).generation_for
    first = surface.operation("POST", "/v1/customers/{customer}/sources/{id}")
    second = surface.operation("GET", "/v1/customers")
    for operation in (first, second):
        for phase in ("fuzzing", "stateful", None):
            memo = config.generation_for(operation=operation, phase=phase)
            assert config.generation_for(operation=operation, phase=phase) is memo
            assert vars(memo) == vars(build(config, operation=operation, phase=phase))
    assert vars(config.generation_for()) == vars(build(config))


def test_the_fuzz_modules_share_one_loaded_surface_per_run(monkeypatch):
    """Each fuzz module imports the session fixture (two fixtures to pytest): the schema is loaded once."""
    import datetime
    import types

    import pytest

    from conformance.fuzz import fixtures
    from conformance.fuzz.budget import FuzzBudget
    from conformance.targets.profile import load_profile

    loads = []

    def load(base_url, today=None, profile=None):
        loads.append((base_url, today, profile))
        return object()

    monkeypatch.setattr(LoadedSurface, "load", load)
    config = types.SimpleNamespace(stash=pytest.Stash())
    request = types.SimpleNamespace(config=config)
    target = types.SimpleNamespace(base_url="http://127.0.0.1:1")
    now = datetime.datetime(2026, 12, 6, tzinfo=datetime.UTC)
    profile = load_profile("reference")
    surface = fixtures.fuzz_surface.__wrapped__  # type: ignore[attr-defined]
    first = surface(request, target, now, FuzzBudget(examples=3), profile)
    assert surface(request, target, now, FuzzBudget(examples=3), profile) is first
    assert len(loads) == 1
    other_run = types.SimpleNamespace(config=types.SimpleNamespace(stash=pytest.Stash()))
    assert surface(other_run, target, now, FuzzBudget(examples=3), profile) is not first
    assert len(loads) == 2


def test_checks_config_is_built_once_per_operation_and_phase_with_the_same_values():
    surface = LoadedSurface.load("http://127.0.0.1:1")
    config = surface.schema.config
    build = type(config).checks_config_for
    listing = surface.operation("GET", "/v1/customers")
    for operation in (listing, surface.operation("DELETE", "/v1/customers/{customer}")):
        for phase in ("fuzzing", "stateful", None):
            memo = config.checks_config_for(operation=operation, phase=phase)
            assert config.checks_config_for(operation=operation, phase=phase) is memo
            assert repr(vars(memo)) == repr(vars(build(config, operation=operation, phase=phase)))
