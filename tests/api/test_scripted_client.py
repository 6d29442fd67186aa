"""A scripted client (Python gql) goes from login to a cancelled observation of M31."""

from __future__ import annotations

import asyncio
from typing import Any

from gql import Client, GraphQLRequest, gql
from gql.transport.httpx import HTTPXAsyncTransport
from gql.transport.websockets import WebsocketsTransport

from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, ApiServer

LOGIN = gql("""mutation ($email: String!, $password: String!) {
  login(input: {email: $email, password: $password}) { ... on LoginSuccess { accessToken } }
}""")
CREATE_ORGANIZATION = gql("""mutation {
  createOrganization(input: {name: "Dark Sky Club", shortName: "dark-sky"}) {
    __typename ... on Organization { id }
  }
}""")
CREATE_PROJECT = gql("""mutation ($org: ID!) {
  createProject(input: {organizationId: $org, name: "Galaxies", code: "GAL-1"}) {
    __typename ... on Project { id code }
  }
}""")
REGISTER_OBSERVATORY = gql("""mutation ($org: ID!) {
  registerObservatory(input: {
    organizationId: $org, name: "Backyard", code: "backyard-1",
    location: {latitudeDeg: 52.1, longitudeDeg: 5.1, elevationM: 10, timezone: "Europe/Amsterdam"},
    horizon: [{azimuthDeg: 180, altitudeDeg: 25}, {azimuthDeg: 0, altitudeDeg: 10}],
    equipment: {apertureMm: 200, focalLengthMm: 1000, pixelSizeUm: 3.76,
                sensorWidthPx: 6248, sensorHeightPx: 4176, filters: ["L", "R", "G", "B", "Ha"],
                binningModes: [1, 2]}
  }) {
    __typename
    ... on RegisterObservatorySuccess {
      apiKey
      observatory { id apiKeyPrefix equipment { pixelScaleArcsec fieldOfViewArcmin } }
    }
  }
}""")
CREATE_OBSERVATION = gql("""mutation ($project: ID!, $observatory: ID!) {
  createObservation(input: {
    projectId: $project, name: "Andromeda LRGB", priority: 7, submit: false,
    eligibleObservatoryIds: [$observatory],
    targets: [{name: "M31", exposures: [{filter: "L", exposureS: 120, count: 30}]}]
  }) {
    __typename
    ... on Observation { id state targets { name raDeg decDeg resolvedBy } }
    ... on ValidationError { fields { path message } }
  }
}""")
LIST = gql("""query {
  observations(first: 10) {
    totalCount
    edges { node { name state project { code } eligibleObservatories { edges { node { code } } } } }
  }
}""")
SUBMIT = gql("""mutation ($id: ID!) {
  submitObservation(input: {id: $id}) { __typename ... on Observation { state } }
}""")
CANCEL = gql("""mutation ($id: ID!) {
  cancelObservation(input: {id: $id, reason: "clouds all week"}) {
    __typename ... on Observation { state }
  }
}""")
HISTORY = gql("""query ($id: ID!) {
  observation(id: $id) { history { actor fromState toState reason } }
}""")
EVENTS = gql("""subscription {
  observationEvents { observationId state previousState actor reason }
}""")
ME = gql("query { me { id } }")


async def _login(server: ApiServer) -> str:
    async with Client(transport=HTTPXAsyncTransport(url=f"{server.base_url}/graphql")) as session:
        result = await session.execute(
            GraphQLRequest(
                LOGIN, variable_values={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}
            )
        )
    return str(result["login"]["accessToken"])


async def test_a_scripted_client_runs_the_whole_request_flow(api_server: ApiServer) -> None:
    # given: a signed-in client with an organization, a project and an observatory
    token = await _login(api_server)
    auth = {"Authorization": f"Bearer {token}"}
    http = HTTPXAsyncTransport(url=f"{api_server.base_url}/graphql", headers=auth)
    async with Client(transport=http) as session:
        me = (await session.execute(ME))["me"]["id"]
        organization = (await session.execute(CREATE_ORGANIZATION))["createOrganization"]["id"]
        project = (
            await session.execute(
                GraphQLRequest(CREATE_PROJECT, variable_values={"org": organization})
            )
        )["createProject"]["id"]
        registered = (
            await session.execute(
                GraphQLRequest(REGISTER_OBSERVATORY, variable_values={"org": organization})
            )
        )["registerObservatory"]
        observatory = registered["observatory"]

        # when: an observation of M31 is created by name, listed, submitted and cancelled
        created = (
            await session.execute(
                GraphQLRequest(
                    CREATE_OBSERVATION,
                    variable_values={"project": project, "observatory": observatory["id"]},
                )
            )
        )["createObservation"]
        listed = (await session.execute(LIST))["observations"]

        events: list[dict[str, Any]] = []
        socket = WebsocketsTransport(
            url=api_server.ws_url,
            init_payload=auth,
            subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL],
        )
        async with Client(transport=socket) as live:

            async def listen() -> None:
                async for event in live.subscribe(EVENTS):
                    events.append(event["observationEvents"])
                    if len(events) == 2:
                        return

            listening = asyncio.create_task(listen())
            await asyncio.sleep(0.5)  # the subscription is registered before changes happen
            submitted = await session.execute(
                GraphQLRequest(SUBMIT, variable_values={"id": created["id"]})
            )
            cancelled = await session.execute(
                GraphQLRequest(CANCEL, variable_values={"id": created["id"]})
            )
            await asyncio.wait_for(listening, timeout=10)
        history = await session.execute(
            GraphQLRequest(HISTORY, variable_values={"id": created["id"]})
        )

    # then
    assert registered["apiKey"].startswith(observatory["apiKeyPrefix"])
    scale = observatory["equipment"]["pixelScaleArcsec"]
    assert abs(scale - 206.264806 * 3.76 / 1000) < 1e-9
    assert created["state"] == "DRAFT"
    (m31,) = created["targets"]
    assert m31["name"] == "M31"
    assert m31["resolvedBy"] == "OpenNGC"
    assert abs(m31["raDeg"] - 10.6847) < 0.01  # 00h42m44.3s (independent literature value)
    assert abs(m31["decDeg"] - 41.2690) < 0.01  # +41°16′09″
    assert listed["totalCount"] == 1
    assert listed["edges"][0]["node"] == {
        "name": "Andromeda LRGB",
        "state": "DRAFT",
        "project": {"code": "GAL-1"},
        "eligibleObservatories": {"edges": [{"node": {"code": "backyard-1"}}]},
    }
    assert submitted["submitObservation"] == {"__typename": "Observation", "state": "PENDING"}
    assert cancelled["cancelObservation"] == {"__typename": "Observation", "state": "CANCELLED"}
    actor = f"user:{me}"
    assert events == [
        {
            "observationId": created["id"],
            "state": "PENDING",
            "previousState": "DRAFT",
            "actor": actor,
            "reason": "submitted",
        },
        {
            "observationId": created["id"],
            "state": "CANCELLED",
            "previousState": "PENDING",
            "actor": actor,
            "reason": "clouds all week",
        },
    ]
    assert history["observation"]["history"] == [
        {"actor": actor, "fromState": None, "toState": "DRAFT", "reason": "created"},
        {"actor": actor, "fromState": "DRAFT", "toState": "PENDING", "reason": "submitted"},
        {
            "actor": actor,
            "fromState": "PENDING",
            "toState": "CANCELLED",
            "reason": "clouds all week",
        },
    ]
