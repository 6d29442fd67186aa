"""Every list is a Relay connection: paging a list held in memory (an organization's projects)
and one read page by page from the database (a library search) sees each item once, in the
documented order, and a cursor holds its place when an earlier item goes away."""

from __future__ import annotations

from typing import Any

from pymongo import MongoClient

from tests.api.gaps_world import CREATE_PROJECT, GapsWorld, make_world
from tests.conftest import TEST_DATABASE, ApiServer
from tests.engines import Engine

PROJECTS = """query ($org: ID!, $first: Int!, $after: String) {
  projects(organizationId: $org, first: $first, after: $after) {
    totalCount
    edges { cursor node { code } }
    pageInfo { hasNextPage endCursor }
  }
}"""
ORGANIZATION_PROJECTS = """query ($first: Int!, $after: String) {
  organizations { edges { node { projects(first: $first, after: $after) {
    totalCount edges { node { code } } pageInfo { hasNextPage endCursor }
  } } } }
}"""
LIBRARY = """query ($org: ID!, $first: Int!, $after: String) {
  libraryTargets(organizationId: $org, search: "ring", first: $first, after: $after) {
    totalCount
    edges { node { id name } }
    pageInfo { hasNextPage endCursor }
  }
}"""
SAVE_TARGET = """mutation ($org: ID!, $name: String!) {
  saveLibraryTarget(input: {organizationId: $org, name: $name, ra: "10", dec: "20"}) {
    __typename
  }
}"""
DELETE_TARGET = """mutation ($org: ID!, $id: ID!) {
  deleteLibraryTarget(input: {organizationId: $org, id: $id}) { __typename }
}"""
OBSERVATORY_MEMBERS = """query ($id: ID!, $first: Int!, $after: String) {
  observatory(id: $id) { members(first: $first, after: $after) { totalCount } }
}"""

PROJECT_NAMES = {"COM": "Comets", "AST": "Asteroids", "EXO": "Exoplanets", "VAR": "Variables"}
PROJECT_NAMES |= {"GAL": "Galaxies"}  # with the world's Nebulae (NEB): six, by name
BY_NAME = ["AST", "COM", "EXO", "GAL", "NEB", "VAR"]
LIBRARY_NAMES = ["Ring B", "Alpha Ring", "Zeta", "Ring A", "Beta Ring", "Ring C"]
# those starting with "ring" first, then those containing it, each by name
LIBRARY_ORDER = ["Ring A", "Ring B", "Ring C", "Alpha Ring", "Beta Ring"]


async def _pages(
    world: GapsWorld, query: str, field: str, first: int, **variables: object
) -> list[dict[str, Any]]:
    """Every page of the connection `field`, following endCursor."""
    pages, after = [], None
    while True:
        body = await world.call("owner", query, first=first, after=after, **variables)
        assert "errors" not in body, body
        page = body["data"][field]
        pages.append(page)
        if not page["pageInfo"]["hasNextPage"]:
            return pages
        after = page["pageInfo"]["endCursor"]


async def _projects_world(api_server: ApiServer) -> GapsWorld:
    world = await make_world(api_server)
    for code, name in PROJECT_NAMES.items():
        created = await world.call(
            "owner", CREATE_PROJECT, org=world.organization, name=name, code=code
        )
        assert created["data"]["createProject"]["id"], created
    return world


async def test_a_list_in_memory_is_paged_by_name_each_item_once(api_server: ApiServer) -> None:
    # given
    world = await _projects_world(api_server)

    # when
    pages = await _pages(world, PROJECTS, "projects", 2, org=world.organization)

    # then
    assert [[e["node"]["code"] for e in page["edges"]] for page in pages] == [
        ["AST", "COM"],
        ["EXO", "GAL"],
        ["NEB", "VAR"],
    ]
    assert [page["pageInfo"]["hasNextPage"] for page in pages] == [True, True, False]
    assert [page["totalCount"] for page in pages] == [6, 6, 6]
    assert pages[-1]["pageInfo"]["endCursor"] == pages[-1]["edges"][-1]["cursor"]


async def test_a_nested_list_is_paged_the_same_way(api_server: ApiServer) -> None:
    # given
    world = await _projects_world(api_server)

    # when
    first = await world.call("owner", ORGANIZATION_PROJECTS, first=4, after=None)
    page = first["data"]["organizations"]["edges"][0]["node"]["projects"]
    rest = await world.call(
        "owner", ORGANIZATION_PROJECTS, first=4, after=page["pageInfo"]["endCursor"]
    )

    # then
    next_page = rest["data"]["organizations"]["edges"][0]["node"]["projects"]
    assert [e["node"]["code"] for e in page["edges"]] == BY_NAME[:4]
    assert [e["node"]["code"] for e in next_page["edges"]] == BY_NAME[4:]
    assert (page["totalCount"], next_page["totalCount"]) == (6, 6)
    assert next_page["pageInfo"] == {
        "hasNextPage": False,
        "endCursor": next_page["pageInfo"]["endCursor"],
    }


async def test_an_item_deleted_before_the_cursor_does_not_shift_the_next_page(
    api_server: ApiServer, mongo_engine: Engine
) -> None:
    # given
    world = await _projects_world(api_server)
    body = await world.call("owner", PROJECTS, org=world.organization, first=2, after=None)
    cursor = body["data"]["projects"]["pageInfo"]["endCursor"]  # after AST, COM

    # when
    client: MongoClient[dict[str, Any]] = MongoClient(mongo_engine.url)
    try:
        deleted = client[TEST_DATABASE]["projects"].delete_one({"code": "AST"})
    finally:
        client.close()
    after = await world.call("owner", PROJECTS, org=world.organization, first=2, after=cursor)

    # then
    assert deleted.deleted_count == 1
    page = after["data"]["projects"]
    assert [e["node"]["code"] for e in page["edges"]] == ["EXO", "GAL"]
    assert page["totalCount"] == 5


async def test_a_database_list_is_paged_in_search_order_each_item_once(
    api_server: ApiServer,
) -> None:
    # given
    world = await make_world(api_server)
    for name in LIBRARY_NAMES:
        saved = await world.call("owner", SAVE_TARGET, org=world.organization, name=name)
        assert saved["data"]["saveLibraryTarget"]["__typename"] == "LibraryTarget", saved

    # when
    pages = await _pages(world, LIBRARY, "libraryTargets", 2, org=world.organization)

    # then
    assert [[e["node"]["name"] for e in page["edges"]] for page in pages] == [
        ["Ring A", "Ring B"],
        ["Ring C", "Alpha Ring"],
        ["Beta Ring"],
    ]
    assert [page["pageInfo"]["hasNextPage"] for page in pages] == [True, True, False]
    assert [page["totalCount"] for page in pages] == [5, 5, 5]


async def test_a_library_target_deleted_before_the_cursor_does_not_shift_the_next_page(
    api_server: ApiServer,
) -> None:
    # given
    world = await make_world(api_server)
    for name in LIBRARY_NAMES:
        await world.call("owner", SAVE_TARGET, org=world.organization, name=name)
    body = await world.call("owner", LIBRARY, org=world.organization, first=3, after=None)
    first_page = body["data"]["libraryTargets"]
    ring_a = first_page["edges"][0]["node"]

    # when
    deleted = await world.call("owner", DELETE_TARGET, org=world.organization, id=ring_a["id"])
    after = await world.call(
        "owner", LIBRARY, org=world.organization, first=3,
        after=first_page["pageInfo"]["endCursor"],
    )  # fmt: skip

    # then
    assert ring_a["name"] == "Ring A"
    assert deleted["data"]["deleteLibraryTarget"]["__typename"] == "Deleted"
    page = after["data"]["libraryTargets"]
    assert [e["node"]["name"] for e in page["edges"]] == LIBRARY_ORDER[3:]
    assert page["pageInfo"]["hasNextPage"] is False
    assert page["totalCount"] == 4


async def test_a_garbage_cursor_or_too_large_a_page_is_bad_input(api_server: ApiServer) -> None:
    # given
    world = await make_world(api_server)
    asks = [
        (PROJECTS, {"org": world.organization, "first": 2, "after": "garbage"}),
        (PROJECTS, {"org": world.organization, "first": 101, "after": None}),
        (PROJECTS, {"org": world.organization, "first": -1, "after": None}),
        (LIBRARY, {"org": world.organization, "first": 2, "after": "bm90IGpzb24="}),
        (LIBRARY, {"org": world.organization, "first": 101, "after": None}),
        (OBSERVATORY_MEMBERS, {"id": world.observatory, "first": 101, "after": None}),
        (OBSERVATORY_MEMBERS, {"id": world.observatory, "first": 1, "after": "%%%"}),
    ]

    # when
    answers = [await world.call("owner", query, **variables) for query, variables in asks]

    # then
    assert [a["errors"][0]["extensions"]["code"] for a in answers] == ["BAD_INPUT"] * len(asks)
