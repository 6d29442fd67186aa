"""The lists the GUI reads: an organization's projects, one observatory with its reservations,
member lists with accounts, and recent frames across observations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from tests.api.gaps_world import CREATE_PROJECT, GapsWorld, make_world
from tests.conftest import ApiServer
from tests.graphql_client import as_lists
from tests.pipeline.world import fits_file, orion_frame, sha256

PROJECTS = """query ($org: ID!) {
  projects(organizationId: $org) { edges { node { code name } } }
}"""
ORGANIZATION_PROJECTS = """{
  organizations { edges { node { shortName projects { edges { node { code } } } } } }
}"""
OBSERVATORY = """query ($id: ID!) {
  observatory(id: $id) {
    code
    equipment { pixelScaleArcsec }
    reservations { edges { node { title status } } }
    members { edges { node { user { email fullName } permissions } } }
  }
}"""
CREATE_RESERVATION = """mutation ($id: ID!, $start: DateTime!, $end: DateTime!) {
  createReservation(input: {observatoryId: $id, title: "Mirror cleaning", purpose: "upkeep",
                            contact: "ops@example.org", start: $start, end: $end}) { __typename }
}"""
SET_OBSERVATORY_MEMBER = """mutation ($id: ID!, $user: ID!) {
  setObservatoryMember(input: {observatoryId: $id, userId: $user, permissions: [VIEW, OPERATE]}) {
    __typename
  }
}"""
ORGANIZATION_MEMBERS = """{
  organizations { edges { node {
    shortName members { edges { node { user { email fullName } isOwner permissions } } }
  } } }
}"""
PROJECT_MEMBERS = """query ($org: ID!) {
  projects(organizationId: $org) { edges { node {
    code members { edges { node { user { email } isOwner permissions } } }
  } } }
}"""
CREATE_OBSERVATION = """mutation ($project: ID!) {
  createObservation(input: {projectId: $project, name: "Orion", submit: false,
    targets: [{name: "M42", ra: "83.82", dec: "-5.39",
               exposures: [{filter: "L", exposureS: 60, count: 5}]}]}) {
    __typename ... on Observation { id }
  }
}"""
RECENT_FRAMES = """query ($first: Int!, $after: String) {
  recentFrames(first: $first, after: $after) {
    totalCount
    edges { node { sequence observation { name } } }
    pageInfo { hasNextPage endCursor }
  }
}"""


async def test_projects_of_an_organization_are_those_each_person_may_see(
    api_server: ApiServer,
) -> None:
    # given
    world = await make_world(api_server)
    await world.call("owner", CREATE_PROJECT, org=world.organization, name="Asteroids", code="AST")

    # when
    seen = {
        role: as_lists((await world.call(role, PROJECTS, org=world.organization))["data"])[
            "projects"
        ]
        for role in ("owner", "member", "viewer", "outsider")
    }

    nested = await world.call("member", ORGANIZATION_PROJECTS)

    # then
    both = [{"code": "AST", "name": "Asteroids"}, {"code": "NEB", "name": "Nebulae"}]
    assert seen == {
        "owner": both,
        "member": both,
        "viewer": [{"code": "NEB", "name": "Nebulae"}],
        "outsider": [],
    }
    assert as_lists(nested["data"]["organizations"]) == [
        {"shortName": "vega", "projects": [{"code": "AST"}, {"code": "NEB"}]}
    ]


async def test_one_observatory_with_its_reservations_and_members(api_server: ApiServer) -> None:
    # given
    world = await make_world(api_server)
    start = datetime.now(UTC) + timedelta(days=1)
    await world.call(
        "owner", CREATE_RESERVATION, id=world.observatory, start=start.isoformat(),
        end=(start + timedelta(hours=3)).isoformat(),
    )  # fmt: skip
    await world.call(
        "owner", SET_OBSERVATORY_MEMBER, id=world.observatory, user=world.user_ids["viewer"]
    )

    # when
    by_member = await world.call("member", OBSERVATORY, id=world.observatory)
    by_outsider = await world.call("outsider", OBSERVATORY, id=world.observatory)

    # then
    assert as_lists(by_member["data"]["observatory"]) == {
        "code": "north-1",
        "equipment": {"pixelScaleArcsec": 206_264.806 * 3.76e-3 / 1000},
        "reservations": [{"title": "Mirror cleaning", "status": "SCHEDULED"}],
        "members": [
            {
                "user": {"email": "viewer@example.org", "fullName": "Viewer"},
                "permissions": ["OPERATE", "VIEW"],
            }
        ],
    }
    assert by_outsider["data"]["observatory"] is None


async def test_member_lists_name_each_member_and_their_permissions(api_server: ApiServer) -> None:
    # given
    world = await make_world(api_server)

    # when
    organizations = await world.call("member", ORGANIZATION_MEMBERS)
    projects = await world.call("viewer", PROJECT_MEMBERS, org=world.organization)
    outsider = await world.call("outsider", PROJECT_MEMBERS, org=world.organization)

    # then
    assert as_lists(organizations["data"]["organizations"]) == [
        {
            "shortName": "vega",
            "members": [
                {
                    "user": {"email": "owner@example.org", "fullName": "Owner"},
                    "isOwner": True,
                    "permissions": [
                        "MANAGE_BILLING",
                        "MANAGE_MEMBERS",
                        "MANAGE_OBSERVATORIES",
                        "MANAGE_PROJECTS",
                        "MANAGE_STORAGE",
                    ],
                },
                {
                    "user": {"email": "member@example.org", "fullName": "Member"},
                    "isOwner": False,
                    "permissions": [],
                },
            ],
        }
    ]
    assert as_lists(projects["data"]["projects"]) == [
        {
            "code": "NEB",
            "members": [
                {
                    "user": {"email": "owner@example.org"},
                    "isOwner": True,
                    "permissions": [
                        "DELETE",
                        "EDIT",
                        "MANAGE_MEMBERS",
                        "MANAGE_STORAGE",
                        "USE",
                        "VIEW",
                    ],
                },
                {
                    "user": {"email": "viewer@example.org"},
                    "isOwner": False,
                    "permissions": ["VIEW"],
                },
            ],
        }
    ]
    assert as_lists(outsider["data"]["projects"]) == []


async def upload(world: GapsWorld, observation: str, sequence: int) -> None:
    body = fits_file(orion_frame(seed=sequence, width=64, height=48))
    async with httpx.AsyncClient(base_url=world.server.base_url, timeout=60) as client:
        answer = await client.post(
            "/uploads/frames",
            content=body,
            params={"observation": observation, "sequence": str(sequence)},
            headers={
                "Authorization": f"Bearer {world.tokens['owner']}",
                "Content-Type": "application/fits",
                "X-Content-SHA256": sha256(body),
            },
        )
    assert answer.status_code == 201, answer.text


async def test_recent_frames_are_newest_first_across_visible_observations(
    api_server: ApiServer,
) -> None:
    # given
    world = await make_world(api_server)
    created = await world.call("owner", CREATE_OBSERVATION, project=world.project)
    observation = created["data"]["createObservation"]["id"]
    for sequence in (1, 2, 3):
        await upload(world, observation, sequence)

    # when
    first = await world.call("viewer", RECENT_FRAMES, first=2)
    rest = await world.call(
        "viewer", RECENT_FRAMES, first=2,
        after=first["data"]["recentFrames"]["pageInfo"]["endCursor"],
    )  # fmt: skip
    outsider = await world.call("outsider", RECENT_FRAMES, first=10)

    # then
    page = first["data"]["recentFrames"]
    assert page["totalCount"] == 3
    assert [e["node"] for e in page["edges"]] == [
        {"sequence": 3, "observation": {"name": "Orion"}},
        {"sequence": 2, "observation": {"name": "Orion"}},
    ]
    assert page["pageInfo"]["hasNextPage"] is True
    assert [e["node"]["sequence"] for e in rest["data"]["recentFrames"]["edges"]] == [1]
    assert rest["data"]["recentFrames"]["pageInfo"]["hasNextPage"] is False
    assert outsider["data"]["recentFrames"] == {
        "totalCount": 0,
        "edges": [],
        "pageInfo": {"hasNextPage": False, "endCursor": None},
    }
