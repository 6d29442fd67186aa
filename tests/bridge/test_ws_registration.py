"""A new observatory registers from its plugin; an admin approves it through GraphQL and the
plugin receives its key on the same socket."""

from __future__ import annotations

from typing import Any

from domain.observatories.observatory import Observatory
from tests.bridge.client import PluginClient
from tests.bridge.conftest import BridgeServer
from tests.bridge.steps import token
from tests.bridge.world import World
from tests.graphql_client import as_lists, graphql_http
from tests.ids import database_id, global_id

REGISTRATIONS = """{
  observatoryRegistrations { edges { node { id code name status contactEmail } } }
}"""
APPROVE = """
mutation Approve($registration: ID!, $organization: ID!) {
  approveObservatoryRegistration(
    input: {registrationId: $registration, organizationId: $organization}
  ) {
    __typename
    ... on ApproveObservatoryRegistrationSuccess { observatory { id code } }
  }
}
"""
REJECT = """
mutation Reject($registration: ID!, $organization: ID!) {
  rejectObservatoryRegistration(input: {registrationId: $registration,
    organizationId: $organization, reason: "unknown site"}) { __typename }
}
"""
REGISTRATION: dict[str, Any] = {
    "code": "hill-top",
    "name": "Hill Top",
    "contact_email": "ops@example.org",
    "latitude_deg": 52.1,
    "longitude_deg": 5.2,
    "elevation_m": 30.0,
}


async def test_an_approved_registration_delivers_the_key_over_the_socket(
    bridge: BridgeServer, world: World
) -> None:
    # given
    plugin = PluginClient(bridge.plugin_url, None)
    await plugin.connect()
    pending = await plugin.hello(registration=REGISTRATION)
    listed = await graphql_http(bridge.base_url, REGISTRATIONS, token=token(world))

    # when
    approved = await graphql_http(
        bridge.base_url,
        APPROVE,
        token=token(world),
        registration=global_id("ObservatoryRegistration", pending["registration_id"]),
        organization=global_id("Organization", str(world.organization.id)),
    )
    issued = await plugin.expect("api_key_issued")
    await plugin.ack(issued)
    welcome = await plugin.expect("welcome")
    reconciliation = await plugin.report()

    # then
    assert pending["type"] == "registration_pending"
    assert as_lists(listed["data"]["observatoryRegistrations"]) == [
        {
            "id": global_id("ObservatoryRegistration", pending["registration_id"]),
            "code": "hill-top",
            "name": "Hill Top",
            "status": "PENDING",
            "contactEmail": "ops@example.org",
        }
    ]
    observatory = approved["data"]["approveObservatoryRegistration"]["observatory"]
    assert observatory["code"] == "hill-top"
    assert issued["reason"] == "registration_approved"
    assert issued["observatory_id"] == database_id(observatory["id"])
    assert welcome["observatory_id"] == database_id(observatory["id"])
    assert reconciliation["decision"] == "idle"
    stored = await Observatory.find_one(Observatory.code == "hill-top")
    assert stored is not None
    assert stored.organization_id == world.organization.id
    await plugin.close()

    # and the key works for the next connection from the same machine only
    again = PluginClient(bridge.plugin_url, issued["api_key"])
    assert (await again.start())["decision"] == "idle"
    await again.close()
    thief = PluginClient(bridge.plugin_url, issued["api_key"], "sha256:" + "ef" * 32)
    await thief.connect()
    assert (await thief.hello())["code"] == "fingerprint_mismatch"
    assert await thief.wait_closed() == 4005


async def test_a_rejected_registration_is_told_and_closed(
    bridge: BridgeServer, world: World
) -> None:
    # given
    plugin = PluginClient(bridge.plugin_url, None)
    await plugin.connect()
    pending = await plugin.hello(registration=REGISTRATION)

    # when
    rejected = await graphql_http(
        bridge.base_url,
        REJECT,
        token=token(world),
        registration=global_id("ObservatoryRegistration", pending["registration_id"]),
        organization=global_id("Organization", str(world.organization.id)),
    )
    nack = await plugin.expect("nack")

    # then
    assert rejected["data"]["rejectObservatoryRegistration"]["__typename"] == (
        "ObservatoryRegistration"
    )
    assert nack["code"] == "registration_rejected"
    assert await plugin.wait_closed() == 4006
    assert await Observatory.find_one(Observatory.code == "hill-top") is None
