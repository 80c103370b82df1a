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
