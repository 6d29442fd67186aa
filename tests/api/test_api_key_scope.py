"""API keys act for their creator, only inside their organization and only with their rights."""

from __future__ import annotations

from typing import Any

from pymongo import MongoClient

from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, TEST_DATABASE, ApiServer
from tests.engines import Engine
from tests.graphql_client import graphql_http

LOGIN = """mutation ($email: String!, $password: String!) {
  login(input: {email: $email, password: $password}) { ... on LoginSuccess { accessToken } }
}"""
ORGANIZATION = """mutation ($short: String!) {
  createOrganization(input: {name: $short, shortName: $short}) {
    __typename ... on Organization { id }
  }
}"""
PROJECT = """mutation ($org: ID!, $code: String!) {
  createProject(input: {organizationId: $org, name: "Keyed", code: $code}) {
    __typename ... on Project { id }
  }
}"""
CREATE_KEY = """mutation ($org: ID!, $permissions: [ApiKeyPermission!]!) {
  createApiKey(input: {organizationId: $org, name: "script", permissions: $permissions}) {
    __typename ... on ApiKeyCreated { secret apiKey { id } }
  }
}"""
REVOKE_KEY = """mutation ($id: ID!) { revokeApiKey(input: {id: $id}) { __typename } }"""
OBSERVE = """mutation ($project: ID!) {
  createObservation(input: {projectId: $project, name: "Scripted", targets: [{name: "Deneb",
    ra: "20:41:25.9", dec: "+45:16:49", exposures: [{filter: "L", exposureS: 5, count: 2}]}]}) {
    __typename
  }
}"""
LIST = "query { observations(first: 10) { edges { node { project { code } } } } }"


def _observation_count(mongo_engine: Engine) -> int:
    client: MongoClient[dict[str, Any]] = MongoClient(mongo_engine.url)
    try:
        return client[TEST_DATABASE]["observations"].count_documents({})
    finally:
        client.close()


async def test_a_write_key_works_in_its_organization_only_and_dies_when_revoked(
    api_server: ApiServer, mongo_engine: Engine
) -> None:
    # given: an administrator with projects in two organizations and a WRITE key for the first
    base = api_server.base_url
    login = await graphql_http(base, LOGIN, email=ADMIN_EMAIL, password=ADMIN_PASSWORD)
    token = login["data"]["login"]["accessToken"]

    async def as_admin(query: str, **variables: object) -> dict[str, Any]:
        body = await graphql_http(base, query, token=token, **variables)
        data: dict[str, Any] = body["data"]
        return data

    org_a = (await as_admin(ORGANIZATION, short="keyed-a"))["createOrganization"]["id"]
    org_b = (await as_admin(ORGANIZATION, short="keyed-b"))["createOrganization"]["id"]
    project_a = (await as_admin(PROJECT, org=org_a, code="KEY-A"))["createProject"]["id"]
    project_b = (await as_admin(PROJECT, org=org_b, code="KEY-B"))["createProject"]["id"]
    await as_admin(OBSERVE, project=project_b)
    write = (await as_admin(CREATE_KEY, org=org_a, permissions=["WRITE"]))["createApiKey"]
    read = (await as_admin(CREATE_KEY, org=org_a, permissions=["READ"]))["createApiKey"]

    # when
    in_scope = await graphql_http(base, OBSERVE, token=write["secret"], project=project_a)
    out_of_scope = await graphql_http(base, OBSERVE, token=write["secret"], project=project_b)
    listed = await graphql_http(base, LIST, token=write["secret"])
    no_project_rights = await graphql_http(
        base, PROJECT, token=write["secret"], org=org_a, code="KEY-C"
    )
    read_only = await graphql_http(base, OBSERVE, token=read["secret"], project=project_a)
    no_founding = await graphql_http(base, ORGANIZATION, token=write["secret"], short="by-key")
    await as_admin(REVOKE_KEY, id=write["apiKey"]["id"])
    revoked = await graphql_http(base, OBSERVE, token=write["secret"], project=project_a)

    # then
    assert in_scope["data"]["createObservation"] == {"__typename": "Observation"}
    assert out_of_scope["data"]["createObservation"] == {"__typename": "NotFound"}
    assert [e["node"]["project"]["code"] for e in listed["data"]["observations"]["edges"]] == [
        "KEY-A"
    ]
    assert no_project_rights["data"]["createProject"] == {"__typename": "Forbidden"}
    assert read_only["data"]["createObservation"] == {"__typename": "Forbidden"}
    assert no_founding["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert revoked["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert _observation_count(mongo_engine) == 2  # B's by the admin and A's by the key, no more
