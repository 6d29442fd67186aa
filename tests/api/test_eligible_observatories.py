"""`Observation.eligibleObservatories` shows only the observatories the viewer may see, whether
the observation is read alone or in a list (where the page loads them ahead of the rows)."""

from __future__ import annotations

from tests.api.gaps_world import GapsWorld, make_world
from tests.conftest import ApiServer
from tests.graphql_client import as_lists

CREATE = """mutation ($project: ID!, $observatory: ID!) {
  createObservation(input: {projectId: $project, name: "Orion",
    eligibleObservatoryIds: [$observatory],
    targets: [{name: "M42", ra: "83.82", dec: "-5.39",
               exposures: [{filter: "L", exposureS: 60, count: 5}]}]}) {
    __typename ... on Observation { id }
  }
}"""
ONE = """query ($id: ID!) {
  observation(id: $id) { name eligibleObservatories { edges { node { code } } } }
}"""
LIST = """{
  observations(first: 10) {
    edges { node { name project { code } eligibleObservatories { edges { node { code } } } } }
  }
}"""
ROLES = ("admin", "owner", "member", "viewer")


async def _observation(world: GapsWorld) -> str:
    created = await world.call(
        "owner", CREATE, project=world.project, observatory=world.observatory
    )
    assert created["data"]["createObservation"]["__typename"] == "Observation", created
    return str(created["data"]["createObservation"]["id"])


async def test_a_project_viewer_outside_the_organization_does_not_see_its_observatory(
    api_server: ApiServer,
) -> None:
    # given: an observation eligible at the organization's observatory; the viewer holds VIEW
    # on the project only, the member belongs to the organization (docs/permissions.md)
    world = await make_world(api_server)
    observation = await _observation(world)

    # when
    alone = {role: await world.call(role, ONE, id=observation) for role in ROLES}
    listed = {role: await world.call(role, LIST) for role in ROLES}

    # then
    seen = {"name": "Orion", "eligibleObservatories": [{"code": "north-1"}]}
    hidden = {"name": "Orion", "eligibleObservatories": []}
    assert {role: as_lists(body["data"]["observation"]) for role, body in alone.items()} == {
        "admin": seen, "owner": seen, "member": seen, "viewer": hidden,
    }  # fmt: skip
    in_lists = {role: as_lists(body["data"]["observations"]) for role, body in listed.items()}
    assert in_lists == {
        role: [{**(hidden if role == "viewer" else seen), "project": {"code": "NEB"}}]
        for role in ROLES
    }
