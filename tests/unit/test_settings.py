"""The run model: one options table, both front-ends generated from it, one precedence, one RunSettings."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from conformance.cli import cli
from conformance.cli.run_cmd import run_command
from conformance.cli.run_options import run_options
from conformance.plugin.run_settings import GROUP, add_options, settings_from_options
from conformance.settings import (
    BY_NAME,
    CLI,
    DEFAULT_EXAMPLES,
    OPTIONS,
    PYTEST,
    RunSettings,
    SettingsError,
    load_config_file,
    resolve,
)
from conformance.settings.options import DEFAULT_LIMITED_EXAMPLES

PACKAGE = Path(__file__).resolve().parents[2] / "conformance"
PASSED_THROUGH = {"keyword", "markexpr", "verbose"}  # pytest's own -k, -m, -v, given to pytest as they are


def _pytest_arguments() -> dict[str, object]:
    parser = pytest.Parser(_ispytest=True)
    add_options(parser)
    return {arg.names()[0]: arg for arg in parser.getgroup(GROUP).options}


def _click_parameters() -> dict[str, click.Parameter]:
    return {param.name: param for param in run_command.params if param.name}


def test_the_settings_fields_are_the_table():
    fields = {f.name: f.default for f in dataclasses.fields(RunSettings)}
    assert list(fields) == [option.name for option in OPTIONS]
    for option in OPTIONS:
        assert fields[option.name] == option.default, option.name


@pytest.mark.parametrize("option", OPTIONS, ids=lambda o: o.name)
def test_each_option_is_declared_alike_in_the_front_ends_that_show_it(option):
    pytest_args, click_params = _pytest_arguments(), _click_parameters()
    assert (option.pytest_flag in pytest_args) == (PYTEST in option.front_ends)
    assert (option.name in click_params) == (CLI in option.front_ends)
    if PYTEST in option.front_ends:
        attrs = pytest_args[option.pytest_flag].attrs()
        assert attrs["help"] == option.help_text(PYTEST)
        assert attrs["dest"] == option.pytest_dest and attrs.get("default") is None  # the table's default applies
        assert tuple(attrs.get("choices") or ()) == option.choices
    if CLI in option.front_ends:
        param = click_params[option.name]
        assert isinstance(param, click.Option) and param.opts == [*filter(None, [option.short]), option.cli_flag]
        assert param.help == option.help_text(CLI) and param.default in (None, False, ())
        choices = param.type.choices if isinstance(param.type, click.Choice) else ()
        assert tuple(choices) == option.choices
    if option.front_ends == {CLI, PYTEST} and option.cli_default is None:
        assert option.help_text(CLI) == option.help_text(PYTEST) and option.cli_flag.endswith(option.pytest_flag[9:])


def test_no_option_is_declared_outside_the_table():
    assert set(_click_parameters()) - set(BY_NAME) == PASSED_THROUGH
    assert {arg.attrs()["dest"] for arg in _pytest_arguments().values()} == {
        o.pytest_dest for o in OPTIONS if PYTEST in o.front_ends
    }


def test_only_the_report_directory_defaults_differently_and_says_so():
    assert [o.name for o in OPTIONS if o.cli_default is not None] == ["report_dir"]
    assert "conformance-report" in BY_NAME["report_dir"].help_text(CLI)
    limited = f"{DEFAULT_LIMITED_EXAMPLES} when the run is rate-limited (remote targets, --rate-limit)"
    assert BY_NAME["fuzz_examples"].help_text(PYTEST).endswith(f"(default: {DEFAULT_EXAMPLES}, or {limited})")


SAMPLE = {
    "target": "http://127.0.0.1:12111",
    "stripe_version": "2023-10-16",
    "profile": "localstripe",
    "report_dir": "/tmp/reports",
    "expect": ["/tmp/a.toml", "/tmp/b.toml"],
    "allure_attach": "all",
    "request_timeout": 2.5,
    "retries": 0,
    "rate_limit": 7.0,
    "deadline": 60.0,
    "fuzz_examples": 5,
    "shard": "2/4",
    "record": "/tmp/cassettes",
    "record_mode": "all",
    "seed": "s1",
}


def _as_text(value: object) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _from_cli(monkeypatch: pytest.MonkeyPatch, args: list[str], env: dict[str, str]) -> RunSettings:
    seen: list[RunSettings | SettingsError] = []

    @click.command()
    @run_options
    def probe(settings: RunSettings | SettingsError) -> None:
        seen.append(settings)

    result = CliRunner().invoke(probe, args, env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert isinstance(seen[0], RunSettings), seen[0]
    return seen[0]


def _from_pytest(args: list[str], env: dict[str, str], directory: Path) -> RunSettings:
    parser = pytest.Parser(_ispytest=True)
    add_options(parser)
    return settings_from_options(parser.parse_known_args(args), env, directory)


def test_flags_options_config_file_and_environment_give_identical_settings(tmp_path, monkeypatch):
    for name in [k for k in dict(__import__("os").environ) if k.startswith("STRIPE_")]:
        monkeypatch.delenv(name)
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.chdir(empty)
    cli_args, pytest_args, env, lines = [], [], {}, []
    for name, value in SAMPLE.items():
        option = BY_NAME[name]
        for item in value if isinstance(value, list) else [value]:
            cli_args += [option.cli_flag, _as_text(item)]
            pytest_args += [option.pytest_flag, _as_text(item)]
        env[option.env] = value[-1] if isinstance(value, list) else _as_text(value)
        lines.append(f"{option.file_key} = {value!r}".replace("'", '"'))
    del env[BY_NAME["expect"].env]
    from_cli = _from_cli(monkeypatch, cli_args, {})
    from_pytest = _from_pytest(pytest_args, {}, empty)
    (tmp_path / "stripe-conformance.toml").write_text("\n".join(lines) + "\n")
    from_file = resolve({}, {}, load_config_file(tmp_path), PYTEST)
    from_env = resolve({"expect": from_cli.expect}, env, {}, PYTEST)
    assert from_cli.request_timeout == 2.5 and from_cli.expect == (Path("/tmp/a.toml"), Path("/tmp/b.toml"))
    assert from_cli == from_pytest == from_file == from_env


def test_a_flag_beats_the_environment_which_beats_the_file_which_beats_the_default(tmp_path, monkeypatch):
    (tmp_path / "pyproject.toml").write_text('[tool.stripe-conformance]\nretries = 5\ndeadline = 10\nseed = "file"\n')
    monkeypatch.chdir(tmp_path)
    env = {"STRIPE_CONFORMANCE_DEADLINE": "20", "STRIPE_CONFORMANCE_SEED": "env"}
    settings = _from_cli(monkeypatch, ["--seed", "flag"], env)
    given = (settings.seed, settings.deadline, settings.retries, settings.fuzz_budget)
    assert given == ("flag", 20, 5, DEFAULT_EXAMPLES)
    assert _from_pytest(["--stripe-seed", "flag"], env, tmp_path) == dataclasses.replace(settings, report_dir=None)


def test_the_api_key_comes_from_the_environment_never_from_a_file(tmp_path):
    (tmp_path / "stripe-conformance.toml").write_text('api-key = "sk_test_x"\n')
    with pytest.raises(SettingsError, match="unknown key 'api-key'"):
        load_config_file(tmp_path)
    assert resolve({}, {"STRIPE_API_KEY": "sk_test_y"}, {}, CLI).api_key == "sk_test_y"
    assert "sk_test_y" not in repr(resolve({}, {"STRIPE_API_KEY": "sk_test_y"}, {}, CLI))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("colour = 1\n", "unknown key 'colour'"),
        ("retries = \"two\"\n", "retries: 'two' is not an integer"),
        ("retries = -1\n", "retries: -1 is out of range"),
        ("request-timeout = 0\n", "request-timeout: 0 is out of range"),
        ("allure-attach = \"some\"\n", "'some' is not one of failures, all, none"),
        ("expect = 3\n", "expect: expected a list of file paths"),
        ("shard = \"5/4\"\n", "shard:"),
        ("retries = \n", "stripe-conformance.toml:"),
    ],
)
def test_a_bad_config_file_is_one_line_and_exit_2(tmp_path, monkeypatch, text, message):
    (tmp_path / "stripe-conformance.toml").write_text(text)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["run"], standalone_mode=False)
    assert result.return_value == 2
    lines = result.stderr.strip().splitlines() if hasattr(result, "stderr") else result.output.splitlines()
    assert len(lines) == 1 and message in lines[0], lines


def test_a_bad_environment_variable_is_a_usage_error(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["run"], env={"STRIPE_CONFORMANCE_RETRIES": "many"}, standalone_mode=False)
    assert result.return_value == 2 and "$STRIPE_CONFORMANCE_RETRIES: 'many' is not an integer" in result.output


def _string_constants(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Expr)}  # prose, not values
    return [
        node.value for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
    ]


def test_the_default_api_version_is_written_once():
    holders = sorted(
        str(path.relative_to(PACKAGE)) for path in PACKAGE.rglob("*.py")
        if any("2023-08-16" in text for text in _string_constants(path))
    )
    # The reference server imports nothing else of the package (tests/unit/test_layers.py): its own copy is
    # held equal here.
    assert holders == ["http/client.py", "reference/versions.py"]
    from conformance.http.client import DEFAULT_STRIPE_VERSION
    from conformance.reference.versions import DEFAULT_VERSION

    assert DEFAULT_VERSION == DEFAULT_STRIPE_VERSION


def test_exit_codes_are_defined_once():
    definers = sorted(
        str(path.relative_to(PACKAGE)) for path in PACKAGE.rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Assign | ast.AnnAssign)
        and any(isinstance(t, ast.Name) and t.id.startswith("EXIT_")
                for t in (node.targets if isinstance(node, ast.Assign) else [node.target]))
    )
    assert set(definers) == {"exit_codes.py"}


def test_the_configuration_page_lists_the_table_as_it_is():
    from conformance.settings.reference_table import options_markdown

    page = (PACKAGE.parent / "docs" / "configuration.md").read_text(encoding="utf-8")
    assert options_markdown() in page, "regenerate the table: conformance.settings.reference_table.options_markdown()"
