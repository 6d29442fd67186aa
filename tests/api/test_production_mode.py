"""Production mode (`SCHEDULER_ENVIRONMENT=production`) refuses introspection and never suggests
field names in errors; development mode allows both (so the switch is what makes the difference).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.engines import free_port, running_cli, wait_for_http
from tests.graphql_client import graphql_http

SCHEMA_INTROSPECTION = "{ __schema { queryType { name } types { name } } }"
TYPE_INTROSPECTION = '{ __type(name: "Observation") { fields { name } } }'
MISSPELT_FIELD = "{ observatoriez { id } }"
MISSPELT_ARGUMENT = "{ observations(frist: 3) { totalCount } }"
MISSPELT_ENUM = "{ observations(orderBy: {field: PRIORTY}) { totalCount } }"


@dataclass
class Server:
    base_url: str
    production: bool


@pytest.fixture(params=["production", "development"])
def server(
    request: pytest.FixtureRequest, engine_env: dict[str, str], tmp_path: Path
) -> Iterator[Server]:
    """A real `science-scheduler api` process in the given environment."""
    port = free_port()
    env = {**engine_env, "SCHEDULER_ENVIRONMENT": str(request.param)}
    with running_cli(["api", "--port", str(port)], env, tmp_path / "api.log"):
        wait_for_http(f"http://127.0.0.1:{port}/healthz")
        yield Server(f"http://127.0.0.1:{port}", production=request.param == "production")


def _messages(body: dict[str, Any]) -> list[str]:
    return [str(error["message"]) for error in body.get("errors", [])]


@pytest.mark.parametrize("query", [SCHEMA_INTROSPECTION, TYPE_INTROSPECTION])
async def test_introspection_is_refused_only_in_production(server: Server, query: str) -> None:
    # when
    body = await graphql_http(server.base_url, query)

    # then
    if server.production:
        assert body.get("data") is None
        assert _messages(body)
        assert all(m.startswith("GraphQL introspection has been disabled") for m in _messages(body))
    else:
        assert "errors" not in body, body
        assert body["data"]


@pytest.mark.parametrize(
    ("query", "suggestion"),
    [
        (MISSPELT_FIELD, "observatories"),
        (MISSPELT_ARGUMENT, "first"),
        (MISSPELT_ENUM, "PRIORITY"),
    ],
)
async def test_errors_suggest_names_only_outside_production(
    server: Server, query: str, suggestion: str
) -> None:
    # when
    body = await graphql_http(server.base_url, query)

    # then
    messages = _messages(body)
    assert body.get("data") is None
    assert len(messages) == 1
    if server.production:
        assert "Did you mean" not in messages[0]
        assert suggestion not in messages[0]
    else:
        assert "Did you mean" in messages[0]
        assert f"'{suggestion}'" in messages[0].split("Did you mean")[1]
