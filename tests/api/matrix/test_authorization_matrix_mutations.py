"""Every mutation × every role that matters to it: outcomes as docs/permissions.md says, and a
denied mutation changes nothing in the database.

The roles and the world are described in `tests/api/matrix/authorization_world.py`. Each operation
names who may do it (the success type), who sees its target but may not (`Forbidden`), and who
cannot see it (`NotFound`); *anonymous*, *expired* and *revoked key* are refused with the
top-level error `UNAUTHENTICATED` everywhere a credential is needed. Cases where the product
differs from the documentation are marked `xfail(strict=True)` with the reason.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.api.matrix.authorization_world import (
    CREATE_OBSERVATION,
    CREDENTIAL_FAILURES,
    DENIALS,
    ORGANIZATION_MANAGERS,
    PASSWORD,
    PROJECT_MEMBERS,
    World,
    outcome,
    role_cases,
)

Prepare = Callable[[World, str, bool], Awaitable[dict[str, object]]]

LOGIN = """mutation ($email: String!, $password: String!) {
  login(input: {email: $email, password: $password}) { __typename }
}"""
REFRESH_TOKEN = """mutation ($token: String!) {
  refreshToken(input: {refreshToken: $token}) { __typename }
}"""
LOGOUT = """mutation ($token: String!) {
  logout(input: {refreshToken: $token}) { __typename }
}"""
CHANGE_PASSWORD = """mutation ($current: String!, $new: String!) {
  changePassword(input: {currentPassword: $current, newPassword: $new}) { __typename }
}"""
CREATE_API_KEY = """mutation ($org: ID!, $name: String!) {
  createApiKey(input: {organizationId: $org, name: $name, permissions: [READ]}) { __typename }
}"""
REVOKE_API_KEY = """mutation ($id: ID!) { revokeApiKey(input: {id: $id}) { __typename } }"""
CREATE_ORGANIZATION = """mutation ($short: String!) {
  createOrganization(input: {name: $short, shortName: $short}) { __typename }
}"""
CREATE_USER = """mutation ($email: String!) {
  createUser(input: {email: $email, password: "a long enough password"}) { __typename }
}"""
SET_ORGANIZATION_MEMBER = """mutation ($org: ID!, $user: ID!) {
  setOrganizationMember(input: {organizationId: $org, userId: $user, permissions: []}) {
    __typename
  }
}"""
SET_PROJECT_MEMBER = """mutation ($project: ID!, $user: ID!) {
  setProjectMember(input: {projectId: $project, userId: $user, permissions: [VIEW]}) {
    __typename
  }
}"""
SET_OBSERVATORY_MEMBER = """mutation ($observatory: ID!, $user: ID!) {
  setObservatoryMember(input: {observatoryId: $observatory, userId: $user,
                               permissions: [VIEW]}) { __typename }
}"""
CREATE_PROJECT = """mutation ($org: ID!, $code: String!) {
  createProject(input: {organizationId: $org, name: "Another project", code: $code}) {
    __typename
  }
}"""
REGISTER_OBSERVATORY = """mutation ($org: ID!, $code: String!) {
  registerObservatory(input: {organizationId: $org, name: "Another scope", code: $code,
    location: {latitudeDeg: 52, longitudeDeg: 5}}) { __typename }
}"""
UPDATE_OBSERVATION = """mutation ($id: ID!) {
  updateObservation(input: {id: $id, name: "Deneb instead", targets: [{name: "Deneb",
    ra: "20:41:25.9", dec: "+45:16:49", exposures: [{filter: "L", exposureS: 5, count: 2}]}]}) {
    __typename
  }
}"""
SUBMIT_OBSERVATION = """mutation ($id: ID!) {
  submitObservation(input: {id: $id}) { __typename }
}"""
CANCEL_OBSERVATION = """mutation ($id: ID!) {
  cancelObservation(input: {id: $id}) { __typename }
}"""
RESUBMIT_OBSERVATION = """mutation ($id: ID!) {
  resubmitObservation(input: {id: $id}) { __typename }
}"""
REPROCESS_FRAME = """mutation ($id: ID!) { reprocessFrame(input: {id: $id}) { __typename } }"""
OVERRIDE_FRAME_GRADE = """mutation ($id: ID!) {
  overrideFrameGrade(input: {id: $id, accepted: false, reason: "trails on inspection"}) {
    __typename
  }
}"""
SAVE_LIBRARY_TARGET = """mutation ($org: ID!, $name: String!) {
  saveLibraryTarget(input: {organizationId: $org, name: $name, ra: "1.5", dec: "2.5"}) {
    __typename
  }
}"""
DELETE_LIBRARY_TARGET = """mutation ($org: ID!, $id: ID!) {
  deleteLibraryTarget(input: {organizationId: $org, id: $id}) { __typename }
}"""
SAVE_OBSERVATION_TEMPLATE = """mutation ($observation: ID!, $name: String!) {
  saveObservationTemplate(input: {observationId: $observation, name: $name}) { __typename }
}"""
CREATE_OBSERVATION_FROM_TEMPLATE = """mutation ($template: ID!) {
  createObservationFromTemplate(input: {templateId: $template}) { __typename }
}"""
SET_DISPATCH_ENABLED = """mutation ($observatory: ID!) {
  setDispatchEnabled(input: {observatoryId: $observatory, enabled: true}) { __typename }
}"""
SET_OBSERVATORY_MAINTENANCE = """mutation ($observatory: ID!) {
  setObservatoryMaintenance(input: {observatoryId: $observatory, enabled: false}) {
    __typename
  }
}"""
CREATE_RESERVATION = """mutation ($observatory: ID!, $start: DateTime!, $end: DateTime!) {
  createReservation(input: {observatoryId: $observatory, title: "Blocked", purpose: "tests",
    contact: "owner@example.org", start: $start, end: $end}) { __typename }
}"""
CANCEL_RESERVATION = """mutation ($id: ID!) {
  cancelReservation(input: {id: $id, reason: "no longer needed"}) { __typename }
}"""
APPROVE_REGISTRATION = """mutation ($registration: ID!, $org: ID!) {
  approveObservatoryRegistration(input: {registrationId: $registration,
                                         organizationId: $org}) { __typename }
}"""
REJECT_REGISTRATION = """mutation ($registration: ID!, $org: ID!) {
  rejectObservatoryRegistration(input: {registrationId: $registration, organizationId: $org,
                                        reason: "unknown to us"}) { __typename }
}"""
UPDATE_OBSERVATORY = """mutation ($id: ID!) {
  updateObservatory(input: {id: $id, location: {latitudeDeg: 52, longitudeDeg: 5}}) {
    __typename
  }
}"""
RESET_FINGERPRINT = """mutation ($observatory: ID!) {
  resetObservatoryFingerprint(input: {observatoryId: $observatory}) { __typename }
}"""
ROTATE_OBSERVATORY_KEY = """mutation ($observatory: ID!) {
  rotateObservatoryKey(input: {observatoryId: $observatory}) { __typename }
}"""


@dataclass(frozen=True)
class Access:
    """Who may do something, who sees its target but may not, and who cannot see it."""

    allowed: tuple[str, ...]
    forbidden: tuple[str, ...]
    hidden: tuple[str, ...]

    def outcomes(self, success: str) -> dict[str, str]:
        table = dict.fromkeys(CREDENTIAL_FAILURES, "UNAUTHENTICATED")
        table |= dict.fromkeys(self.allowed, success)
        table |= dict.fromkeys(self.forbidden, "Forbidden")
        table |= dict.fromkeys(self.hidden, "NotFound")
        return table


ORG_ROLES = ("org_member", *ORGANIZATION_MANAGERS)

# A project's permissions, on MATRIX (§ "How paths combine", "For a project").
PROJECT_USE = Access(
    allowed=("admin", "owner", *ORG_ROLES, "project_user", "project_editor", "write_key"),
    forbidden=("project_viewer", "read_key"),
    hidden=("obs_viewer", "outsider"),
)
PROJECT_EDIT = Access(
    allowed=("admin", "owner", "projects_manager", "project_editor", "write_key"),
    forbidden=(
        "org_member", "members_manager", "observatories_manager", "project_viewer",
        "project_user", "read_key",
    ),
    hidden=("obs_viewer", "outsider"),
)  # fmt: skip
PROJECT_MANAGE_MEMBERS = Access(
    allowed=("admin", "owner", "projects_manager"),
    forbidden=(
        "org_member", "members_manager", "observatories_manager", *PROJECT_MEMBERS,
        "read_key", "write_key",
    ),
    hidden=("obs_viewer", "outsider"),
)  # fmt: skip

# An observatory's permissions, on matrix-obs (independent, not a ladder; no VIEW, no sight).
_OBSERVATORY_HIDDEN = ("obs_operator_no_view", "project_user", "outsider")
OBSERVATORY_OPERATE = Access(
    allowed=("admin", "owner", "observatories_manager", "obs_operator"),
    forbidden=(
        "org_member", "members_manager", "projects_manager", "obs_viewer", "obs_observer",
        "obs_admin", "read_key", "write_key",
    ),
    hidden=_OBSERVATORY_HIDDEN,
)  # fmt: skip
OBSERVATORY_ADMIN = Access(
    allowed=("admin", "owner", "observatories_manager", "obs_admin"),
    forbidden=(
        "org_member", "members_manager", "projects_manager", "obs_viewer", "obs_observer",
        "obs_operator", "read_key", "write_key",
    ),
    hidden=_OBSERVATORY_HIDDEN,
)  # fmt: skip

# An organization's permissions, in matrix (direct project/observatory members are not in it).
_ORGANIZATION_HIDDEN = ("project_viewer", "obs_viewer", "outsider")
ORGANIZATION_WORK = Access(
    allowed=("admin", "owner", *ORG_ROLES, "write_key"),
    forbidden=("read_key",),
    hidden=_ORGANIZATION_HIDDEN,
)


def organization_manager(manager: str) -> Access:
    return Access(
        allowed=("admin", "owner", manager),
        forbidden=(
            *(role for role in ORG_ROLES if role != manager),
            "read_key",
            "write_key",
        ),
        hidden=_ORGANIZATION_HIDDEN,
    )


# Only a person may do these: API keys are refused before anything is looked at.
_PEOPLE_HERE = ("owner", *ORG_ROLES, "project_viewer", "obs_viewer", "outsider")
_KEYS_REFUSED = dict.fromkeys(("read_key", "write_key"), "FORBIDDEN")
SITE_ADMIN_ONLY = {
    **dict.fromkeys(CREDENTIAL_FAILURES, "UNAUTHENTICATED"),
    "admin": "User",
    **dict.fromkeys(_PEOPLE_HERE, "Forbidden"),
    **_KEYS_REFUSED,
}
ANY_PERSON = {
    **dict.fromkeys(CREDENTIAL_FAILURES, "UNAUTHENTICATED"),
    **dict.fromkeys(("admin", *_PEOPLE_HERE), "Organization"),
    **_KEYS_REFUSED,
}
# The key's creator or whoever manages members (docs/graphql.md "API keys"); the target is a
# key the owner created, so a key acting for the owner is not its creator.
REVOKE_KEY = Access(
    allowed=("admin", "owner", "members_manager"),
    forbidden=("org_member", "projects_manager", "observatories_manager", "read_key", "write_key"),
    hidden=_ORGANIZATION_HIDDEN,
)

# No credential needed: the bearer header is not looked at, the secret in the input decides.
NO_CREDENTIAL_ROLES = (*CREDENTIAL_FAILURES, "outsider", "read_key")


@dataclass(frozen=True)
class Operation:
    name: str
    field: str
    document: str
    expected: Mapping[str, str]
    prepare: Prepare


# -- preparations: the variables of one call. `fresh` asks for a target of its own when the
# call may succeed and use it up; a denied call shares one (it changes nothing).


def fixed(**variables: Callable[[World], object]) -> Prepare:
    async def prepare(world: World, _role: str, _fresh: bool) -> dict[str, object]:
        return {name: value(world) for name, value in variables.items()}

    return prepare


async def _once(world: World, name: str, make: Callable[[], Awaitable[str]]) -> str:
    if name not in world.ids:
        world.ids[name] = await make()
    return world.ids[name]


async def _login_as_viewer(world: World, _role: str, _fresh: bool) -> dict[str, object]:
    return {"email": world.email("project_viewer"), "password": PASSWORD}


async def _wrong_password(world: World, _role: str, _fresh: bool) -> dict[str, object]:
    return {"email": world.email("project_viewer"), "password": "not the password"}


async def _fresh_refresh_token(world: World, _role: str, _fresh: bool) -> dict[str, object]:
    return {"token": (await world.login(world.email("project_viewer")))["refreshToken"]}


async def _unknown_refresh_token(_world: World, _role: str, _fresh: bool) -> dict[str, object]:
    return {"token": "not-a-refresh-token-we-issued"}


async def _own_password(_world: World, _role: str, _fresh: bool) -> dict[str, object]:
    return {"current": PASSWORD, "new": PASSWORD}


async def _wrong_current_password(_world: World, _role: str, _fresh: bool) -> dict[str, object]:
    return {"current": "not the password", "new": PASSWORD}


async def _key_name(world: World, _role: str, _fresh: bool) -> dict[str, object]:
    return {"org": world.organization, "name": world.unique("key")}


async def _owners_key(world: World, _role: str, fresh: bool) -> dict[str, object]:
    async def make() -> str:
        created = await world.api_key(world.unique("to revoke"), ["READ"])
        return str(created["apiKey"]["id"])

    return {"id": await make() if fresh else await _once(world, "api-key:kept", make)}


async def _short_name(world: World, _role: str, _fresh: bool) -> dict[str, object]:
    return {"short": world.unique("org")}


async def _email(world: World, _role: str, _fresh: bool) -> dict[str, object]:
    return {"email": f"{world.unique('new')}@example.org"}


async def _project_code(world: World, _role: str, _fresh: bool) -> dict[str, object]:
    return {"org": world.organization, "code": world.unique("P").upper()}


async def _observatory_code(world: World, _role: str, _fresh: bool) -> dict[str, object]:
    return {"org": world.organization, "code": world.unique("obs")}


async def _new_observation(world: World, _role: str, _fresh: bool) -> dict[str, object]:
    return {"project": world.project, "name": "Vega", "submit": True}


def _creator(role: str) -> str:
    """Who creates "your own" observation: you, or the owner whom a dead credential (or a key
    without USE) stands for."""
    return role if role in ("org_member", "project_user", "write_key") else "owner"


def _observation(whose: Callable[[str], str], *, draft: bool) -> Prepare:
    async def prepare(world: World, role: str, fresh: bool) -> dict[str, object]:
        creator = whose(role)

        async def make() -> str:
            return await world.observation_by(creator, world.project, submit=not draft)

        kept = f"observation:{creator}:{'draft' if draft else 'pending'}"
        return {"id": await make() if fresh else await _once(world, kept, make)}

    return prepare


def _author(_role: str) -> str:
    return "author"


async def _finished_observation(world: World, _role: str, _fresh: bool) -> dict[str, object]:
    async def make() -> str:
        return await world.cancelled_observation_by("author")

    return {"id": await _once(world, "observation:finished", make)}


async def _frame(world: World, _role: str, fresh: bool) -> dict[str, object]:
    if fresh:
        return {"id": world.frame_of("observation:matrix", "project:MATRIX")}
    return {"id": world.ids["frame:matrix"]}


async def _target_name(world: World, _role: str, _fresh: bool) -> dict[str, object]:
    return {"org": world.organization, "name": world.unique("Saved")}


async def _library_target(world: World, _role: str, fresh: bool) -> dict[str, object]:
    target = await world.library_target() if fresh else world.ids["target:matrix"]
    return {"org": world.organization, "id": target}


async def _template_name(world: World, _role: str, _fresh: bool) -> dict[str, object]:
    return {"observation": world.observation, "name": world.unique("Plan")}


async def _reservation_slot(world: World, _role: str, _fresh: bool) -> dict[str, object]:
    start = datetime.now(UTC) + timedelta(days=60 + world.counter)
    world.counter += 1
    return {
        "observatory": world.observatory,
        "start": start.isoformat(),
        "end": (start + timedelta(hours=1)).isoformat(),
    }


async def _reservation(world: World, _role: str, fresh: bool) -> dict[str, object]:
    return {"id": await world.reservation() if fresh else world.ids["reservation:matrix"]}


async def _registration(world: World, _role: str, fresh: bool) -> dict[str, object]:
    if fresh:
        registration = world.pending_registration(world.unique("reg"))
    else:
        registration = world.ids["registration:pending"]
    return {"registration": registration, "org": world.organization}


OBSERVATORY = fixed(observatory=lambda world: world.observatory)


OPERATIONS = (
    Operation(
        "login", "login", LOGIN,
        dict.fromkeys(NO_CREDENTIAL_ROLES, "LoginSuccess"), _login_as_viewer,
    ),
    Operation(
        "login-with-a-wrong-password", "login", LOGIN,
        dict.fromkeys(("anonymous", "owner"), "InvalidCredentials"), _wrong_password,
    ),
    Operation(
        "refreshToken", "refreshToken", REFRESH_TOKEN,
        dict.fromkeys(NO_CREDENTIAL_ROLES, "LoginSuccess"), _fresh_refresh_token,
    ),
    Operation(
        "refreshToken-with-an-unknown-token", "refreshToken", REFRESH_TOKEN,
        dict.fromkeys(("anonymous", "owner"), "InvalidToken"), _unknown_refresh_token,
    ),
    Operation(
        "logout", "logout", LOGOUT,
        dict.fromkeys(NO_CREDENTIAL_ROLES, "LoggedOut"), _fresh_refresh_token,
    ),
    Operation(
        "logout-with-an-unknown-token", "logout", LOGOUT,
        dict.fromkeys(("anonymous", "owner"), "InvalidToken"), _unknown_refresh_token,
    ),
    Operation(
        "changePassword", "changePassword", CHANGE_PASSWORD,
        {
            **dict.fromkeys(CREDENTIAL_FAILURES, "UNAUTHENTICATED"),
            "outsider": "PasswordChanged",
            "project_editor": "PasswordChanged",
            **_KEYS_REFUSED,
        },
        _own_password,
    ),
    Operation(
        "changePassword-with-a-wrong-current-password", "changePassword", CHANGE_PASSWORD,
        {"org_member": "InvalidCredentials"}, _wrong_current_password,
    ),
    Operation(
        "createApiKey", "createApiKey", CREATE_API_KEY,
        organization_manager("members_manager").outcomes("ApiKeyCreated"), _key_name,
    ),
    Operation(
        "revokeApiKey", "revokeApiKey", REVOKE_API_KEY, REVOKE_KEY.outcomes("ApiKey"),
        _owners_key,
    ),
    Operation(
        "createOrganization", "createOrganization", CREATE_ORGANIZATION, ANY_PERSON,
        _short_name,
    ),
    Operation("createUser", "createUser", CREATE_USER, SITE_ADMIN_ONLY, _email),
    Operation(
        "setOrganizationMember", "setOrganizationMember", SET_ORGANIZATION_MEMBER,
        organization_manager("members_manager").outcomes("Organization"),
        fixed(org=lambda w: w.organization, user=lambda w: w.user_ids["org_member"]),
    ),
    Operation(
        "setProjectMember", "setProjectMember", SET_PROJECT_MEMBER,
        PROJECT_MANAGE_MEMBERS.outcomes("Project"),
        fixed(project=lambda w: w.project, user=lambda w: w.user_ids["project_viewer"]),
    ),
    Operation(
        "setObservatoryMember", "setObservatoryMember", SET_OBSERVATORY_MEMBER,
        OBSERVATORY_ADMIN.outcomes("Observatory"),
        fixed(observatory=lambda w: w.observatory, user=lambda w: w.user_ids["obs_viewer"]),
    ),
    Operation(
        "createProject", "createProject", CREATE_PROJECT,
        organization_manager("projects_manager").outcomes("Project"), _project_code,
    ),
    Operation(
        "registerObservatory", "registerObservatory", REGISTER_OBSERVATORY,
        organization_manager("observatories_manager").outcomes("RegisterObservatorySuccess"),
        _observatory_code,
    ),
    Operation(
        "createObservation", "createObservation", CREATE_OBSERVATION,
        PROJECT_USE.outcomes("Observation"), _new_observation,
    ),
    Operation(
        "updateObservation", "updateObservation", UPDATE_OBSERVATION,
        PROJECT_EDIT.outcomes("Observation"), _observation(_author, draft=True),
    ),
    Operation(
        "updateObservation-own", "updateObservation", UPDATE_OBSERVATION,
        {
            **dict.fromkeys(CREDENTIAL_FAILURES, "UNAUTHENTICATED"),
            **dict.fromkeys(("org_member", "project_user", "write_key"), "Observation"),
            "read_key": "Forbidden",
        },
        _observation(_creator, draft=True),
    ),
    Operation(
        "submitObservation", "submitObservation", SUBMIT_OBSERVATION,
        PROJECT_EDIT.outcomes("Observation"), _observation(_author, draft=True),
    ),
    Operation(
        "submitObservation-own", "submitObservation", SUBMIT_OBSERVATION,
        {
            **dict.fromkeys(CREDENTIAL_FAILURES, "UNAUTHENTICATED"),
            **dict.fromkeys(("org_member", "project_user", "write_key"), "Observation"),
            "read_key": "Forbidden",
        },
        _observation(_creator, draft=True),
    ),
    Operation(
        "cancelObservation", "cancelObservation", CANCEL_OBSERVATION,
        PROJECT_EDIT.outcomes("Observation"), _observation(_author, draft=False),
    ),
    Operation(
        "cancelObservation-own", "cancelObservation", CANCEL_OBSERVATION,
        {
            **dict.fromkeys(CREDENTIAL_FAILURES, "UNAUTHENTICATED"),
            **dict.fromkeys(("org_member", "project_user", "write_key"), "Observation"),
            "read_key": "Forbidden",
        },
        _observation(_creator, draft=False),
    ),
    Operation(
        "resubmitObservation", "resubmitObservation", RESUBMIT_OBSERVATION,
        PROJECT_USE.outcomes("Observation"), _finished_observation,
    ),
    Operation(
        "reprocessFrame", "reprocessFrame", REPROCESS_FRAME,
        PROJECT_USE.outcomes("Frame"), _frame,
    ),
    Operation(
        "overrideFrameGrade", "overrideFrameGrade", OVERRIDE_FRAME_GRADE,
        PROJECT_EDIT.outcomes("Frame"), _frame,
    ),
    Operation(
        "saveLibraryTarget", "saveLibraryTarget", SAVE_LIBRARY_TARGET,
        ORGANIZATION_WORK.outcomes("LibraryTarget"), _target_name,
    ),
    Operation(
        "deleteLibraryTarget", "deleteLibraryTarget", DELETE_LIBRARY_TARGET,
        organization_manager("projects_manager").outcomes("Deleted"), _library_target,
    ),
    Operation(
        "saveObservationTemplate", "saveObservationTemplate", SAVE_OBSERVATION_TEMPLATE,
        PROJECT_USE.outcomes("ObservationTemplate"), _template_name,
    ),
    Operation(
        "createObservationFromTemplate", "createObservationFromTemplate",
        CREATE_OBSERVATION_FROM_TEMPLATE, PROJECT_USE.outcomes("Observation"),
        fixed(template=lambda w: w.ids["template:matrix"]),
    ),
    Operation(
        "setDispatchEnabled", "setDispatchEnabled", SET_DISPATCH_ENABLED,
        OBSERVATORY_OPERATE.outcomes("Observatory"), OBSERVATORY,
    ),
    Operation(
        "setObservatoryMaintenance", "setObservatoryMaintenance", SET_OBSERVATORY_MAINTENANCE,
        OBSERVATORY_OPERATE.outcomes("Observatory"), OBSERVATORY,
    ),
    Operation(
        "createReservation", "createReservation", CREATE_RESERVATION,
        OBSERVATORY_ADMIN.outcomes("Reservation"), _reservation_slot,
    ),
    Operation(
        "cancelReservation", "cancelReservation", CANCEL_RESERVATION,
        OBSERVATORY_ADMIN.outcomes("Reservation"), _reservation,
    ),
    Operation(
        "approveObservatoryRegistration", "approveObservatoryRegistration",
        APPROVE_REGISTRATION,
        organization_manager("observatories_manager").outcomes(
            "ApproveObservatoryRegistrationSuccess"
        ),
        _registration,
    ),
    Operation(
        "rejectObservatoryRegistration", "rejectObservatoryRegistration", REJECT_REGISTRATION,
        organization_manager("observatories_manager").outcomes("ObservatoryRegistration"),
        _registration,
    ),
    Operation(
        "updateObservatory", "updateObservatory", UPDATE_OBSERVATORY,
        OBSERVATORY_ADMIN.outcomes("Observatory"), fixed(id=lambda w: w.observatory),
    ),
    Operation(
        "resetObservatoryFingerprint", "resetObservatoryFingerprint", RESET_FINGERPRINT,
        OBSERVATORY_ADMIN.outcomes("Observatory"), OBSERVATORY,
    ),
    Operation(
        "rotateObservatoryKey", "rotateObservatoryKey", ROTATE_OBSERVATORY_KEY,
        OBSERVATORY_ADMIN.outcomes("RotateObservatoryKeySuccess"), OBSERVATORY,
    ),
)  # fmt: skip


def _cases() -> Iterator[Any]:
    """Per operation, the denials first: they share one fingerprint of the database each."""
    for operation in OPERATIONS:
        yield from role_cases(operation, operation.expected.items(), lambda e: e in DENIALS)


def test_every_mutation_of_the_schema_is_in_the_matrix() -> None:
    # given
    schema = (Path(__file__).parents[3] / "schema.graphql").read_text()
    mutations = schema.split("type Mutation {", 1)[1].split("\n}", 1)[0]

    # when
    fields = set(re.findall(r"^  (\w+)\(", mutations, flags=re.MULTILINE))

    # then
    assert {operation.field for operation in OPERATIONS} == fields
    assert len(fields) == 33


async def test_the_fingerprint_sees_any_change_but_not_a_key_being_used(world: World) -> None:
    # given
    before = world.fingerprint()

    # when: a key is used (its lastUsedAt moves at most once a minute), then a target is saved
    used = await world.call("query { me { id } }", "write_key")
    world.forget_fingerprint()
    after_use = world.fingerprint()
    saved = await world.call(SAVE_LIBRARY_TARGET, "owner", org=world.organization, name="Seen")

    # then
    assert used["data"] == {"me": {"id": world.user_ids["owner"]}}
    assert saved["data"] == {"saveLibraryTarget": {"__typename": "LibraryTarget"}}
    assert after_use == before
    assert world.fingerprint() != before


@pytest.mark.parametrize(("operation", "role", "expected"), _cases())
async def test_a_mutation_answers_each_role_as_documented(
    world: World, operation: Operation, role: str, expected: str
) -> None:
    # given
    denied = expected in DENIALS
    variables = await operation.prepare(world, role, not denied)
    before = world.fingerprint() if denied else None

    # when
    body = await world.call(operation.document, role, **variables)

    # then
    assert outcome(body, operation.field) == expected, body
    if before is not None:
        assert world.fingerprint() == before, "the denied call changed the database"
