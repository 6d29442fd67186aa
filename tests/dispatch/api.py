"""A signed-in GraphQL session against a real server, with the set-up steps the scheduling
API tests share."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, ApiServer
from tests.graphql_client import graphql_http

LOGIN = """mutation ($email: String!, $password: String!) {
  login(input: {email: $email, password: $password}) { ... on LoginSuccess { accessToken } }
}"""
CREATE_ORGANIZATION = """mutation {
  createOrganization(input: {name: "Dark Sky Club", shortName: "dark-sky"}) {
    ... on Organization { id }
  }
}"""
CREATE_PROJECT = """mutation ($org: ID!) {
  createProject(input: {organizationId: $org, name: "Galaxies", code: "GAL-1"}) {
    ... on Project { id }
  }
}"""
REGISTER_OBSERVATORY = """mutation ($org: ID!, $lat: Float!, $lon: Float!) {
  registerObservatory(input: {
    organizationId: $org, name: "Home", code: "home-1",
    location: {latitudeDeg: $lat, longitudeDeg: $lon, elevationM: 10,
               timezone: "Europe/Amsterdam"},
    equipment: {filters: ["L"], binningModes: [1]}
  }) { ... on RegisterObservatorySuccess { observatory { id } } }
}"""
CREATE_OBSERVATION = """mutation ($project: ID!, $observatory: ID!, $name: String!, $ra: String!,
                                  $dec: String!, $submit: Boolean!, $windows: [TimeWindowInput!]!) {
  createObservation(input: {
    projectId: $project, name: $name, submit: $submit, eligibleObservatoryIds: [$observatory],
    constraints: {windows: $windows},
    targets: [{name: $name, ra: $ra, dec: $dec,
               exposures: [{filter: "L", exposureS: 295, count: 6}]}]
  }) {
    __typename
    ... on Observation { id }
    ... on ValidationError { fields { path message } }
  }
}"""


class Api:
    def __init__(self, server: ApiServer, token: str) -> None:
        self.server, self.token = server, token
        self.project: str | None = None

    async def query(self, document: str, **variables: object) -> dict[str, Any]:
        body = await graphql_http(self.server.base_url, document, token=self.token, **variables)
        assert "errors" not in body, body["errors"]
        data: dict[str, Any] = body["data"]
        return data

    async def observatory(self, latitude: float, longitude: float) -> str:
        """An organization, a project and an observatory; the observatory's id."""
        org = (await self.query(CREATE_ORGANIZATION))["createOrganization"]["id"]
        self.project = (await self.query(CREATE_PROJECT, org=org))["createProject"]["id"]
        registered = await self.query(REGISTER_OBSERVATORY, org=org, lat=latitude, lon=longitude)
        return str(registered["registerObservatory"]["observatory"]["id"])

    async def create_observation(
        self,
        observatory: str,
        name: str,
        *,
        ra: str,
        dec: str,
        submit: bool = True,
        windows: list[dict[str, str]] | None = None,
    ) -> dict[str, Any]:
        result = await self.query(
            CREATE_OBSERVATION,
            project=self.project,
            observatory=observatory,
            name=name,
            ra=ra,
            dec=dec,
            submit=submit,
            windows=windows or [],
        )
        created: dict[str, Any] = result["createObservation"]
        return created

    async def observation(self, observatory: str, name: str, **fields: Any) -> str:
        created = await self.create_observation(observatory, name, **fields)
        assert created["__typename"] == "Observation", created
        return str(created["id"])


@asynccontextmanager
async def signed_in(server: ApiServer) -> AsyncIterator[Api]:
    body = await graphql_http(server.base_url, LOGIN, email=ADMIN_EMAIL, password=ADMIN_PASSWORD)
    yield Api(server, str(body["data"]["login"]["accessToken"]))


CREATE_USER = """mutation ($email: String!, $password: String!) {
  createUser(input: {email: $email, password: $password}) { ... on User { id } }
}"""
SET_OBSERVATORY_MEMBER = """mutation ($observatory: ID!, $user: ID!,
                                      $permissions: [ObservatoryPermission!]!) {
  setObservatoryMember(input: {observatoryId: $observatory, userId: $user,
                               permissions: $permissions}) { __typename }
}"""


async def user_session(
    admin: Api, email: str, observatory: str | None = None, permissions: list[str] | None = None
) -> Api:
    """A new person (optionally an observatory member with `permissions`), signed in."""
    password = "a long enough password"
    user = (await admin.query(CREATE_USER, email=email, password=password))["createUser"]["id"]
    if observatory is not None:
        added = await admin.query(
            SET_OBSERVATORY_MEMBER, observatory=observatory, user=user, permissions=permissions
        )
        assert added["setObservatoryMember"]["__typename"] == "Observatory", added
    body = await graphql_http(admin.server.base_url, LOGIN, email=email, password=password)
    return Api(admin.server, str(body["data"]["login"]["accessToken"]))
