"""A small world over GraphQL for the reading and editing tests: people, an organization with a
project and an observatory, and helpers to act as each person."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, ApiServer
from tests.graphql_client import graphql_http

PASSWORD = "correct horse battery"
LOGIN = """mutation ($email: String!, $password: String!) {
  login(input: {email: $email, password: $password}) { ... on LoginSuccess { accessToken } }
}"""
CREATE_USER = """mutation ($email: String!, $password: String!, $name: String!) {
  createUser(input: {email: $email, password: $password, fullName: $name}) { ... on User { id } }
}"""
CREATE_ORGANIZATION = """mutation ($name: String!, $short: String!) {
  createOrganization(input: {name: $name, shortName: $short}) { ... on Organization { id } }
}"""
CREATE_PROJECT = """mutation ($org: ID!, $name: String!, $code: String!) {
  createProject(input: {organizationId: $org, name: $name, code: $code}) {
    ... on Project { id }
  }
}"""
REGISTER = """mutation ($org: ID!, $code: String!) {
  registerObservatory(input: {organizationId: $org, name: "North", code: $code,
    location: {latitudeDeg: 52, longitudeDeg: 5},
    equipment: {focalLengthMm: 1000, pixelSizeUm: 3.76, sensorWidthPx: 6000,
                sensorHeightPx: 4000, filters: ["L", "Ha"]}}) {
    ... on RegisterObservatorySuccess { observatory { id } apiKey }
  }
}"""
SET_ORG_MEMBER = """mutation ($org: ID!, $user: ID!, $permissions: [OrganizationPermission!]!) {
  setOrganizationMember(input: {organizationId: $org, userId: $user,
                                permissions: $permissions}) { __typename }
}"""
SET_PROJECT_MEMBER = """mutation ($project: ID!, $user: ID!, $permissions: [ProjectPermission!]!) {
  setProjectMember(input: {projectId: $project, userId: $user, permissions: $permissions}) {
    __typename
  }
}"""


@dataclass
class GapsWorld:
    server: ApiServer
    tokens: dict[str, str]
    user_ids: dict[str, str]
    organization: str
    project: str
    observatory: str
    observatory_key: str

    async def call(self, role: str, query: str, **variables: object) -> dict[str, Any]:
        return await graphql_http(self.server.base_url, query, token=self.tokens[role], **variables)


async def _login(server: ApiServer, email: str, password: str) -> str:
    body = await graphql_http(server.base_url, LOGIN, email=email, password=password)
    return str(body["data"]["login"]["accessToken"])


async def make_world(server: ApiServer) -> GapsWorld:
    """admin; owner (created the organization, project and observatory); member (in the
    organization, no permissions); viewer (VIEW on the project only); outsider (nowhere)."""
    admin = await _login(server, ADMIN_EMAIL, ADMIN_PASSWORD)
    tokens = {"admin": admin}
    user_ids: dict[str, str] = {}
    for role in ("owner", "member", "viewer", "outsider"):
        email = f"{role}@example.org"
        created = await graphql_http(
            server.base_url, CREATE_USER, token=admin, email=email, password=PASSWORD,
            name=role.title(),
        )  # fmt: skip
        user_ids[role] = str(created["data"]["createUser"]["id"])
        tokens[role] = await _login(server, email, PASSWORD)
    owner = tokens["owner"]
    org = await graphql_http(
        server.base_url, CREATE_ORGANIZATION, token=owner, name="Vega Club", short="vega"
    )
    organization = str(org["data"]["createOrganization"]["id"])
    project = await graphql_http(
        server.base_url, CREATE_PROJECT, token=owner, org=organization, name="Nebulae",
        code="NEB",
    )  # fmt: skip
    project_id = str(project["data"]["createProject"]["id"])
    registered = await graphql_http(
        server.base_url, REGISTER, token=owner, org=organization, code="north-1"
    )
    success = registered["data"]["registerObservatory"]
    await graphql_http(
        server.base_url, SET_ORG_MEMBER, token=owner, org=organization,
        user=user_ids["member"], permissions=[],
    )  # fmt: skip
    await graphql_http(
        server.base_url, SET_PROJECT_MEMBER, token=owner, project=project_id,
        user=user_ids["viewer"], permissions=["VIEW"],
    )  # fmt: skip
    return GapsWorld(
        server=server,
        tokens=tokens,
        user_ids=user_ids,
        organization=organization,
        project=project_id,
        observatory=str(success["observatory"]["id"]),
        observatory_key=str(success["apiKey"]),
    )
