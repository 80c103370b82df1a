"""``schemas list``, ``schemas build`` and ``validate``: output and exit codes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
import jsonschema_rs
import pytest
from click.testing import CliRunner
from jsonschema import Draft202012Validator

from conformance.cli.schemas_cmd import schemas_group, validate_command
from conformance.schemas import SchemaRegistry


@pytest.fixture
def cli() -> click.Group:
    group = click.Group("stripe-conformance")
    group.add_command(schemas_group)
    group.add_command(validate_command)
    return group


def run(cli: click.Group, *args: str) -> Any:
    return CliRunner().invoke(cli, list(args))


def write(tmp_path: Path, name: str, content: Any) -> str:
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return str(path)


def test_schemas_list_prints_the_73_objects(cli: click.Group) -> None:
    result = run(cli, "schemas", "list")
    assert result.exit_code == 0
    names = result.output.splitlines()
    assert len(names) == 73
    assert names[0] == "card"
    assert "forwarding.request" in names
    all_names = run(cli, "schemas", "list", "--all").output.splitlines()
    assert len(all_names) == 73 + 13 + 1


def test_validate_valid_fixtures(cli: click.Group, tmp_path: Path, stripe_fixtures: dict[str, Any]) -> None:
    card = write(tmp_path, "card.json", stripe_fixtures["card"])
    many = write(tmp_path, "many.json", [stripe_fixtures["customer"], stripe_fixtures["price"]])
    result = run(cli, "validate", card, many)
    assert result.exit_code == 0, result.output
    assert f"{card}: valid (1 object: card)" in result.output
    assert f"{many}: valid (2 objects: customer, price)" in result.output
    assert "warning: unknown field 'regulated_status'" in result.output


def test_validate_rejects_a_numeric_id_with_exit_1(
    cli: click.Group, tmp_path: Path, stripe_fixtures: dict[str, Any]
) -> None:
    path = write(tmp_path, "card.json", {**stripe_fixtures["card"], "id": 12345})
    result = run(cli, "validate", path)
    assert result.exit_code == 1
    assert f"{path}: $.id: 12345 is not of type 'string' [card#/properties/id/type]" in result.output
    assert f"{path}: invalid (1 error; card)" in result.output


def test_validate_list_file_reports_item_paths(cli: click.Group, tmp_path: Path) -> None:
    path = write(tmp_path, "cards.json", [{"object": "card", "deleted": True, "id": 5}])
    result = run(cli, "validate", path)
    assert result.exit_code == 1
    assert f"{path}: $[0].id: 5 is not of type 'string'" in result.output


def test_validate_strict_turns_unknown_fields_into_errors(
    cli: click.Group, tmp_path: Path, stripe_fixtures: dict[str, Any]
) -> None:
    path = write(tmp_path, "card.json", stripe_fixtures["card"])
    result = run(cli, "validate", "--strict", path)
    assert result.exit_code == 1
    assert f"{path}: $.regulated_status: unknown field 'regulated_status'" in result.output


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"object": "charge"}', "$: no schema for object type 'charge'"),
        ('{"nope": 1}', "$: no 'object' field and not an error envelope"),
        ("[1]", "$[0]: not a JSON object (got int)"),
        ("{not json", "not JSON: "),
    ],
)
def test_validate_exit_2_for_unusable_input(cli: click.Group, tmp_path: Path, content: str, message: str) -> None:
    path = write(tmp_path, "bad.json", content)
    result = run(cli, "validate", path)
    assert result.exit_code == 2
    lines = result.output.splitlines()
    assert lines == [f"{path}: {message}"] or (len(lines) == 1 and lines[0].startswith(f"{path}: {message}"))
    assert "Traceback" not in result.output


def test_validate_exit_2_for_a_missing_file(cli: click.Group, tmp_path: Path) -> None:
    result = run(cli, "validate", str(tmp_path / "absent.json"))
    assert result.exit_code == 2
    assert result.output.strip() == f"{tmp_path / 'absent.json'}: cannot read: No such file or directory"


def test_validate_worst_outcome_wins(cli: click.Group, tmp_path: Path, stripe_fixtures: dict[str, Any]) -> None:
    bad = write(tmp_path, "bad.json", {**stripe_fixtures["card"], "id": 12345})
    unknown = write(tmp_path, "unknown.json", {"object": "charge"})
    assert run(cli, "validate", bad, unknown).exit_code == 2


def test_schemas_build_check_reports_up_to_date(cli: click.Group, spec_path: Path, fixtures_path: Path) -> None:
    result = run(cli, "schemas", "build", "--spec", str(spec_path), "--fixtures", str(fixtures_path), "--check")
    assert result.exit_code == 0, result.output
    assert "73 objects, 87 top-level schemas" in result.output
    assert result.output.splitlines()[-1] == "up to date"


def test_schemas_build_writes_files(cli: click.Group, tmp_path: Path, spec_path: Path, fixtures_path: Path) -> None:
    out = tmp_path / "stripe"
    (out / "defs").mkdir(parents=True)
    (out / "defs" / "stale.json").write_text("{}")
    args = ["schemas", "build", "--spec", str(spec_path), "--fixtures", str(fixtures_path)]
    result = run(cli, *args, "--out", str(out))
    assert result.exit_code == 0, result.output
    assert f"{out}: 770 written, 0 unchanged, 1 removed" in result.output
    again = run(cli, *args, "--out", str(out))
    assert f"{out}: 0 written, 770 unchanged, 0 removed" in again.output


def test_schemas_build_needs_fixtures_for_fixture_objects(cli: click.Group, tmp_path: Path) -> None:
    overlays = tmp_path / "overlays"
    (overlays / "components").mkdir(parents=True)
    (overlays / "catalogue.yaml").write_text(
        "api_version: '2023-08-16'\nid_base: 'https://x.invalid/'\nobjects: [{name: climate.order, source: fixtures}]\n"
    )
    (overlays / "components" / "list.yaml").write_text("type: object\n")
    (overlays / "patches.yaml").write_text("patches: []\n")
    (overlays / "examples.yaml").write_text("{}\n")
    spec = write(tmp_path, "spec.yaml", "components: {schemas: {}}\n")
    result = run(cli, "schemas", "build", "--spec", spec, "--overlays", str(overlays), "--check")
    assert result.exit_code == 2
    assert result.output.strip() == ("schemas build: climate.order is inferred from fixtures: pass --fixtures")


def test_schemas_build_rejects_a_non_spec(cli: click.Group, tmp_path: Path) -> None:
    path = write(tmp_path, "spec.yaml", "openapi: 3.0.0\n")
    result = run(cli, "schemas", "build", "--spec", path)
    assert result.exit_code == 2
    assert "not an OpenAPI document with components.schemas" in result.output


def test_schemas_show_prints_one_self_contained_schema(cli: click.Group, stripe_fixtures: dict[str, Any]) -> None:
    result = run(cli, "schemas", "show", "card")
    assert result.exit_code == 0, result.output
    schema = json.loads(result.output)
    assert schema["title"] == "card" and schema["$ref"] == "#/$defs/card.json"
    assert "stripe-conformance.invalid" not in result.output  # no reference back to this project's files
    validator = Draft202012Validator(schema)
    assert validator.is_valid(stripe_fixtures["card"])
    assert not validator.is_valid({**stripe_fixtures["card"], "exp_month": "twelve"})
    strict = Draft202012Validator(json.loads(run(cli, "schemas", "show", "card", "--strict").output))
    assert validator.is_valid({**stripe_fixtures["card"], "surprise": 1})
    assert not strict.is_valid({**stripe_fixtures["card"], "surprise": 1})


def test_schemas_show_refuses_an_unknown_name_in_one_line(cli: click.Group) -> None:
    result = CliRunner().invoke(cli, ["schemas", "show", "crad"])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "did you mean card" in result.stderr


def test_schemas_export_writes_plain_files_that_agree_with_the_registry(
    cli: click.Group, tmp_path: Path, stripe_fixtures: dict[str, Any]
) -> None:
    result = run(cli, "schemas", "export", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    registry = SchemaRegistry.load()
    files = sorted(p.stem for p in (tmp_path / "out").glob("*.json"))
    assert files == sorted(registry.schema_names())
    checked = 0
    for body in stripe_fixtures.values():
        name = registry.schema_name_for(body)
        if name is None:
            continue
        schema = json.loads((tmp_path / "out" / f"{name}.json").read_text())
        # the exported file alone, without the registry or its files
        assert jsonschema_rs.Draft202012Validator(schema).is_valid(body) == registry.is_valid(body), name
        checked += 1
    assert checked >= 50
    Draft202012Validator.check_schema(json.loads((tmp_path / "out" / "customer.json").read_text()))


def test_schemas_export_reports_an_unwritable_directory(cli: click.Group, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = CliRunner().invoke(cli, ["schemas", "export", str(blocker / "sub")])
    assert result.exit_code == 2 and "cannot write" in result.stderr
