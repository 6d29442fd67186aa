"""Every query field as each kind of role, `node(id:)` for each Node type, and the arguments
that could leak another organization's data: answers as docs/permissions.md says, and a
refused or empty read changes nothing in the database.

The roles and the world are described in `tests/api/matrix/authorization_world.py`. What a role gets
is written as the world's names of what it sees (`observation:matrix`, `["MATRIX", "SIDE"]`):
null or an empty list when it may not see it, a top-level error code where the query refuses.
Cases where the product differs from the documentation are `xfail(strict=True)`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.api.matrix.authorization_world import (
    CREDENTIAL_FAILURES,
    DENIALS,
    KEYS,
    OBSERVATORY_MEMBERS,
    ORGANIZATION_MANAGERS,
    PROJECT_MEMBERS,
    World,
    role_cases,
)
from tests.graphql_client import as_lists

SERVER_INFO = "query { serverInfo { name } }"
ME = "query { me { id } }"
API_KEYS = """query ($org: ID!) {
  apiKeys(organizationId: $org) { edges { node { name } } }
}"""
ORGANIZATIONS = "query { organizations { edges { node { shortName } } } }"
OBSERVATORIES = "query { observatories { edges { node { code } } } }"
OBSERVATORY = "query ($id: ID!) { observatory(id: $id) { code } }"
PROJECTS = """query ($org: ID!) {
  projects(organizationId: $org) { edges { node { code } } }
}"""
RECENT_FRAMES = "query { recentFrames { edges { node { id } } } }"
REGISTRATIONS = "query { observatoryRegistrations { edges { node { code } } } }"
OBSERVATION = "query ($id: ID!) { observation(id: $id) { id } }"
RESOLVE_TARGET = """query ($org: ID!, $name: String!) {
  resolveTarget(organizationId: $org, name: $name) {
    __typename ... on ResolvedTarget { source }
  }
}"""
LIBRARY_TARGETS = """query ($org: ID!) {
  libraryTargets(organizationId: $org) { edges { node { name } } }
}"""
TEMPLATES = """query ($project: ID!) {
  observationTemplates(projectId: $project) { edges { node { name } } }
}"""
OBSERVATIONS = """query ($project: ID) {
  observations(filter: {projectId: $project}) { edges { node { id } } }
}"""
FRAME = "query ($id: ID!) { frame(id: $id) { id } }"
FRAMES = """query ($observation: ID!) {
  frames(observationId: $observation) { edges { node { id } } }
}"""
TARGET_VISIBILITY = """query ($observatory: ID!, $start: DateTime!, $end: DateTime!) {
  targetVisibility(ra: 279.23, dec: 38.78, observatoryId: $observatory, start: $start,
                   end: $end, stepMinutes: 30) { observatoryId }
}"""
NIGHT_PLAN = """query ($observatory: ID!, $night: Date!) {
  nightPlan(observatoryId: $observatory, night: $night) { observatory { code } }
}"""
SCHEDULING_EXPLANATION = """query ($observation: ID!) {
  schedulingExplanation(observationId: $observation) { observatories { observatory { code } } }
}"""
NODE = "query ($id: ID!) { node(id: $id) { __typename id } }"
AUDIT_TRAIL = """query ($entity: String!, $id: ID!) {
  auditTrail(entity: $entity, entityId: $id) { edges { node { entityId } } }
}"""

PEOPLE_AND_KEYS = (
    "admin",
    "owner",
    "org_member",
    *ORGANIZATION_MANAGERS,
    *PROJECT_MEMBERS,
    *OBSERVATORY_MEMBERS,
    "outsider",
    *KEYS,
)
# For reading, a role's kind matters, not its degree: USE or EDIT read what VIEW reads, and a
# manager of one thing reads the organization like any member. So reads are asked of one role
# of each kind, and of the managers where managing decides (API keys, registrations, trails).
READ_ROLES = (
    *CREDENTIAL_FAILURES,
    "admin",
    "owner",
    "org_member",
    "project_viewer",
    "obs_viewer",
    "outsider",
    *KEYS,
)
# For what another organization holds, the roles of `matrix` that might reach too far.
LEAK_ROLES = (*CREDENTIAL_FAILURES, "admin", "owner", "org_member", "outsider", *KEYS)

IN_MATRIX = ("admin", "owner", "org_member", *ORGANIZATION_MANAGERS, *KEYS)
MATRIX_PROJECT_VIEWERS = (*IN_MATRIX, *PROJECT_MEMBERS)
MATRIX_OBSERVATORY_VIEWERS = (*IN_MATRIX, "obs_viewer", "obs_observer", "obs_operator", "obs_admin")


def seen(
    by: Iterable[str],
    value: object,
    *,
    otherwise: object,
    roles: Iterable[str] = READ_ROLES,
    also: Iterable[str] = (),
    **exceptions: object,
) -> dict[str, object]:
    """`value` for the roles in `by`, `otherwise` for the others; no credential, no answer."""
    viewers = set(by)
    table: dict[str, object] = {}
    for role in (*roles, *also):
        if role in CREDENTIAL_FAILURES:
            table[role] = "UNAUTHENTICATED"
        else:
            table[role] = value if role in viewers else otherwise
    table.update(exceptions)
    return table


Variables = Callable[[World], dict[str, object]]
Summary = Callable[[World, Any], object]


def label(world: World, value: Any) -> object:
    return world.label(value["id"])


def labels(world: World, value: Any) -> object:
    return [world.label(node["id"]) for node in as_lists(value)]


def names(key: str) -> Summary:
    def summary(_world: World, value: Any) -> object:
        return [node[key] for node in as_lists(value)]

    return summary


def typename_or(key: str) -> Summary:
    def summary(_world: World, value: Any) -> object:
        found = value.get(key)
        return value["__typename"] if found is None else f"{value['__typename']} from {found}"

    return summary


def single(key: str) -> Summary:
    def summary(_world: World, value: Any) -> object:
        return value[key]

    return summary


def ids(**names_: str) -> Variables:
    def variables(world: World) -> dict[str, object]:
        return {variable: world.ids[name] for variable, name in names_.items()}

    return variables


def no_variables(_world: World) -> dict[str, object]:
    return {}


def _visibility_window(world: World) -> dict[str, object]:
    start = datetime.now(UTC).replace(microsecond=0)
    return {
        "observatory": world.observatory,
        "start": start.isoformat(),
        "end": (start + timedelta(hours=2)).isoformat(),
    }


def _tonight(world: World) -> dict[str, object]:
    return {"observatory": world.observatory, "night": datetime.now(UTC).date().isoformat()}


def _user_node(world: World) -> dict[str, object]:
    return {"id": world.user_ids["org_member"]}


def _trail_of(entity: str, name: str) -> Variables:
    def variables(world: World) -> dict[str, object]:
        known = world.user_ids[name] if entity == "user" else world.ids[name]
        return {"entity": entity, "id": known}

    return variables


def entities(world: World, value: Any) -> object:
    """Whose entries the trail holds (each once): proves it is that entity's and not empty."""
    return sorted({str(world.label(node["entityId"])) for node in as_lists(value)})


@dataclass(frozen=True)
class Query:
    name: str
    field: str
    document: str
    variables: Variables
    summary: Summary
    expected: Mapping[str, object]


ELSEWHERE_ONLY = ("admin", "outsider")
ME_TABLE: dict[str, object] = {  # every role: each is someone else
    "anonymous": "null",
    "expired": "UNAUTHENTICATED",
    "revoked_key": "UNAUTHENTICATED",
    **{role: f"user:{role}" for role in PEOPLE_AND_KEYS if role not in KEYS},
    **dict.fromkeys(KEYS, "user:owner"),
}

QUERIES = (
    Query(
        "serverInfo", "serverInfo", SERVER_INFO, no_variables, single("name"),
        dict.fromkeys(READ_ROLES, "Science Scheduler"),
    ),
    Query("me", "me", ME, no_variables, label, ME_TABLE),
    Query(
        "apiKeys", "apiKeys", API_KEYS, ids(org="organization:matrix"), names("name"),
        seen(
            ("admin", "owner", "members_manager"), ["read", "write", "revoked"],
            otherwise="NOT_FOUND", also=("members_manager", "projects_manager"),
            **dict.fromkeys(
                ("org_member", "projects_manager", *KEYS), "FORBIDDEN"
            ),
        ),
    ),
    Query(
        "apiKeys-of-another-organization", "apiKeys", API_KEYS,
        ids(org="organization:elsewhere"), names("name"),
        seen(ELSEWHERE_ONLY, ["elsewhere script"], otherwise="NOT_FOUND", roles=LEAK_ROLES),
    ),
    Query(
        "organizations", "organizations", ORGANIZATIONS, no_variables, names("shortName"),
        seen(
            IN_MATRIX, ["matrix"], otherwise=[],
            admin=["elsewhere", "matrix"], outsider=["elsewhere"],
        ),
    ),
    Query(
        "observatories", "observatories", OBSERVATORIES, no_variables, names("code"),
        seen(
            MATRIX_OBSERVATORY_VIEWERS, ["matrix-obs"], otherwise=[],
            also=("obs_operator_no_view",),
            admin=["elsewhere-obs", "matrix-obs"], outsider=["elsewhere-obs"],
        ),
    ),
    Query(
        "observatory", "observatory", OBSERVATORY, ids(id="observatory:matrix-obs"),
        single("code"),
        seen(
            MATRIX_OBSERVATORY_VIEWERS, "matrix-obs", otherwise="null",
            also=("obs_operator_no_view",),
        ),
    ),
    Query(
        "observatory-of-another-organization", "observatory", OBSERVATORY,
        ids(id="observatory:elsewhere-obs"), single("code"),
        seen(ELSEWHERE_ONLY, "elsewhere-obs", otherwise="null", roles=LEAK_ROLES),
    ),
    Query(
        "projects", "projects", PROJECTS, ids(org="organization:matrix"), names("code"),
        seen(
            IN_MATRIX, ["MATRIX", "SIDE"], otherwise=[],
            project_viewer=["MATRIX"],
        ),
    ),
    Query(
        "projects-of-another-organization", "projects", PROJECTS,
        ids(org="organization:elsewhere"), names("code"),
        seen(ELSEWHERE_ONLY, ["ELSEWHERE"], otherwise=[], roles=LEAK_ROLES),
    ),
    Query(
        "recentFrames", "recentFrames", RECENT_FRAMES, no_variables, labels,
        seen(
            MATRIX_PROJECT_VIEWERS, ["frame:matrix"], otherwise=[],
            admin=["frame:elsewhere", "frame:matrix"], outsider=["frame:elsewhere"],
        ),
    ),
    Query(
        "observatoryRegistrations", "observatoryRegistrations", REGISTRATIONS, no_variables,
        names("code"),
        seen(
            ("admin", "owner", "observatories_manager", "outsider"), ["pending-reg"],
            otherwise=[], also=("members_manager", "observatories_manager", "obs_admin"),
        ),
    ),
    # docs/permissions.md "auditTrail": administrators as themselves; for an organization's
    # things its owner and MANAGE_MEMBERS holders (a key needs manage_members); your account.
    Query(
        "auditTrail", "auditTrail", AUDIT_TRAIL, _trail_of("observation", "observation:matrix"),
        entities,
        seen(
            ("admin", "owner", "members_manager"), ["observation:matrix"], otherwise=[],
            also=("members_manager", "projects_manager"),
        ),
    ),
    Query(
        "auditTrail-of-another-organization", "auditTrail", AUDIT_TRAIL,
        _trail_of("organization", "organization:elsewhere"), entities,
        seen(ELSEWHERE_ONLY, ["organization:elsewhere"], otherwise=[], roles=LEAK_ROLES),
    ),
    Query(
        "auditTrail-of-an-account", "auditTrail", AUDIT_TRAIL, _trail_of("user", "org_member"),
        entities,
        seen(("admin", "org_member"), ["user:org_member"], otherwise=[], roles=LEAK_ROLES),
    ),
    Query(
        "observation", "observation", OBSERVATION, ids(id="observation:matrix"), label,
        seen(MATRIX_PROJECT_VIEWERS, "observation:matrix", otherwise="null"),
    ),
    Query(
        "observation-of-another-organization", "observation", OBSERVATION,
        ids(id="observation:elsewhere"), label,
        seen(ELSEWHERE_ONLY, "observation:elsewhere", otherwise="null", roles=LEAK_ROLES),
    ),
    Query(
        "resolveTarget", "resolveTarget", RESOLVE_TARGET,
        lambda w: {"org": w.organization, "name": "Matrix target"}, typename_or("source"),
        seen(IN_MATRIX, "ResolvedTarget from library", otherwise="NotFound"),
    ),
    Query(
        "resolveTarget-of-another-organization", "resolveTarget", RESOLVE_TARGET,
        lambda w: {"org": w.ids["organization:elsewhere"], "name": "Elsewhere target"},
        typename_or("source"),
        seen(
            ELSEWHERE_ONLY, "ResolvedTarget from library", otherwise="NotFound",
            roles=LEAK_ROLES,
        ),
    ),
    Query(
        "libraryTargets", "libraryTargets", LIBRARY_TARGETS, ids(org="organization:matrix"),
        names("name"), seen(IN_MATRIX, ["Matrix target"], otherwise="NOT_FOUND"),
    ),
    Query(
        "libraryTargets-of-another-organization", "libraryTargets", LIBRARY_TARGETS,
        ids(org="organization:elsewhere"), names("name"),
        seen(ELSEWHERE_ONLY, ["Elsewhere target"], otherwise="NOT_FOUND", roles=LEAK_ROLES),
    ),
    Query(
        "observationTemplates", "observationTemplates", TEMPLATES,
        ids(project="project:MATRIX"), names("name"),
        seen(MATRIX_PROJECT_VIEWERS, ["Matrix template"], otherwise="NOT_FOUND"),
    ),
    Query(
        "observationTemplates-of-another-organization", "observationTemplates", TEMPLATES,
        ids(project="project:ELSEWHERE"), names("name"),
        seen(ELSEWHERE_ONLY, ["Elsewhere template"], otherwise="NOT_FOUND", roles=LEAK_ROLES),
    ),
    Query(
        "observations", "observations", OBSERVATIONS, lambda _w: {"project": None}, labels,
        seen(
            MATRIX_PROJECT_VIEWERS, ["observation:matrix"], otherwise=[],
            admin=["observation:elsewhere", "observation:matrix"],
            outsider=["observation:elsewhere"],
        ),
    ),
    Query(
        "observations-of-a-project", "observations", OBSERVATIONS,
        ids(project="project:MATRIX"), labels,
        seen(MATRIX_PROJECT_VIEWERS, ["observation:matrix"], otherwise=[]),
    ),
    Query(
        "observations-of-another-organizations-project", "observations", OBSERVATIONS,
        ids(project="project:ELSEWHERE"), labels,
        seen(ELSEWHERE_ONLY, ["observation:elsewhere"], otherwise=[], roles=LEAK_ROLES),
    ),
    Query(
        "frame", "frame", FRAME, ids(id="frame:matrix"), label,
        seen(MATRIX_PROJECT_VIEWERS, "frame:matrix", otherwise="null"),
    ),
    Query(
        "frame-of-another-organization", "frame", FRAME, ids(id="frame:elsewhere"), label,
        seen(ELSEWHERE_ONLY, "frame:elsewhere", otherwise="null", roles=LEAK_ROLES),
    ),
    Query(
        "frames", "frames", FRAMES, ids(observation="observation:matrix"), labels,
        seen(MATRIX_PROJECT_VIEWERS, ["frame:matrix"], otherwise="NOT_FOUND"),
    ),
    Query(
        "frames-of-another-organization", "frames", FRAMES,
        ids(observation="observation:elsewhere"), labels,
        seen(ELSEWHERE_ONLY, ["frame:elsewhere"], otherwise="NOT_FOUND", roles=LEAK_ROLES),
    ),
    Query(
        "targetVisibility", "targetVisibility", TARGET_VISIBILITY, _visibility_window,
        lambda w, value: w.label(value["observatoryId"]),
        seen(
            MATRIX_OBSERVATORY_VIEWERS, "observatory:matrix-obs", otherwise="null",
            also=("obs_operator_no_view",),
        ),
    ),
    Query(
        "nightPlan", "nightPlan", NIGHT_PLAN, _tonight,
        lambda _w, value: value["observatory"]["code"],
        seen(
            MATRIX_OBSERVATORY_VIEWERS, "matrix-obs", otherwise="null",
            also=("obs_operator_no_view",),
        ),
    ),
    Query(
        "schedulingExplanation", "schedulingExplanation", SCHEDULING_EXPLANATION,
        ids(observation="observation:matrix"),
        lambda _w, value: [e["observatory"]["code"] for e in value["observatories"]],
        # Its observatories are those of the organization that you may see.
        seen(
            MATRIX_PROJECT_VIEWERS, ["matrix-obs"], otherwise="null",
            project_viewer=[],
        ),
    ),
)  # fmt: skip

NODE_ROLES = (
    *CREDENTIAL_FAILURES,
    "admin",
    "owner",
    "org_member",
    "project_viewer",
    "obs_viewer",
    "outsider",
    "read_key",
)
NODES = (
    Query(
        "node-Organization", "node", NODE, ids(id="organization:matrix"), label,
        seen(IN_MATRIX, "organization:matrix", otherwise="null", roles=NODE_ROLES),
    ),
    Query(
        "node-Project", "node", NODE, ids(id="project:MATRIX"), label,
        seen(MATRIX_PROJECT_VIEWERS, "project:MATRIX", otherwise="null", roles=NODE_ROLES),
    ),
    Query(
        "node-Observatory", "node", NODE, ids(id="observatory:matrix-obs"), label,
        seen(
            MATRIX_OBSERVATORY_VIEWERS, "observatory:matrix-obs", otherwise="null",
            roles=NODE_ROLES,
        ),
    ),
    Query(
        "node-Observation", "node", NODE, ids(id="observation:matrix"), label,
        seen(
            MATRIX_PROJECT_VIEWERS, "observation:matrix", otherwise="null", roles=NODE_ROLES
        ),
    ),
    Query(
        "node-Frame", "node", NODE, ids(id="frame:matrix"), label,
        seen(MATRIX_PROJECT_VIEWERS, "frame:matrix", otherwise="null", roles=NODE_ROLES),
    ),
    # Only yourself: other people appear through member lists. Asking as nobody is asking
    # for nobody (null), as `me` answers.
    Query(
        "node-User", "node", NODE, _user_node, label,
        seen(
            ("org_member",), "user:org_member", otherwise="null", roles=NODE_ROLES,
            anonymous="null",
        ),
    ),
)  # fmt: skip


def query_outcome(world: World, query: Query, body: Mapping[str, Any]) -> object:
    if body.get("errors"):
        return str(body["errors"][0].get("extensions", {}).get("code", "ERROR"))
    value = body["data"][query.field]
    return "null" if value is None else query.summary(world, value)


def _denied(expected: object) -> bool:
    return expected == [] or (isinstance(expected, str) and expected in DENIALS)


def _cases(queries: Iterable[Query]) -> Iterator[Any]:
    for query in queries:
        yield from role_cases(query, query.expected.items(), _denied)


def test_every_query_field_of_the_schema_is_in_the_matrix() -> None:
    # given
    schema = (Path(__file__).parents[3] / "schema.graphql").read_text()
    queries = schema.split("type Query {", 1)[1].split("\n}", 1)[0]

    # when
    fields = set(re.findall(r"^  (\w+)[(:]", queries, flags=re.MULTILINE))

    # then
    assert {query.field for query in (*QUERIES, *NODES)} == fields
    assert len(fields) == 21


@pytest.mark.parametrize(("query", "role", "expected"), _cases((*QUERIES, *NODES)))
async def test_a_query_answers_each_role_as_documented(
    world: World, query: Query, role: str, expected: object
) -> None:
    # given
    variables = query.variables(world)
    before = world.fingerprint() if _denied(expected) else None

    # when
    body = await world.call(query.document, role, **variables)

    # then
    assert query_outcome(world, query, body) == expected, body
    if before is not None:
        assert world.fingerprint() == before, "the refused read changed the database"
