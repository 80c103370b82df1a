import pytest

from conformance.requirements import AREAS, CatalogueError, load_catalogue
from conformance.requirements.catalogue import parse_catalogue
from conformance.schemas.json_objects import json_objects

ENTRY = 'id = "card.x.y"\narea = "create"\nlevel = "MUST"\ntitle = "t"\nsource = "s"\n'


def test_shipped_catalogue_is_valid():
    catalogue = load_catalogue()
    assert len(catalogue) >= 5
    assert all(r.area in AREAS for r in catalogue)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (f"[[requirement]]\n{ENTRY}[[requirement]]\n{ENTRY}", "duplicate"),
        ("[[requirement]]\n" + ENTRY.replace("create", "nowhere"), "area"),
        ("[[requirement]]\n" + ENTRY.replace("MUST", "MAY"), "level"),
        ("[[requirement]]\n" + ENTRY.replace("card.x.y", "Card X"), "dotted"),
        ("[[requirement]]\n" + ENTRY.replace('title = "t"\n', ""), "title"),
        ("[[requirement]]\n" + ENTRY + 'colour = "red"\n', "unknown field"),
        ("[[requirement", "TOML"),
    ],
)
def test_malformed_catalogue(text, message):
    with pytest.raises(CatalogueError, match=message):
        parse_catalogue(text)


def test_the_report_schema_knows_every_area():
    import json
    from pathlib import Path

    schema = json.loads((Path(__file__).resolve().parents[2] / "schemas/report/report-v1.schema.json").read_text())
    with_area = [node for node in json_objects(schema) if "area" in node.get("properties", {})]
    found = [node["properties"]["area"]["enum"] for node in with_area]
    assert found and all(set(enum) == set(AREAS) for enum in found)


