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


def test_the_fuzz_modules_share_one_loaded_surface_per_run():
    """Both fuzz modules resolve ``fuzz_surface`` to one session fixture: the schema is loaded once a run."""
    import subprocess
    import sys
    from pathlib import Path

    package = Path(__file__).resolve().parents[2] / "conformance"
    probe = (
        "import sys, pytest\n"
        "class Probe:\n"
        "    def pytest_collection_finish(self, session):\n"
        "        defs = {id(session._fixturemanager.getfixturedefs('fuzz_surface', item)[-1])\n"
        "                for item in session.items}\n"
        "        modules = {item.module.__name__ for item in session.items}\n"
        "        print('PROBE', len(defs), sorted(modules))\n"
        "args = ['--co', '-q', '--pyargs', 'conformance.fuzz', '-c', sys.argv[1], '--rootdir', sys.argv[2]]\n"
        "sys.exit(pytest.main([*args, '-p', 'no:cacheprovider'], plugins=[Probe()]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe, str(package / "suite" / "pytest.ini"), str(package)],
        capture_output=True, text=True, timeout=120,
    ).stdout
    line = next(line for line in out.splitlines() if line.startswith("PROBE"))
    assert line == "PROBE 1 ['conformance.fuzz.test_fuzz_operations', 'conformance.fuzz.test_fuzz_scenarios']"



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
