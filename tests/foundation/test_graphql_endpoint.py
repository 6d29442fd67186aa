"""The GraphQL endpoint: sign in, typed errors, limits and request ids, over real HTTP."""

from __future__ import annotations

import httpx
from pymongo import MongoClient

from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, TEST_DATABASE, ApiServer
from tests.engines import Engine
from tests.graphql_client import graphql_http

LOGIN = """mutation ($email: String!, $password: String!) {
  login(input: {email: $email, password: $password}) {
    __typename
    ... on LoginSuccess { accessToken expiresIn user { email isSiteAdmin } }
    ... on InvalidCredentials { message }
  }
}"""
ME = "query { me { email isSiteAdmin } }"
CREATE_ORGANIZATION = """mutation ($name: String!, $shortName: String!) {
  createOrganization(input: {name: $name, shortName: $shortName}) {
    __typename
    ... on Organization { name shortName type }
    ... on ValidationError { fields { path message } }
    ... on Conflict { message }
  }
}"""


async def _token(server: ApiServer) -> str:
    body = await graphql_http(server.base_url, LOGIN, email=ADMIN_EMAIL, password=ADMIN_PASSWORD)
    return str(body["data"]["login"]["accessToken"])


def _organization_count(mongo_engine: Engine) -> int:
    client: MongoClient[dict[str, object]] = MongoClient(mongo_engine.url)
    try:
        return client[TEST_DATABASE]["organizations"].count_documents({})
    finally:
        client.close()


async def test_the_bootstrapped_admin_signs_in_and_is_recognised(api_server: ApiServer) -> None:
    # when
    login = await graphql_http(
        api_server.base_url, LOGIN, email="ADMIN@example.org ", password=ADMIN_PASSWORD
    )
    token = login["data"]["login"]["accessToken"]
    me = await graphql_http(api_server.base_url, ME, token=token)

    # then
    assert login["data"]["login"]["expiresIn"] == 900
    assert login["data"]["login"]["user"] == {"email": ADMIN_EMAIL, "isSiteAdmin": True}
    assert me == {"data": {"me": {"email": ADMIN_EMAIL, "isSiteAdmin": True}}}


async def test_a_wrong_password_is_a_typed_answer_and_no_token(api_server: ApiServer) -> None:
    # when
    body = await graphql_http(api_server.base_url, LOGIN, email=ADMIN_EMAIL, password="guess")

    # then
    assert body == {
        "data": {
            "login": {
                "__typename": "InvalidCredentials",
                "message": "wrong email or password, or the account is disabled",
            }
        }
    }


async def test_invalid_organization_input_names_each_field_and_writes_nothing(
    api_server: ApiServer, mongo_engine: Engine
) -> None:
    # given
    token = await _token(api_server)

    # when
    body = await graphql_http(
        api_server.base_url, CREATE_ORGANIZATION, token=token, name=" ", shortName="A!"
    )

    # then
    result = body["data"]["createOrganization"]
    assert result["__typename"] == "ValidationError"
    assert [f["path"] for f in result["fields"]] == [["name"], ["shortName"]]
    assert _organization_count(mongo_engine) == 0


async def test_a_duplicate_short_name_is_a_conflict(api_server: ApiServer) -> None:
    # given
    token = await _token(api_server)
    first = await graphql_http(
        api_server.base_url, CREATE_ORGANIZATION, token=token, name="Vega Club", shortName="vega"
    )

    # when
    second = await graphql_http(
        api_server.base_url, CREATE_ORGANIZATION, token=token, name="Other", shortName="vega"
    )

    # then
    assert first["data"]["createOrganization"] == {
        "__typename": "Organization",
        "name": "Vega Club",
        "shortName": "vega",
        "type": "OTHER",
    }
    assert second["data"]["createOrganization"] == {
        "__typename": "Conflict",
        "message": "an organization with short name 'vega' exists",
    }


async def test_anonymous_and_forged_tokens_are_refused_and_change_nothing(
    api_server: ApiServer, mongo_engine: Engine
) -> None:
    # given
    forged = (
        "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiIxIiwiaXNzIjoic2NpZW5jZS1zY2hlZHVsZXIi"
        "LCJhdWQiOiJzY2llbmNlLXNjaGVkdWxlci1hcGkiLCJleHAiOjQxMDI0NDQ4MDB9."
    )

    # when
    anonymous = await graphql_http(
        api_server.base_url, CREATE_ORGANIZATION, name="Sneaky", shortName="sneaky"
    )
    alg_none = await graphql_http(
        api_server.base_url, CREATE_ORGANIZATION, token=forged, name="Sneaky", shortName="sneaky"
    )

    # then
    for body in (anonymous, alg_none):
        assert body["data"] is None
        assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert _organization_count(mongo_engine) == 0


async def test_mutations_are_refused_over_get(api_server: ApiServer, mongo_engine: Engine) -> None:
    # given
    token = await _token(api_server)
    query = (
        'mutation { createOrganization(input: {name: "G", shortName: "via-get"}) { __typename } }'
    )

    # when
    async with httpx.AsyncClient() as client:
        response = await client.get(
            f"{api_server.base_url}/graphql",
            params={"query": query},
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
        )

    # then
    assert response.status_code == 400
    assert "mutations are not allowed when using get" in response.text.lower()
    assert _organization_count(mongo_engine) == 0


async def test_every_response_and_log_line_of_a_request_carries_its_request_id(
    api_server: ApiServer,
) -> None:
    # when
    async with httpx.AsyncClient(base_url=api_server.base_url) as client:
        response = await client.post(
            "/graphql", json={"query": ME}, headers={"X-Request-ID": "trace-me-42"}
        )
        generated = await client.get("/healthz")

    # then
    assert response.headers["x-request-id"] == "trace-me-42"
    assert len(generated.headers["x-request-id"]) == 16
    access_lines = [
        line for line in api_server.log_lines() if line.get("request_id") == "trace-me-42"
    ]
    assert access_lines, "no log line carried the request id"
    assert all(line["process"] == "api" for line in access_lines)
