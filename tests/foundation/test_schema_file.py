"""The checked-in schema.graphql is the schema the server serves."""

from __future__ import annotations

from pathlib import Path

from schema.export import schema_sdl

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "schema.graphql"


def test_schema_graphql_matches_the_served_schema() -> None:
    # when
    served = schema_sdl()

    # then
    assert SCHEMA_FILE.read_text() == served, (
        "schema.graphql is out of date: "
        "run `science-scheduler export-schema --output schema.graphql`"
    )
