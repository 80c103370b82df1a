"""Start-up stays cheap: commands import only what they use (figures in benchmarks/RESULTS.md)."""

import subprocess
import sys

import click
import pytest

from conformance.cli import COMMANDS, cli
from conformance.cli.lazy_group import LazyGroup

HEAVY = ("pytest", "_pytest", "starlette", "uvicorn", "vcr", "schemathesis", "hypothesis", "jinja2", "requests")

PROBE = """
import sys
from conformance.cli import cli
cli.main({argv!r}, prog_name="stripe-conformance", standalone_mode=False)
heavy = sorted({{name.split(".")[0] for name in sys.modules}} & set({heavy!r}))
print("HEAVY=" + ",".join(heavy))
"""


def _heavy_modules_after(argv: list[str]) -> list[str]:
    code = PROBE.format(argv=argv, heavy=HEAVY)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60).stdout
    line = next(line for line in out.splitlines() if line.startswith("HEAVY="))
    return [name for name in line.removeprefix("HEAVY=").split(",") if name]


def test_requirements_command_imports_no_test_runner_server_or_cassettes():
    assert _heavy_modules_after(["requirements"]) == []


def test_version_imports_nothing_heavy():
    assert _heavy_modules_after(["--version"]) == []


def test_every_lazy_command_resolves_to_a_click_command():
    ctx = click.Context(cli)
    for name, _ in COMMANDS:
        command = cli.get_command(ctx, name)
        assert isinstance(command, click.Command), name
        assert command.name == name


def test_help_lists_every_command():
    ctx = click.Context(cli)
    listed = cli.list_commands(ctx)
    assert {name for name, _ in COMMANDS} <= set(listed)
    assert listed == sorted(listed)


def test_unknown_command_is_none_and_eager_commands_still_work():
    @click.command("hello")
    def hello() -> None:
        """Say hello."""

    group = LazyGroup("g", lazy_commands=[("requirements", "conformance.cli.requirements_cmd:requirements_command")])
    group.add_command(hello)
    ctx = click.Context(group)
    assert group.get_command(ctx, "nope") is None
    assert group.get_command(ctx, "hello") is hello
    assert group.list_commands(ctx) == ["hello", "requirements"]


def test_a_lazy_name_that_is_not_a_command_is_refused():
    group = LazyGroup("g", lazy_commands=[("bad", "conformance.exit_codes:EXIT_USAGE")])
    with pytest.raises(TypeError, match="not a click command"):
        group.get_command(click.Context(group), "bad")


def test_a_run_without_cassettes_does_not_import_vcrpy():
    code = (
        "import sys, conformance.plugin, conformance.cli.run_cmd\n"
        "print(sorted(name for name in ('vcr', 'requests', 'unittest.mock') if name in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60).stdout
    assert out.strip() == "[]"


def test_cassette_names_still_import_from_the_recording_package():
    import conformance.recording as recording
    from conformance.recording.cassette import use_cassette

    assert recording.use_cassette is use_cassette
    with pytest.raises(AttributeError):
        _ = recording.no_such_name


def test_loading_the_plugin_does_not_import_the_template_engine():
    code = "import sys, conformance.plugin\nprint('jinja2' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60).stdout
    assert out.strip() == "False"
