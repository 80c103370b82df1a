"""The plugin freezes the start-up heap after collecting a conformance run, and leaves other projects' runs alone."""

import re

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


FIXTURE_CONFTEST = """
import pytest

@pytest.fixture(scope="{scope}")
def built():
    return [[index] for index in range(5_000)]  # lists: objects the collector tracks
"""

USES_FIXTURE = """
import gc
import pytest

@pytest.mark.requirement("card.create.returns-card")
def test_scenario(built):
    print(f"FROZEN={gc.get_freeze_count()}")  # while the fixture's objects are alive
"""


def _frozen_after(pytester: pytest.Pytester, scope: str) -> int:
    pytester.makeconftest(FIXTURE_CONFTEST.format(scope=scope))
    pytester.makepyfile(test_one=USES_FIXTURE)
    result = pytester.runpytest_subprocess("-s", *ARGS[2:])
    found = next(match for line in result.outlines if (match := re.search(r"FROZEN=(\d+)", line)))
    return int(found.group(1))


def test_what_a_session_fixture_builds_is_frozen_with_the_start_up_heap(pytester):
    # The session fixture's 5,000 lists join the frozen heap; a function fixture's stay collectable.
    assert _frozen_after(pytester, "session") >= _frozen_after(pytester, "function") + 5_000
