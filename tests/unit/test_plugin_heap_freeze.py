"""The plugin freezes the start-up heap after collecting a conformance run, and leaves other projects' runs alone."""

import pytest

pytest_plugins = ["pytester"]

CONFTEST = """
import gc

def pytest_sessionfinish(session):
    print(f"FROZEN={gc.get_freeze_count()}")
"""

SCENARIO = """
import pytest

@pytest.mark.requirement("card.create.returns-card")
def test_scenario():
    pass
"""

PLAIN = """
def test_plain():
    pass
"""

ARGS = ("--co", "-s", "-p", "no:cacheprovider", "--disable-plugin-autoload", "-p", "conformance.plugin")


def _frozen(pytester: pytest.Pytester, body: str) -> int:
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_one=body)
    result = pytester.runpytest_subprocess(*ARGS)
    line = next(line for line in result.outlines if line.startswith("FROZEN="))
    return int(line.removeprefix("FROZEN="))


def test_a_session_with_scenarios_freezes_the_heap_after_collection(pytester):
    assert _frozen(pytester, SCENARIO) > 10_000  # pytest and the plugin's modules, at least


def test_a_session_without_scenarios_is_left_alone(pytester):
    assert _frozen(pytester, PLAIN) == 0
