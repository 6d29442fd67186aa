"""`setObservatoryMaintenance` over GraphQL: the payload, the typed error, what readers see."""

from __future__ import annotations

import asyncio

from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, ApiServer
from tests.graphql_client import as_lists, graphql_http, subscription
from tests.ids import global_id

LOGIN = """mutation ($email: String!, $password: String!) {
  login(input: {email: $email, password: $password}) { ... on LoginSuccess { accessToken } }
}"""
CREATE_ORGANIZATION = """mutation {
  createOrganization(input: {name: "Maintained", shortName: "maintained"}) {
    ... on Organization { id }
  }
}"""
REGISTER = """mutation ($org: ID!) {
  registerObservatory(input: {organizationId: $org, name: "North", code: "north-1",
    location: {latitudeDeg: 52, longitudeDeg: 5}}) {
    ... on RegisterObservatorySuccess { observatory { id } }
  }
}"""
SET_MAINTENANCE = """mutation ($id: ID!, $enabled: Boolean!, $reason: String!) {
  setObservatoryMaintenance(input: {observatoryId: $id, enabled: $enabled, reason: $reason}) {
    __typename
    ... on Observatory { id maintenance maintenanceReason maintenanceSince }
    ... on ValidationError { fields { path message } }
    ... on NotFound { message }
  }
}"""
OBSERVATORIES = "{ observatories { edges { node { code maintenance maintenanceReason } } } }"


async def _observatory(server: ApiServer) -> tuple[str, str]:
    login = await graphql_http(server.base_url, LOGIN, email=ADMIN_EMAIL, password=ADMIN_PASSWORD)
    token = str(login["data"]["login"]["accessToken"])
    org = await graphql_http(server.base_url, CREATE_ORGANIZATION, token=token)
    registered = await graphql_http(
        server.base_url, REGISTER, token=token, org=org["data"]["createOrganization"]["id"]
    )
    return token, str(registered["data"]["registerObservatory"]["observatory"]["id"])


async def test_maintenance_is_switched_on_with_a_reason_and_off_again(
    api_server: ApiServer,
) -> None:
    # given
    token, observatory = await _observatory(api_server)

    # when
    on = await graphql_http(
        api_server.base_url, SET_MAINTENANCE, token=token, id=observatory, enabled=True,
        reason="mount rebalancing",
    )  # fmt: skip
    listed = await graphql_http(api_server.base_url, OBSERVATORIES, token=token)
    off = await graphql_http(
        api_server.base_url, SET_MAINTENANCE, token=token, id=observatory, enabled=False,
        reason="",
    )  # fmt: skip

    # then
    switched_on = on["data"]["setObservatoryMaintenance"]
    assert switched_on["__typename"] == "Observatory"
    assert (switched_on["maintenance"], switched_on["maintenanceReason"]) == (
        True,
        "mount rebalancing",
    )
    assert switched_on["maintenanceSince"] is not None
    assert as_lists(listed["data"]["observatories"]) == [
        {"code": "north-1", "maintenance": True, "maintenanceReason": "mount rebalancing"}
    ]
    assert off["data"]["setObservatoryMaintenance"] == {
        "__typename": "Observatory",
        "id": observatory,
        "maintenance": False,
        "maintenanceReason": "",
        "maintenanceSince": None,
    }


async def test_switching_on_without_a_reason_is_a_validation_error(
    api_server: ApiServer,
) -> None:
    # given
    token, observatory = await _observatory(api_server)

    # when
    body = await graphql_http(
        api_server.base_url, SET_MAINTENANCE, token=token, id=observatory, enabled=True,
        reason="",
    )  # fmt: skip
    listed = await graphql_http(api_server.base_url, OBSERVATORIES, token=token)

    # then
    assert body["data"]["setObservatoryMaintenance"] == {
        "__typename": "ValidationError",
        "fields": [
            {"path": ["reason"], "message": "say why the observatory goes into maintenance"}
        ],
    }
    assert as_lists(listed["data"]["observatories"])[0]["maintenance"] is False


async def test_an_unknown_observatory_is_not_found(api_server: ApiServer) -> None:
    # given
    token, _ = await _observatory(api_server)

    # when
    body = await graphql_http(
        api_server.base_url, SET_MAINTENANCE, token=token,
        id=global_id("Observatory", "65a1b2c3d4e5f60718293a4b"), enabled=True, reason="x",
    )  # fmt: skip

    # then
    assert body["data"]["setObservatoryMaintenance"]["__typename"] == "NotFound"


MAINTENANCE_EVENTS = """subscription ($id: ID!) {
  observatoryEvents(observatoryId: $id) { observatoryId kind maintenance connected detail }
}"""


async def test_subscribers_see_maintenance_switched_on_live(api_server: ApiServer) -> None:
    # given: an operator watching the observatory's events
    token, observatory = await _observatory(api_server)
    async with subscription(
        api_server.ws_url, MAINTENANCE_EVENTS, token=token, id=observatory
    ) as events:
        await asyncio.sleep(0.3)  # the subscription is registered before the change

        # when
        await graphql_http(
            api_server.base_url, SET_MAINTENANCE, token=token, id=observatory, enabled=True,
            reason="mirror cleaning",
        )  # fmt: skip
        message = await asyncio.wait_for(events.next_message(), timeout=10)

    # then
    assert message["payload"]["data"]["observatoryEvents"] == {
        "observatoryId": observatory,
        "kind": "maintenance",
        "maintenance": True,
        "connected": None,
        "detail": "mirror cleaning",
    }
