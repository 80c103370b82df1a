"""``stripe-conformance schemas list|show|export|build`` and ``stripe-conformance validate FILE...``."""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from conformance.exit_codes import EXIT_NONCONFORMING, EXIT_OK, EXIT_USAGE
from conformance.schemas import SchemaError, SchemaRegistry, UnknownObjectError, default_registry
from conformance.schemas.location import schemas_root, stripe_schemas_dir
from conformance.schemas.store import StoreError

__all__ = ["schemas_group", "validate_command"]



@click.group("schemas")
def schemas_group() -> None:
    """The JSON Schemas of Stripe objects: list, show or export them, or regenerate them."""


@schemas_group.command("list")
@click.option(
    "--all",
    "show_all",
    is_flag=True,
    help="Also list the deleted variants and the list envelope.",
)
@click.pass_context
def list_command(ctx: click.Context, show_all: bool) -> None:
    """Print the name of every object that has a schema, one per line."""
    registry = _registry(ctx, None)
    for name in registry.schema_names() if show_all else registry.object_names():
        click.echo(name)


@schemas_group.command("show")
@click.argument("name")
@click.option("--strict", is_flag=True, help="Close every object to unknown fields (additionalProperties: false).")
@click.pass_context
def show_command(ctx: click.Context, name: str, strict: bool) -> None:
    """Print the JSON Schema of one object (see `schemas list --all`), self-contained.

    Everything the schema references is inlined under $defs, so any JSON Schema 2020-12 validator
    can use the output alone. Exit 2 for a name with no schema.
    """
    registry = _registry(ctx, None)
    try:
        document = registry.standalone_schema(name, strict=strict)
    except UnknownObjectError:
        close = difflib.get_close_matches(name, registry.schema_names(), n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else "; see 'stripe-conformance schemas list --all'"
        click.echo(f"stripe-conformance: error: no schema named {name!r}{hint}", err=True)
        ctx.exit(EXIT_USAGE)
    click.echo(json.dumps(_titled(name, registry, document), indent=2))


@schemas_group.command("export")
@click.argument("directory", metavar="DIR", type=click.Path(file_okay=False, path_type=Path))
@click.option("--strict", is_flag=True, help="Close every object to unknown fields (additionalProperties: false).")
@click.pass_context
def export_command(ctx: click.Context, directory: Path, strict: bool) -> None:
    """Write every schema as a plain, self-contained JSON Schema file: DIR/<name>.json.

    For other tools (validators, code generators, editors): no file refers to another, and none
    refers to this project. Exit 2 when DIR cannot be written.
    """
    registry = _registry(ctx, None)
    names = registry.schema_names()
    try:
        directory.mkdir(parents=True, exist_ok=True)
        for name in names:
            document = _titled(name, registry, registry.standalone_schema(name, strict=strict))
            (directory / f"{name}.json").write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    except OSError as exc:
        click.echo(f"stripe-conformance: error: cannot write to {directory}: {exc.strerror or exc}", err=True)
        ctx.exit(EXIT_USAGE)
    click.echo(f"{directory}: {len(names)} schemas (Stripe API {registry.api_version}, JSON Schema 2020-12)")


def _titled(name: str, registry: SchemaRegistry, document: dict[str, Any]) -> dict[str, Any]:
    """Put the schema's name and the API version it describes first in the document."""
    return {
        "$schema": document["$schema"],
        "title": name,
        "description": f"Stripe {name} object, API version {registry.api_version_of(name)} (stripe-conformance)",
    } | {key: value for key, value in document.items() if key != "$schema"}


@schemas_group.command("build")
@click.option(
    "--spec",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Stripe's OpenAPI document (YAML or JSON).",
)
@click.option(
    "--fixtures",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Stripe's fixtures file; needed for objects the spec lacks and for required lists.",
)
@click.option(
    "--overlays",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=lambda: schemas_root() / "overlays",
    show_default="schemas/overlays",
    help="Directory of hand-written overlays.",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=stripe_schemas_dir,
    show_default="schemas/stripe",
    help="Directory to write the schemas to.",
)
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if the files are out of date.")
@click.pass_context
def build_command(
    ctx: click.Context, spec: Path, fixtures: Path | None, overlays: Path, out: Path, check: bool
) -> None:
    """Generate the schema files from the spec, the fixtures and the overlays."""
    from conformance.schemas.generator import BuildError, generate, stale_files, write_files
    from conformance.schemas.generator.sources import (
        load_fixtures,
        load_overlays,
        load_spec,
    )

    try:
        generated = generate(load_spec(spec), load_fixtures(fixtures) if fixtures else None, load_overlays(overlays))
    except (BuildError, ValueError) as exc:
        click.echo(f"schemas build: {exc}", err=True)
        ctx.exit(EXIT_USAGE)
    required = generated.required
    click.echo(
        f"{len(generated.objects)} objects, {len(generated.top_level)} top-level schemas, "
        f"{generated.definitions} shared definitions"
    )
    click.echo(
        f"required fields: {required.required} (spec: {required.spec_required}), from "
        f"{required.examples} examples; {len(required.relaxed)} spec-required fields "
        "absent from some example are not required"
    )
    for conflict in generated.conflicts:
        click.echo(f"example does not validate: {conflict}", err=True)
    if check:
        differing = stale_files(generated.files, out)
        for path in differing:
            click.echo(f"out of date: {out / path}", err=True)
        click.echo("up to date" if not differing else f"{len(differing)} files out of date")
        ctx.exit(EXIT_NONCONFORMING if differing or generated.conflicts else EXIT_OK)
    written, unchanged, removed = write_files(generated.files, out)
    click.echo(f"{out}: {written} written, {unchanged} unchanged, {removed} removed")
    ctx.exit(EXIT_NONCONFORMING if generated.conflicts else EXIT_OK)


@click.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--strict",
    is_flag=True,
    help="Also report as errors fields the schema does not know, and fields Stripe always returns (seen in "
    "its official fixtures, a SHOULD) that are missing; without it only what the OpenAPI spec requires "
    "(a MUST) must be present.",
)
@click.option(
    "--schemas",
    "schemas_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Validate against the schemas in this directory instead of the shipped ones.",
)
@click.pass_context
def validate_command(ctx: click.Context, files: tuple[Path, ...], strict: bool, schemas_dir: Path | None) -> None:
    """Validate JSON files, each holding a Stripe object or a list of objects.

    Exit 0 when all are valid, 1 when some are invalid (every error is printed with
    its file and JSON path), 2 when a file is unreadable, not JSON, or holds an
    object no schema describes. Unknown fields are warnings, errors with --strict.
    """
    registry = _registry(ctx, schemas_dir)
    status = EXIT_OK
    for file in files:
        status = max(status, _validate_file(registry, file, strict=strict))
    ctx.exit(status)


def _validate_file(registry: SchemaRegistry, file: Path, *, strict: bool) -> int:
    try:
        document = json.loads(file.read_bytes())
    except OSError as exc:
        click.echo(f"{file}: cannot read: {exc.strerror or exc}", err=True)
        return EXIT_USAGE
    except ValueError as exc:
        click.echo(f"{file}: not JSON: {exc}", err=True)
        return EXIT_USAGE
    names: list[str] = []
    errors = 0
    for prefix, body in _bodies(document):
        try:
            findings = registry.validate(body, strict=strict)
        except UnknownObjectError as exc:
            click.echo(f"{file}: {_prefixed(prefix, str(exc))}", err=True)
            return EXIT_USAGE
        names.append(registry.schema_name_for(body) or "?")
        for finding in findings:
            click.echo(_line(file, prefix, finding))
            errors += finding.severity == "error"
    kinds = ", ".join(sorted(set(names)))
    if errors:
        click.echo(f"{file}: invalid ({_plural(errors, 'error')}; {kinds})")
        return EXIT_NONCONFORMING
    if not names:
        click.echo(f"{file}: empty list")
    else:
        click.echo(f"{file}: valid ({_plural(len(names), 'object')}: {kinds})")
    return EXIT_OK


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _bodies(document: Any) -> Iterator[tuple[str, Any]]:
    """Yield each object of a file with its JSONPath prefix (``$`` or ``$[i]``)."""
    if isinstance(document, list):
        for index, item in enumerate(document):
            yield f"$[{index}]", item
    else:
        yield "$", document


def _prefixed(prefix: str, text: str) -> str:
    """Rebase a message that starts with a ``$`` path onto ``prefix``."""
    return prefix + text[1:] if text.startswith("$") else text


def _line(file: Path, prefix: str, finding: SchemaError) -> str:
    where = _prefixed(prefix, finding.json_path)
    label = "" if finding.severity == "error" else "warning: "
    return f"{file}: {where}: {label}{finding.message} [{finding.schema_path}]"


def _registry(ctx: click.Context, directory: Path | None) -> SchemaRegistry:
    try:
        return default_registry() if directory is None else SchemaRegistry.load(directory)
    except StoreError as exc:
        click.echo(f"stripe-conformance: {exc}", err=True)
        ctx.exit(EXIT_USAGE)
