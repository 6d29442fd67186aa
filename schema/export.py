"""The SDL checked in as schema.graphql (clients generate their types from it)."""

from __future__ import annotations

from schema.root import build_schema


def schema_sdl() -> str:
    return build_schema(production=False).as_str() + "\n"
