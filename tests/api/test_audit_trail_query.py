"""`auditTrail`: an entity's changes newest first, for site administrators, the organization's
owner and members who manage its members, and a person for their own account; nobody else
sees anything (an empty connection, so ids cannot be probed)."""

from __future__ import annotations

from typing import Any

from tests.api.gaps_world import SET_ORG_MEMBER, GapsWorld, make_world
from tests.conftest import ApiServer

SET_DISPATCH = """mutation ($id: ID!, $enabled: Boolean!) {
  setDispatchEnabled(input: {observatoryId: $id, enabled: $enabled}) { __typename }
}"""
TRAIL = """query ($entity: String!, $id: ID!, $first: Int!, $after: String) {
  auditTrail(entity: $entity, entityId: $id, first: $first, after: $after) {
    totalCount
    edges { node { actor apiKeyId entity entityId action before after } }
    pageInfo { hasNextPage endCursor }
  }
}"""
ME = """{ me { id } }"""
ACTIONS = """query ($entity: String!, $id: ID!) {
  auditTrail(entity: $entity, entityId: $id) { totalCount edges { node { actor action } } }
}"""


def _nodes(connection: dict[str, Any]) -> list[dict[str, Any]]:
    return [edge["node"] for edge in connection["edges"]]


async def _observatory_with_two_switches(world: GapsWorld) -> None:
    """The owner switches dispatch off and on again (after registering it in make_world)."""
    await world.call("owner", SET_DISPATCH, id=world.observatory, enabled=False)
    await world.call("owner", SET_DISPATCH, id=world.observatory, enabled=True)


async def _actions(world: GapsWorld, role: str, entity: str, entity_id: str) -> dict[str, Any]:
    body = await world.call(role, ACTIONS, entity=entity, id=entity_id)
    trail: dict[str, Any] = body["data"]["auditTrail"]
    return {"totalCount": trail["totalCount"], "edges": _nodes(trail)}


def _dispatch_entry(world: GapsWorld, before: bool, after: bool) -> dict[str, Any]:
    return {
        "actor": f"user:{world.user_ids['owner']}",
        "apiKeyId": None,
        "entity": "observatory",
        "entityId": world.observatory,
        "action": "dispatch_enabled",
        "before": {"dispatch_enabled": before},
        "after": {"dispatch_enabled": after},
    }


async def test_the_owner_pages_through_an_observatory_trail_newest_first(
    api_server: ApiServer,
) -> None:
    # given
    world = await make_world(api_server)
    await _observatory_with_two_switches(world)

    # when
    first = await world.call("owner", TRAIL, entity="observatory", id=world.observatory, first=2)
    cursor = first["data"]["auditTrail"]["pageInfo"]["endCursor"]
    rest = await world.call(
        "owner", TRAIL, entity="observatory", id=world.observatory, first=2, after=cursor
    )

    # then
    page = first["data"]["auditTrail"]
    assert page["totalCount"] == 3
    assert page["pageInfo"]["hasNextPage"] is True
    assert _nodes(page) == [
        _dispatch_entry(world, before=False, after=True),
        _dispatch_entry(world, before=True, after=False),
    ]
    last = rest["data"]["auditTrail"]
    assert last["pageInfo"]["hasNextPage"] is False
    assert [(e["actor"], e["action"], e["before"]) for e in _nodes(last)] == [
        (f"user:{world.user_ids['owner']}", "register", None)
    ]
    assert last["edges"][0]["node"]["after"]["code"] == "north-1"
    assert "api_key_hash" not in last["edges"][0]["node"]["after"]


async def test_who_reads_an_organization_trail(api_server: ApiServer) -> None:
    # given: the observatory's trail has three entries; the member holds no permission yet
    world = await make_world(api_server)
    await _observatory_with_two_switches(world)
    everything = {
        "totalCount": 3,
        "edges": [
            {"actor": f"user:{world.user_ids['owner']}", "action": action}
            for action in ("dispatch_enabled", "dispatch_enabled", "register")
        ],
    }
    nothing: dict[str, Any] = {"totalCount": 0, "edges": []}

    # when
    seen = {
        role: await _actions(world, role, "observatory", world.observatory)
        for role in ("admin", "owner", "member", "viewer", "outsider")
    }
    await world.call(
        "owner", SET_ORG_MEMBER, org=world.organization, user=world.user_ids["member"],
        permissions=["MANAGE_MEMBERS"],
    )  # fmt: skip
    seen_as_manager = await _actions(world, "member", "observatory", world.observatory)
    wrong_type = await _actions(world, "admin", "project", world.observatory)

    # then
    assert seen == {
        "admin": everything,
        "owner": everything,
        "member": nothing,
        "viewer": nothing,
        "outsider": nothing,
    }
    assert seen_as_manager == everything
    assert wrong_type == nothing


async def test_people_read_their_own_account_trail_and_nobody_else_does(
    api_server: ApiServer,
) -> None:
    # given: the admin created the owner, who signed in (make_world)
    world = await make_world(api_server)
    owner = world.user_ids["owner"]
    admin = (await world.call("admin", ME))["data"]["me"]["id"]

    # when
    seen = {
        role: await _actions(world, role, "user", owner) for role in ("admin", "owner", "outsider")
    }

    # then
    own = {
        "totalCount": 2,
        "edges": [
            {"actor": f"user:{owner}", "action": "signed_in"},
            {"actor": f"user:{admin}", "action": "create"},
        ],
    }
    assert seen == {"admin": own, "owner": own, "outsider": {"totalCount": 0, "edges": []}}
