"""Every operation × every role: outcomes as docs/permissions.md says, denials change nothing.

Besides the roles, two columns present credentials that must no longer work: an access token
past its expiry and an API key its creator revoked (it had every permission before).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
from pymongo import MongoClient

from domain.accounts.tokens import ALGORITHM, AUDIENCE, ISSUER
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, TEST_DATABASE, ApiServer
from tests.engines import Engine
from tests.graphql_client import graphql_http

PASSWORD = "a long enough password"
ROLES = (
    "admin",
    "owner",
    "org_member",
    "project_viewer",
    "project_user",
    "outsider",
    "anonymous",
    "expired",
    "revoked_key",
)

LOGIN = """mutation ($email: String!, $password: String!) {
  login(input: {email: $email, password: $password}) {
    ... on LoginSuccess { accessToken user { id } }
  }
}"""
CREATE_USER = """mutation ($email: String!, $password: String!) {
  createUser(input: {email: $email, password: $password}) { __typename ... on User { id } }
}"""
CREATE_ORGANIZATION = """mutation ($short: String!) {
  createOrganization(input: {name: $short, shortName: $short}) {
    __typename ... on Organization { id }
  }
}"""
SET_ORGANIZATION_MEMBER = """mutation ($org: ID!, $user: ID!) {
  setOrganizationMember(input: {organizationId: $org, userId: $user, permissions: []}) {
    __typename
  }
}"""
SET_PROJECT_MEMBER = """mutation ($project: ID!, $user: ID!, $permissions: [ProjectPermission!]!) {
  setProjectMember(input: {projectId: $project, userId: $user, permissions: $permissions}) {
    __typename
  }
}"""
CREATE_PROJECT = """mutation ($org: ID!, $code: String!) {
  createProject(input: {organizationId: $org, name: "Some project", code: $code}) {
    __typename ... on Project { id }
  }
}"""
REGISTER_OBSERVATORY = """mutation ($org: ID!, $code: String!) {
  registerObservatory(input: {organizationId: $org, name: "Scope", code: $code,
    location: {latitudeDeg: 52, longitudeDeg: 5}}) { __typename }
}"""
CREATE_OBSERVATION = """mutation ($project: ID!) {
  createObservation(input: {projectId: $project, name: "Vega", targets: [{name: "Vega",
    ra: "18:36:56.3", dec: "+38:47:01", exposures: [{filter: "L", exposureS: 10, count: 3}]}]}) {
    __typename ... on Observation { id }
  }
}"""
VIEW_OBSERVATION = """query ($id: ID!) { observation(id: $id) { id } }"""
CANCEL_OBSERVATION = """mutation ($id: ID!) {
  cancelObservation(input: {id: $id}) { __typename }
}"""
CREATE_API_KEY = """mutation ($org: ID!) {
  createApiKey(input: {organizationId: $org, name: "revoked in the matrix",
    permissions: [WRITE, MANAGE_MEMBERS, MANAGE_OBSERVATORIES, MANAGE_PROJECTS]}) {
    __typename ... on ApiKeyCreated { secret apiKey { id } }
  }
}"""
REVOKE_API_KEY = """mutation ($id: ID!) {
  revokeApiKey(input: {id: $id}) { __typename }
}"""

# role -> expected outcome, per operation (docs/permissions.md has the same table).
EXPECTED: dict[str, dict[str, str]] = {
    "createProject": {
        "admin": "Project", "owner": "Project", "org_member": "Forbidden",
        "project_viewer": "NotFound", "project_user": "NotFound", "outsider": "NotFound",
    },
    "registerObservatory": {
        "admin": "RegisterObservatorySuccess", "owner": "RegisterObservatorySuccess",
        "org_member": "Forbidden", "project_viewer": "NotFound", "project_user": "NotFound",
        "outsider": "NotFound",
    },
    "createObservation": {
        "admin": "Observation", "owner": "Observation", "org_member": "Observation",
        "project_viewer": "Forbidden", "project_user": "Observation", "outsider": "NotFound",
    },
    "viewObservation": {
        "admin": "visible", "owner": "visible", "org_member": "visible",
        "project_viewer": "visible", "project_user": "visible", "outsider": "null",
    },
    "cancelOthersObservation": {
        "admin": "Observation", "owner": "Observation", "org_member": "Forbidden",
        "project_viewer": "Forbidden", "project_user": "Forbidden", "outsider": "NotFound",
    },
    "setProjectMember": {
        "admin": "Project", "owner": "Project", "org_member": "Forbidden",
        "project_viewer": "Forbidden", "project_user": "Forbidden", "outsider": "NotFound",
    },
    "setOrganizationMember": {
        "admin": "Organization", "owner": "Organization", "org_member": "Forbidden",
        "project_viewer": "NotFound", "project_user": "NotFound", "outsider": "NotFound",
    },
    "createUser": {
        "admin": "User", "owner": "Forbidden", "org_member": "Forbidden",
        "project_viewer": "Forbidden", "project_user": "Forbidden", "outsider": "Forbidden",
    },
}  # fmt: skip
for outcomes in EXPECTED.values():
    outcomes.update(
        anonymous="UNAUTHENTICATED", expired="UNAUTHENTICATED", revoked_key="UNAUTHENTICATED"
    )


class World:
    """Users, an organization with a project and an observation, as the matrix needs them."""

    def __init__(self, server: ApiServer, secret_key: bytes) -> None:
        self.server, self.secret_key = server, secret_key
        self.tokens: dict[str, str | None] = {"anonymous": None}
        self.user_ids: dict[str, str] = {}
        self.counter = 0
        self.cancel_target = ""

    async def call(self, query: str, role: str, **variables: object) -> dict[str, Any]:
        return await graphql_http(self.server.base_url, query, token=self.tokens[role], **variables)

    def unique(self, stem: str) -> str:
        self.counter += 1
        return f"{stem}-{self.counter}"

    async def login(self, role: str, email: str, password: str) -> None:
        body = await graphql_http(self.server.base_url, LOGIN, email=email, password=password)
        self.tokens[role] = body["data"]["login"]["accessToken"]
        self.user_ids[role] = body["data"]["login"]["user"]["id"]

    async def build(self) -> None:
        await self.login("admin", ADMIN_EMAIL, ADMIN_PASSWORD)
        for role in ("owner", "org_member", "project_viewer", "project_user", "outsider"):
            email = f"{role.replace('_', '-')}@example.org"
            created = await self.call(CREATE_USER, "admin", email=email, password=PASSWORD)
            assert created["data"]["createUser"]["__typename"] == "User", created
            await self.login(role, email, PASSWORD)
        org = await self.call(CREATE_ORGANIZATION, "owner", short="matrix-org")
        self.organization = org["data"]["createOrganization"]["id"]
        await self.call(CREATE_ORGANIZATION, "outsider", short="elsewhere")
        await self.call(
            SET_ORGANIZATION_MEMBER,
            "owner",
            org=self.organization,
            user=self.user_ids["org_member"],
        )
        project = await self.call(CREATE_PROJECT, "owner", org=self.organization, code="MATRIX")
        self.project = project["data"]["createProject"]["id"]
        for role, permissions in (("project_viewer", []), ("project_user", ["USE"])):
            await self.call(
                SET_PROJECT_MEMBER,
                "owner",
                project=self.project,
                user=self.user_ids[role],
                permissions=permissions,
            )
        self.observation = await self.owners_observation()
        expired = datetime.now(UTC) - timedelta(minutes=1)
        self.tokens["expired"] = jwt.encode(
            {"sub": self.user_ids["owner"], "iss": ISSUER, "aud": AUDIENCE, "exp": expired},
            self.secret_key,
            algorithm=ALGORITHM,
        )
        self.tokens["revoked_key"] = await self.revoked_api_key()

    async def revoked_api_key(self) -> str:
        created = await self.call(CREATE_API_KEY, "owner", org=self.organization)
        key = created["data"]["createApiKey"]
        assert key["__typename"] == "ApiKeyCreated", created
        revoked = await self.call(REVOKE_API_KEY, "owner", id=key["apiKey"]["id"])
        assert revoked["data"]["revokeApiKey"]["__typename"] == "ApiKey", revoked
        return str(key["secret"])

    async def owners_observation(self) -> str:
        created = await self.call(CREATE_OBSERVATION, "owner", project=self.project)
        return str(created["data"]["createObservation"]["id"])


def _outcome(body: dict[str, Any], field: str) -> str:
    if body.get("errors"):
        return str(body["errors"][0].get("extensions", {}).get("code", "ERROR"))
    value = body["data"][field]
    if value is None:
        return "null"
    return str(value.get("__typename", "visible"))


def _fingerprint(mongo_engine: Engine) -> str:
    """A digest of every document in the database: equal means nothing changed."""
    client: MongoClient[dict[str, Any]] = MongoClient(mongo_engine.url)
    try:
        database = client[TEST_DATABASE]
        contents = {
            name: sorted(
                json.dumps(doc, sort_keys=True, default=str) for doc in database[name].find()
            )
            for name in sorted(database.list_collection_names())
        }
    finally:
        client.close()
    return hashlib.sha256(json.dumps(contents).encode()).hexdigest()


async def test_every_operation_for_every_role_matches_the_documented_matrix(
    api_server: ApiServer, mongo_engine: Engine, engine_env: dict[str, str]
) -> None:
    # given
    secret = (Path(engine_env["SCHEDULER_DATA_DIR"]) / "secret.key").read_text().strip()
    world = World(api_server, secret.encode())
    await world.build()

    async def create_project(role: str) -> dict[str, Any]:
        return await world.call(
            CREATE_PROJECT, role, org=world.organization, code=world.unique("P").upper()
        )

    async def register_observatory(role: str) -> dict[str, Any]:
        return await world.call(
            REGISTER_OBSERVATORY, role, org=world.organization, code=world.unique("obs")
        )

    async def create_observation(role: str) -> dict[str, Any]:
        return await world.call(CREATE_OBSERVATION, role, project=world.project)

    async def view_observation(role: str) -> dict[str, Any]:
        return await world.call(VIEW_OBSERVATION, role, id=world.observation)

    async def cancel_others_observation(role: str) -> dict[str, Any]:
        return await world.call(CANCEL_OBSERVATION, role, id=world.cancel_target)

    async def set_project_member(role: str) -> dict[str, Any]:
        return await world.call(
            SET_PROJECT_MEMBER,
            role,
            project=world.project,
            user=world.user_ids["project_viewer"],
            permissions=[],
        )

    async def set_organization_member(role: str) -> dict[str, Any]:
        return await world.call(
            SET_ORGANIZATION_MEMBER,
            role,
            org=world.organization,
            user=world.user_ids["org_member"],
        )

    async def create_user(role: str) -> dict[str, Any]:
        return await world.call(
            CREATE_USER, role, email=f"{world.unique('new')}@example.org", password=PASSWORD
        )

    operations: dict[str, tuple[str, Callable[[str], Awaitable[dict[str, Any]]]]] = {
        "createProject": ("createProject", create_project),
        "registerObservatory": ("registerObservatory", register_observatory),
        "createObservation": ("createObservation", create_observation),
        "viewObservation": ("observation", view_observation),
        "cancelOthersObservation": ("cancelObservation", cancel_others_observation),
        "setProjectMember": ("setProjectMember", set_project_member),
        "setOrganizationMember": ("setOrganizationMember", set_organization_member),
        "createUser": ("createUser", create_user),
    }

    # when
    actual: dict[str, dict[str, str]] = {}
    changed_on_denial: list[str] = []
    for name, (field, operation) in operations.items():
        actual[name] = {}
        for role in ROLES:
            denied = EXPECTED[name][role] in {"Forbidden", "NotFound", "UNAUTHENTICATED", "null"}
            if name == "cancelOthersObservation":
                world.cancel_target = await world.owners_observation()  # a fresh one each time
            before = _fingerprint(mongo_engine) if denied else ""
            outcome = _outcome(await operation(role), field)
            actual[name][role] = outcome
            if denied and _fingerprint(mongo_engine) != before:
                changed_on_denial.append(f"{name} as {role}")

    # then
    assert actual == EXPECTED
    assert changed_on_denial == []
