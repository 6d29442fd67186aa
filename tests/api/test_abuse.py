"""Abusive requests are refused with clear errors, before they run, and no traceback leaks."""

from __future__ import annotations

import httpx

from tests.conftest import ApiServer
from tests.graphql_client import graphql_http


def _messages(body: dict[str, object]) -> str:
    errors = body.get("errors")
    assert isinstance(errors, list)
    return " | ".join(str(error["message"]) for error in errors)


def _nested(levels: list[str], leaf: str) -> str:
    inner = leaf
    for field in reversed(levels):
        inner = f"{field} {{ {inner} }}"
    return "query { " + inner + " }"


# Twelve levels of fields that exist: only the depth is wrong with it.
TWELVE_DEEP = _nested(
    ["recentFrames", "edges", "node", "observation", "eligibleObservatories", "edges", "node",
     "members", "edges", "node", "user"],
    "id",
)  # fmt: skip
TEN_DEEP = _nested(
    ["recentFrames", "edges", "node", "observation", "eligibleObservatories", "edges", "node",
     "members", "edges"],
    "__typename",
)  # fmt: skip


async def test_a_query_twelve_levels_deep_is_refused_every_time(api_server: ApiServer) -> None:
    # when: sent twice, the second time after its validation was cached
    answers = [await graphql_http(api_server.base_url, TWELVE_DEEP) for _ in range(2)]

    # then
    for body in answers:
        assert body.get("data") is None
        assert _messages(body) == "'anonymous' exceeds maximum operation depth of 10"


async def test_ten_levels_deep_is_within_the_limit(api_server: ApiServer) -> None:
    # when: anonymous, so it runs and is refused only for want of a sign-in
    body = await graphql_http(api_server.base_url, TEN_DEEP)

    # then
    errors = body.get("errors")
    assert isinstance(errors, list)
    assert [e["extensions"]["code"] for e in errors] == ["UNAUTHENTICATED"]


async def test_five_hundred_aliases_are_refused_also_when_hidden_in_fragments(
    api_server: ApiServer,
) -> None:
    # given
    aliases = " ".join(f"a{n}: serverInfo {{ name }}" for n in range(500))
    direct = "query { " + aliases + " }"
    through_fragment = "query { ...F } fragment F on Query { " + aliases + " }"

    # when: each sent twice (validation is cached by document)
    answers = [await graphql_http(api_server.base_url, q) for q in (direct, through_fragment) * 2]

    # then
    for body in answers:
        assert body.get("data") is None
        assert _messages(body) == "500 aliases found. Allowed: 30"


async def test_a_one_megabyte_document_is_refused_before_it_is_parsed(
    api_server: ApiServer,
) -> None:
    # given
    huge = "query { " + "serverInfo { name } " * 55_000 + "}"

    # when
    async with httpx.AsyncClient(base_url=api_server.base_url) as client:
        response = await client.post("/graphql", json={"query": huge})

    # then
    assert len(huge) > 1_000_000
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "REQUEST_TOO_LARGE"


async def test_a_long_document_under_the_size_cap_is_refused_by_its_token_count(
    api_server: ApiServer,
) -> None:
    # given
    many_tokens = "query { " + "serverInfo { name } " * 2_000 + "}"

    # when
    body = await graphql_http(api_server.base_url, many_tokens)

    # then
    assert body.get("data") is None
    assert _messages(body) == (
        "Syntax Error: Document contains more than 5000 tokens. Parsing aborted."
    )


async def test_batched_operation_arrays_are_refused(api_server: ApiServer) -> None:
    # when
    async with httpx.AsyncClient(base_url=api_server.base_url) as client:
        response = await client.post(
            "/graphql",
            json=[{"query": "{ serverInfo { name } }"}, {"query": "{ serverInfo { name } }"}],
        )

    # then
    assert response.status_code == 400
    assert "batching is not enabled" in response.text.lower()


async def test_malformed_requests_get_clear_errors_and_no_traceback(api_server: ApiServer) -> None:
    # when
    async with httpx.AsyncClient(base_url=api_server.base_url) as client:
        not_json = await client.post(
            "/graphql", content=b"{not json", headers={"Content-Type": "application/json"}
        )
        syntax = await client.post("/graphql", json={"query": "query { serverInfo { name }"})
        unknown = await client.post("/graphql", json={"query": "{ secrets }"})

    # then
    assert not_json.status_code == 400
    assert syntax.json()["errors"][0]["message"].startswith("Syntax Error")
    assert unknown.json()["errors"][0]["message"] == "Cannot query field 'secrets' on type 'Query'."
    for response in (not_json, syntax, unknown):
        assert "Traceback" not in response.text
