"""`observations(orderBy:)`: every order, both directions, paged through ties without gaps."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, ApiServer
from tests.graphql_client import graphql_http
from tests.ids import database_id

LOGIN = """mutation ($email: String!, $password: String!) {
  login(input: {email: $email, password: $password}) { ... on LoginSuccess { accessToken } }
}"""
SETUP = """mutation {
  createOrganization(input: {name: "Order", shortName: "order"}) { ... on Organization { id } }
}"""
CREATE_PROJECT = """mutation ($org: ID!) {
  createProject(input: {organizationId: $org, name: "Order", code: "ORDER"}) {
    ... on Project { id }
  }
}"""
CREATE_OBSERVATION = """mutation ($project: ID!, $name: String!, $priority: Int!) {
  createObservation(input: {projectId: $project, name: $name, priority: $priority,
    targets: [{name: "Vega", ra: "18:36:56.3", dec: "+38:47:01",
               exposures: [{filter: "L", exposureS: 10, count: 3}]}]}) {
    __typename ... on Observation { id }
  }
}"""
CANCEL = """mutation ($id: ID!) { cancelObservation(input: {id: $id}) { __typename } }"""
LIST = """query ($first: Int!, $after: String, $order: ObservationOrder,
             $filter: ObservationFilter) {
  observations(first: $first, after: $after, orderBy: $order, filter: $filter) {
    totalCount
    edges { cursor node { id name priority createdAt updatedAt } }
    pageInfo { hasNextPage endCursor }
  }
}"""
# (name, priority): repeated names and priorities, so every order has ties
PLAN = [
    ("Vega", 5), ("Deneb", 7), ("Vega", 7), ("Altair", 2), ("Deneb", 5), ("M31", 7),
    ("Altair", 9), ("Vega", 2), ("M31", 5), ("Deneb", 9), ("Vega", 7), ("Altair", 5),
]  # fmt: skip
FIELDS = {"CREATED_AT": "createdAt", "UPDATED_AT": "updatedAt", "PRIORITY": "priority"}
FIELDS["NAME"] = "name"


async def _world(server: ApiServer) -> tuple[str, list[dict[str, Any]]]:
    login = await graphql_http(server.base_url, LOGIN, email=ADMIN_EMAIL, password=ADMIN_PASSWORD)
    token = str(login["data"]["login"]["accessToken"])
    org = await graphql_http(server.base_url, SETUP, token=token)
    project = await graphql_http(
        server.base_url, CREATE_PROJECT, token=token, org=org["data"]["createOrganization"]["id"]
    )
    project_id = project["data"]["createProject"]["id"]
    ids = []
    for name, priority in PLAN:
        created = await graphql_http(
            server.base_url,
            CREATE_OBSERVATION,
            token=token,
            project=project_id,
            name=name,
            priority=priority,
        )
        ids.append(created["data"]["createObservation"]["id"])
    for observation_id in ids[::3]:  # later updates: updatedAt differs from createdAt order
        await graphql_http(server.base_url, CANCEL, token=token, id=observation_id)
    everything = await graphql_http(server.base_url, LIST, token=token, first=100)
    nodes = [edge["node"] for edge in everything["data"]["observations"]["edges"]]
    assert len(nodes) == len(PLAN)
    return token, nodes


async def _walk(
    server: ApiServer, token: str, order: dict[str, str], page_size: int, **extra: object
) -> list[str]:
    seen: list[str] = []
    after: str | None = None
    while True:
        body = await graphql_http(
            server.base_url,
            LIST,
            token=token,
            first=page_size,
            after=after,
            order=order,
            **extra,
        )
        assert "errors" not in body, body
        connection = body["data"]["observations"]
        seen += [edge["node"]["id"] for edge in connection["edges"]]
        if not connection["pageInfo"]["hasNextPage"]:
            return seen
        after = connection["pageInfo"]["endCursor"]


def _expected(nodes: list[dict[str, Any]], field: str, direction: str) -> list[str]:
    # ties are broken by creation order: the database id
    ordered = sorted(nodes, key=lambda n: (n[FIELDS[field]], database_id(n["id"])))
    return [n["id"] for n in (ordered if direction == "ASC" else ordered[::-1])]


@pytest.mark.parametrize("field", ["CREATED_AT", "UPDATED_AT", "PRIORITY", "NAME"])
async def test_paging_in_every_order_returns_each_observation_once_in_that_order(
    api_server: ApiServer, field: str
) -> None:
    # given
    token, nodes = await _world(api_server)

    for direction in ("ASC", "DESC"):
        # when
        seen = await _walk(api_server, token, {"field": field, "direction": direction}, 5)

        # then
        assert seen == _expected(nodes, field, direction), direction


async def test_the_default_order_is_newest_first(api_server: ApiServer) -> None:
    # given
    token, nodes = await _world(api_server)

    # when
    body = await graphql_http(api_server.base_url, LIST, token=token, first=100)

    # then
    ids = [edge["node"]["id"] for edge in body["data"]["observations"]["edges"]]
    assert ids == _expected(nodes, "CREATED_AT", "DESC")


async def test_an_order_combines_with_a_filter_and_counts_the_filtered_rows(
    api_server: ApiServer,
) -> None:
    # given
    token, nodes = await _world(api_server)
    wanted = [n for n in nodes if n["priority"] >= 7]

    # when
    seen = await _walk(
        api_server,
        token,
        {"field": "PRIORITY", "direction": "DESC"},
        2,
        filter={"priorityAtLeast": 7},
    )
    body = await graphql_http(
        api_server.base_url,
        LIST,
        token=token,
        first=1,
        order={"field": "PRIORITY"},
        filter={"priorityAtLeast": 7},
    )

    # then
    assert seen == _expected(wanted, "PRIORITY", "DESC")
    assert body["data"]["observations"]["totalCount"] == len(wanted) == 6


async def test_a_cursor_of_another_order_is_refused(api_server: ApiServer) -> None:
    # given
    token, _ = await _world(api_server)
    first_page = await graphql_http(
        api_server.base_url, LIST, token=token, first=2, order={"field": "NAME"}
    )
    cursor = first_page["data"]["observations"]["pageInfo"]["endCursor"]

    # when
    body = await graphql_http(
        api_server.base_url,
        LIST,
        token=token,
        first=2,
        after=cursor,
        order={"field": "PRIORITY", "direction": "DESC"},
    )

    # then
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "BAD_INPUT"
    assert body["errors"][0]["message"] == "the cursor belongs to a list in another order"
