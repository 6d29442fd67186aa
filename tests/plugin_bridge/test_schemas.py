"""The checked-in JSON Schemas are exactly what the models generate."""

from __future__ import annotations

import json
from pathlib import Path

from plugin_bridge import messages as m
from plugin_bridge.schemas import main, message_schemas, render

SCHEMAS = Path(__file__).resolve().parents[2] / "docs" / "plugin-protocol" / "schemas"


def test_checked_in_schemas_match_the_models() -> None:
    # given the schemas the models generate now
    expected = {name: render(schema) for name, schema in message_schemas().items()}

    # when reading the checked-in files
    actual = {path.name: path.read_text(encoding="utf-8") for path in SCHEMAS.glob("*.json")}

    # then they are identical; regenerate with: python -m plugin_bridge.schemas <dir>
    assert sorted(actual) == sorted(expected)
    drifted = [name for name in expected if actual[name] != expected[name]]
    assert drifted == []


def test_there_is_one_schema_per_message_type() -> None:
    names = set(message_schemas())

    assert names == {f"{kind}.json" for kind in {*m.PLUGIN_MESSAGES, *m.SERVER_MESSAGES}}
    assert len(names) == 32


def test_schemas_are_strict_and_say_direction_and_ack() -> None:
    schemas = message_schemas()

    assert schemas["request_work.json"]["additionalProperties"] is False
    assert schemas["request_work.json"]["required"] == ["id", "seq", "ts", "type"]
    assert (schemas["assignment.json"]["x-direction"], schemas["assignment.json"]["x-acked"]) == (
        "server_to_plugin",
        True,
    )
    assert (schemas["no_work.json"]["x-direction"], schemas["no_work.json"]["x-acked"]) == (
        "server_to_plugin",
        False,
    )
    assert (schemas["heartbeat.json"]["x-direction"], schemas["heartbeat.json"]["x-acked"]) == (
        "both",
        False,
    )
    assert schemas["status.json"]["x-acked"] is True


def test_the_cli_writes_the_files_and_drops_stale_ones(tmp_path: Path) -> None:
    # given a directory holding a schema of a message that no longer exists
    (tmp_path / "teleport.json").write_text("{}", encoding="utf-8")

    # when
    code = main([str(tmp_path)])

    # then
    assert code == 0
    assert sorted(p.name for p in tmp_path.glob("*.json")) == sorted(message_schemas())
    hello = json.loads((tmp_path / "hello.json").read_text(encoding="utf-8"))
    assert hello["$id"] == "ss-plugin.v1/hello.json"
    assert main([]) == 2
