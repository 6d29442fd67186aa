"""One JSON Schema per protocol message, generated from the models.

    python -m plugin_bridge.schemas docs/plugin-protocol/schemas

writes `<type>.json` for every message type and removes other `.json` files there; a test
fails when the checked-in files differ from what the models generate.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from plugin_bridge import messages as m

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
PLUGIN_ACKED = frozenset(m.PLUGIN_MESSAGES) - {"hello", "heartbeat", "goodbye", "ack", "nack"}


def direction(kind: str) -> str:
    from_plugin = kind in m.PLUGIN_MESSAGES
    from_server = kind in m.SERVER_MESSAGES
    if from_plugin and from_server:
        return "both"
    return "plugin_to_server" if from_plugin else "server_to_plugin"


def message_schemas() -> dict[str, dict[str, Any]]:
    """The schema of every message type, keyed by file name (`<type>.json`)."""
    models = {**m.PLUGIN_MESSAGES, **m.SERVER_MESSAGES}
    schemas: dict[str, dict[str, Any]] = {}
    for kind in sorted(models):
        schema = models[kind].model_json_schema(mode="validation")
        acked = kind in PLUGIN_ACKED or kind in m.SERVER_COMMANDS
        schemas[f"{kind}.json"] = {
            "$schema": SCHEMA_DIALECT,
            "$id": f"{m.PROTOCOL}/{kind}.json",
            **schema,
            "x-direction": direction(kind),
            "x-acked": acked,
        }
    return schemas


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_schemas(directory: Path) -> list[Path]:
    """Write every schema into `directory`, dropping stale `.json` files; the paths written."""
    directory.mkdir(parents=True, exist_ok=True)
    schemas = message_schemas()
    for stale in directory.glob("*.json"):
        if stale.name not in schemas:
            stale.unlink()
    written = []
    for name, schema in schemas.items():
        path = directory / name
        path.write_text(render(schema), encoding="utf-8")
        written.append(path)
    return written


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m plugin_bridge.schemas OUTDIR", file=sys.stderr)
        return 2
    written = write_schemas(Path(argv[0]))
    print(f"wrote {len(written)} schemas to {argv[0]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
