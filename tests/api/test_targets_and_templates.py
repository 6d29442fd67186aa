"""Target lookup, the organization's library, and templates through the API."""

from __future__ import annotations

from typing import Any

from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, ApiServer
from tests.graphql_client import as_lists, graphql_http

LOGIN = """mutation ($email: String!, $password: String!) {
  login(input: {email: $email, password: $password}) { ... on LoginSuccess { accessToken } }
}"""
SETUP = """mutation {
  createOrganization(input: {name: "Lib", shortName: "lib-org"}) { ... on Organization { id } }
}"""
PROJECT = """mutation ($org: ID!) {
  createProject(input: {organizationId: $org, name: "Lib", code: "LIB"}) { ... on Project { id } }
}"""
RESOLVE = """query ($org: ID!, $name: String!) {
  resolveTarget(organizationId: $org, name: $name) {
    __typename
    ... on ResolvedTarget { name raHms decDms objectType catalogueIds source }
    ... on NotFound { message }
  }
}"""
SAVE = """mutation ($org: ID!, $name: String!, $ra: String!, $dec: String!) {
  saveLibraryTarget(input: {organizationId: $org, name: $name, ra: $ra, dec: $dec}) {
    __typename
    ... on LibraryTarget { name raDeg decDeg }
    ... on ValidationError { fields { path message } }
    ... on Conflict { message }
  }
}"""
SEARCH = """query ($org: ID!, $search: String!) {
  libraryTargets(organizationId: $org, search: $search) { edges { node { name } } }
}"""
OBSERVE = """mutation ($project: ID!, $name: String!) {
  createObservation(input: {projectId: $project, name: "By name", targets: [{name: $name,
    exposures: [{filter: "Ha", exposureS: 300, count: 12}]}]}) {
    __typename
    ... on Observation { id targets { name raDeg decDeg resolvedBy } }
    ... on ValidationError { fields { path message } }
  }
}"""
SAVE_TEMPLATE = """mutation ($id: ID!) {
  saveObservationTemplate(input: {observationId: $id, name: "Ha mosaic"}) {
    __typename ... on ObservationTemplate { id name }
  }
}"""
FROM_TEMPLATE = """mutation ($template: ID!) {
  createObservationFromTemplate(input: {templateId: $template, name: "Ha again"}) {
    __typename
    ... on Observation { name state targets { name raDeg exposures { filter count accepted } } }
  }
}"""


class Session:
    def __init__(self, server: ApiServer, token: str) -> None:
        self.server, self.token = server, token

    async def __call__(self, query: str, **variables: object) -> dict[str, Any]:
        body = await graphql_http(self.server.base_url, query, token=self.token, **variables)
        assert "errors" not in body, body
        data: dict[str, Any] = body["data"]
        return data


async def _session(server: ApiServer) -> tuple[Session, str, str]:
    login = await graphql_http(server.base_url, LOGIN, email=ADMIN_EMAIL, password=ADMIN_PASSWORD)
    call = Session(server, login["data"]["login"]["accessToken"])
    org = (await call(SETUP))["createOrganization"]["id"]
    project = (await call(PROJECT, org=org))["createProject"]["id"]
    return call, org, project


async def test_names_resolve_offline_and_unknown_ones_say_so(api_server: ApiServer) -> None:
    # given
    call, org, _ = await _session(api_server)

    # when
    m42 = (await call(RESOLVE, org=org, name="M 42"))["resolveTarget"]
    unknown = (await call(RESOLVE, org=org, name="Planet X"))["resolveTarget"]

    # then
    assert m42["catalogueIds"] == ["M42", "NGC1976"]
    assert m42["raHms"].startswith("05:35:")
    assert m42["decDms"].startswith("-05:2")
    assert m42["source"] == "OpenNGC"
    assert unknown == {"__typename": "NotFound", "message": "no target 'Planet X' visible to you"}


async def test_the_library_comes_before_the_catalogue_and_rejects_bad_coordinates(
    api_server: ApiServer,
) -> None:
    # given
    call, org, project = await _session(api_server)
    saved = await call(SAVE, org=org, name="My Comet Field", ra="05:00:00", dec="+10:30:00")

    # when
    bad = (await call(SAVE, org=org, name="Bad", ra="25:00:00", dec="+95"))["saveLibraryTarget"]
    duplicate = await call(SAVE, org=org, name="my comet field", ra="1", dec="1")
    found = (await call(SEARCH, org=org, search="comet"))["libraryTargets"]
    observed = (await call(OBSERVE, project=project, name="My Comet Field"))["createObservation"]

    # then
    assert saved["saveLibraryTarget"] == {
        "__typename": "LibraryTarget",
        "name": "My Comet Field",
        "raDeg": 75.0,
        "decDeg": 10.5,
    }
    assert bad["__typename"] == "ValidationError"
    assert [f["path"] for f in bad["fields"]] == [["ra"], ["dec"]]
    assert duplicate["saveLibraryTarget"]["__typename"] == "Conflict"
    assert as_lists(found) == [{"name": "My Comet Field"}]
    assert observed["targets"] == [
        {"name": "My Comet Field", "raDeg": 75.0, "decDeg": 10.5, "resolvedBy": "library"}
    ]


async def test_an_unknown_target_name_is_a_validation_error_on_that_field(
    api_server: ApiServer,
) -> None:
    # given
    call, _, project = await _session(api_server)

    # when
    result = (await call(OBSERVE, project=project, name="Nowhere 1"))["createObservation"]

    # then
    assert result["__typename"] == "ValidationError"
    assert [f["path"] for f in result["fields"]] == [["targets", "0", "name"]]


async def test_a_template_reproduces_the_plan_without_the_progress(api_server: ApiServer) -> None:
    # given
    call, _, project = await _session(api_server)
    source = (await call(OBSERVE, project=project, name="NGC 7000"))["createObservation"]
    template = (await call(SAVE_TEMPLATE, id=source["id"]))["saveObservationTemplate"]

    # when
    copy = (await call(FROM_TEMPLATE, template=template["id"]))["createObservationFromTemplate"]

    # then
    assert template["name"] == "Ha mosaic"
    assert copy["name"] == "Ha again"
    assert copy["state"] == "PENDING"
    assert copy["targets"][0]["name"] == "NGC 7000"
    assert copy["targets"][0]["raDeg"] == source["targets"][0]["raDeg"]
    assert copy["targets"][0]["exposures"] == [{"filter": "Ha", "count": 12, "accepted": 0}]


TWO_TARGETS = """mutation ($project: ID!) {
  createObservation(input: {projectId: $project, name: "Two", targets: [
    {name: "Nowhere 1", exposures: [{filter: "L", exposureS: 10, count: 1}]},
    {name: "M31", exposures: [{filter: "L", exposureS: 10, count: 0}]}]}) {
    __typename ... on ValidationError { fields { path } }
  }
}"""


async def test_each_problem_is_reported_at_the_index_of_its_requested_target(
    api_server: ApiServer,
) -> None:
    # given
    call, _, project = await _session(api_server)

    # when
    result = (await call(TWO_TARGETS, project=project))["createObservation"]

    # then
    assert result == {
        "__typename": "ValidationError",
        "fields": [
            {"path": ["targets", "0", "name"]},
            {"path": ["targets", "1", "exposures", "0", "count"]},
        ],
    }
