"""The world of the authorization matrix: one server, every role, and the things they act on.

`tests/api/matrix/test_authorization_matrix_*.py` build it once per module (building it costs a few
seconds; a test per role and operation then costs a request or two). Roles:

- *anonymous* sends no credential; *expired* sends the owner's access token past its expiry;
  *revoked key* sends an API key of the owner's, with every permission, that the owner revoked;
- *admin* is the site administrator;
- *owner* created the organization `matrix`, its projects `MATRIX` and `SIDE` and its
  observatory `matrix-obs`;
- *org member* belongs to `matrix` with no permission; *members manager*, *projects manager*
  and *observatories manager* belong to it with `MANAGE_MEMBERS`, `MANAGE_PROJECTS` and
  `MANAGE_OBSERVATORIES`;
- *project viewer* / *project user* / *project editor* are direct members of `MATRIX` with
  `VIEW` / `USE` / `USE`+`EDIT` and are not in the organization;
- *obs viewer* / *obs observer* / *obs operator* / *obs admin* are direct members of
  `matrix-obs` with `VIEW` / `VIEW`+`OBSERVE` / `VIEW`+`OPERATE` / `VIEW`+`ADMIN`, and
  *obs operator no view* with `OPERATE` alone; none is in the organization;
- *outsider* owns another organization, `elsewhere`, with its own project, observatory,
  observation, frame, template, library target and API key;
- *read key* / *write key* are API keys of the owner's for `matrix` with `READ` / `WRITE`.

A further member of `matrix` without permissions, the *author*, creates the observations that
are "someone else's" for every role.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import secrets
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

import httpx
import jwt
import pytest
import websockets
from bson import ObjectId, encode
from bson.raw_bson import RawBSONDocument
from pymongo import MongoClient
from redis import Redis

from domain.accounts.tokens import ALGORITHM, AUDIENCE, ISSUER, issue_access_token
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, TEST_DATABASE, ApiServer
from tests.engines import Engine, free_port, running_cli, wait_for_http
from tests.ids import database_id, global_id

SECRET_KEY = "authorization-matrix-signing-key-0123456789"
PASSWORD = "a long enough password"

CREDENTIAL_FAILURES = ("anonymous", "expired", "revoked_key")
ORGANIZATION_MANAGERS = ("members_manager", "projects_manager", "observatories_manager")
PROJECT_MEMBERS = ("project_viewer", "project_user", "project_editor")
OBSERVATORY_MEMBERS = (
    "obs_viewer",
    "obs_observer",
    "obs_operator",
    "obs_admin",
    "obs_operator_no_view",
)
PEOPLE = (
    "owner",
    "author",
    "org_member",
    *ORGANIZATION_MANAGERS,
    *PROJECT_MEMBERS,
    *OBSERVATORY_MEMBERS,
    "outsider",
)
KEYS = ("read_key", "write_key")

# What a denied call answers (and an empty list): nothing may change when one comes back.
DENIALS = frozenset(
    {
        "UNAUTHENTICATED",
        "FORBIDDEN",
        "NOT_FOUND",
        "Forbidden",
        "NotFound",
        "InvalidCredentials",
        "InvalidToken",
        "null",
        "closed 4403",
    }
)

# Changed by the server whenever a key is used (to the minute): a use, not a change.
_VOLATILE = {"api_keys": ("last_used_at",)}

LOGIN = """mutation ($email: String!, $password: String!) {
  login(input: {email: $email, password: $password}) {
    __typename ... on LoginSuccess { accessToken refreshToken user { id } }
  }
}"""
CREATE_USER = """mutation ($email: String!, $password: String!, $name: String!) {
  createUser(input: {email: $email, password: $password, fullName: $name}) {
    __typename ... on User { id }
  }
}"""
CREATE_ORGANIZATION = """mutation ($name: String!, $short: String!) {
  createOrganization(input: {name: $name, shortName: $short}) {
    __typename ... on Organization { id }
  }
}"""
SET_ORGANIZATION_MEMBER = """mutation ($org: ID!, $user: ID!,
    $permissions: [OrganizationPermission!]!) {
  setOrganizationMember(input: {organizationId: $org, userId: $user,
                                permissions: $permissions}) { __typename }
}"""
CREATE_PROJECT = """mutation ($org: ID!, $name: String!, $code: String!) {
  createProject(input: {organizationId: $org, name: $name, code: $code}) {
    __typename ... on Project { id }
  }
}"""
SET_PROJECT_MEMBER = """mutation ($project: ID!, $user: ID!, $permissions: [ProjectPermission!]!) {
  setProjectMember(input: {projectId: $project, userId: $user, permissions: $permissions}) {
    __typename
  }
}"""
REGISTER_OBSERVATORY = """mutation ($org: ID!, $name: String!, $code: String!) {
  registerObservatory(input: {organizationId: $org, name: $name, code: $code,
    location: {latitudeDeg: 52, longitudeDeg: 5},
    equipment: {focalLengthMm: 1000, pixelSizeUm: 3.76, sensorWidthPx: 6000,
                sensorHeightPx: 4000, filters: ["L", "Ha"]}}) {
    __typename ... on RegisterObservatorySuccess { observatory { id } }
  }
}"""
SET_OBSERVATORY_MEMBER = """mutation ($observatory: ID!, $user: ID!,
    $permissions: [ObservatoryPermission!]!) {
  setObservatoryMember(input: {observatoryId: $observatory, userId: $user,
                               permissions: $permissions}) { __typename }
}"""
CREATE_OBSERVATION = """mutation ($project: ID!, $name: String!, $submit: Boolean!) {
  createObservation(input: {projectId: $project, name: $name, submit: $submit,
    targets: [{name: "Vega", ra: "18:36:56.3", dec: "+38:47:01",
               exposures: [{filter: "L", exposureS: 10, count: 3}]}]}) {
    __typename ... on Observation { id }
  }
}"""
CANCEL_OBSERVATION = """mutation ($id: ID!) {
  cancelObservation(input: {id: $id}) { __typename }
}"""
SAVE_TEMPLATE = """mutation ($observation: ID!, $name: String!) {
  saveObservationTemplate(input: {observationId: $observation, name: $name}) {
    __typename ... on ObservationTemplate { id }
  }
}"""
SAVE_LIBRARY_TARGET = """mutation ($org: ID!, $name: String!) {
  saveLibraryTarget(input: {organizationId: $org, name: $name, ra: "10.5", dec: "20.25"}) {
    __typename ... on LibraryTarget { id }
  }
}"""
CREATE_API_KEY = """mutation ($org: ID!, $name: String!, $permissions: [ApiKeyPermission!]!) {
  createApiKey(input: {organizationId: $org, name: $name, permissions: $permissions}) {
    __typename ... on ApiKeyCreated { secret apiKey { id } }
  }
}"""
REVOKE_API_KEY = """mutation ($id: ID!) {
  revokeApiKey(input: {id: $id}) { __typename }
}"""
CREATE_RESERVATION = """mutation ($observatory: ID!, $start: DateTime!, $end: DateTime!) {
  createReservation(input: {observatoryId: $observatory, title: "Calibration",
    purpose: "flats", contact: "owner@example.org", start: $start, end: $end}) {
    __typename ... on Reservation { id }
  }
}"""

ALL_KEY_PERMISSIONS = [
    "READ",
    "WRITE",
    "MANAGE_MEMBERS",
    "MANAGE_OBSERVATORIES",
    "MANAGE_PROJECTS",
    "MANAGE_BILLING",
    "MANAGE_STORAGE",
]


def outcome(body: Mapping[str, Any], field: str) -> str:
    """A top-level error's code, `null`, or the `__typename` of the answer."""
    if body.get("errors"):
        return str(body["errors"][0].get("extensions", {}).get("code", "ERROR"))
    value = body["data"][field]
    if value is None:
        return "null"
    return str(value["__typename"])


def _without(document: RawBSONDocument, fields: tuple[str, ...]) -> bytes:
    if not fields:
        return bytes(document.raw)
    kept = {key: value for key, value in document.items() if key not in fields}
    return encode(kept)


@contextmanager
def matrix_api(mongo: Engine, valkey: Engine, data_dir: Path) -> Iterator[ApiServer]:
    """A real API process on empty engines, with a site admin and a known signing key."""
    with MongoClient(mongo.url) as client:
        client.drop_database(TEST_DATABASE)
    with Redis.from_url(valkey.url) as redis:
        redis.flushall()
    port = free_port()
    env = {
        "MONGODB_URL": mongo.url,
        "MONGODB_DATABASE": TEST_DATABASE,
        "REDIS_URL": valkey.url,
        "SCHEDULER_DATA_DIR": str(data_dir / "data"),
        "SCHEDULER_LOG_FORMAT": "json",
        "SCHEDULER_SECRET_KEY": SECRET_KEY,
        "SCHEDULER_ADMIN_EMAIL": ADMIN_EMAIL,
        "SCHEDULER_ADMIN_PASSWORD": ADMIN_PASSWORD,
    }
    log_path = data_dir / "api.log"
    with running_cli(["api", "--port", str(port)], env, log_path) as process:
        wait_for_http(f"http://127.0.0.1:{port}/healthz")
        yield ApiServer(
            f"http://127.0.0.1:{port}", f"ws://127.0.0.1:{port}/graphql", log_path, process.pid
        )


@dataclass
class World:
    server: ApiServer
    mongo: MongoClient[RawBSONDocument]
    redis_url: str
    client: httpx.AsyncClient
    tokens: dict[str, str | None] = field(default_factory=lambda: {"anonymous": None})
    user_ids: dict[str, str] = field(default_factory=dict)
    ids: dict[str, str] = field(default_factory=dict)
    counter: int = 0
    _fingerprint: str | None = None  # the database's, as of the last call or insert

    # -- talking to the server ------------------------------------------------------------

    async def call(self, query: str, role: str, **variables: object) -> dict[str, Any]:
        self._fingerprint = None  # the call may change something
        token = self.tokens[role]
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = await self.client.post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers
        )
        body: dict[str, Any] = response.json()
        return body

    async def data(self, query: str, role: str, **variables: object) -> dict[str, Any]:
        """The data of a call that must succeed (world building)."""
        body = await self.call(query, role, **variables)
        assert not body.get("errors"), body
        data: dict[str, Any] = body["data"]
        return data

    def unique(self, stem: str) -> str:
        self.counter += 1
        return f"{stem}-{self.counter}"

    def label(self, global_id_: str | None) -> str | None:
        """The world's name for an id (`user:owner`, `project:MATRIX`, ...)."""
        if global_id_ is None:
            return None
        for role, user in self.user_ids.items():
            if user == global_id_:
                return f"user:{role}"
        for name, known in self.ids.items():
            if known == global_id_:
                return name
        return f"unknown:{global_id_}"

    # -- the database ---------------------------------------------------------------------

    def fingerprint(self) -> str:
        """A digest of every document in the database: equal means nothing changed.

        Kept until the next call or insert, so consecutive denials read the database once each.
        """
        if self._fingerprint is None:
            self._fingerprint = self._digest()
        return self._fingerprint

    def forget_fingerprint(self) -> None:
        """Read the database again next time (something may have written to it meanwhile)."""
        self._fingerprint = None

    def _digest(self) -> str:
        digest = hashlib.sha256()
        database = self.mongo[TEST_DATABASE]
        for name in sorted(database.list_collection_names()):
            volatile = _VOLATILE.get(name, ())
            documents = sorted(
                _without(document, volatile) for document in database[name].find(batch_size=100_000)
            )
            digest.update(f"{name} {len(documents)}\n".encode())
            for document in documents:
                digest.update(hashlib.sha256(document).digest())
        return digest.hexdigest()

    def insert(self, collection: str, document: dict[str, Any]) -> ObjectId:
        self._fingerprint = None
        inserted = self.mongo[TEST_DATABASE][collection].insert_one(document)
        return ObjectId(inserted.inserted_id)

    async def close(self) -> None:
        await self.client.aclose()
        self.mongo.close()

    # -- building -------------------------------------------------------------------------

    async def login(self, email: str, password: str = PASSWORD) -> dict[str, Any]:
        data = await self.data(LOGIN, "anonymous", email=email, password=password)
        login: dict[str, Any] = data["login"]
        assert login["__typename"] == "LoginSuccess", login
        return login

    def mint(self, user_global_id: str, lifetime: timedelta = timedelta(hours=2)) -> str:
        return issue_access_token(database_id(user_global_id), SECRET_KEY.encode(), lifetime)

    async def build(self) -> None:
        admin = await self.login(ADMIN_EMAIL, ADMIN_PASSWORD)
        self.tokens["admin"] = admin["accessToken"]
        self.user_ids["admin"] = admin["user"]["id"]
        created = await asyncio.gather(
            *(
                self.data(
                    CREATE_USER,
                    "admin",
                    email=self.email(role),
                    password=PASSWORD,
                    name=role.replace("_", " ").title(),
                )
                for role in PEOPLE
            )
        )
        for role, user in zip(PEOPLE, created, strict=True):
            self.user_ids[role] = user["createUser"]["id"]
            self.tokens[role] = self.mint(self.user_ids[role])
        self.tokens["expired"] = jwt.encode(
            {
                "sub": database_id(self.user_ids["owner"]),
                "iss": ISSUER,
                "aud": AUDIENCE,
                "exp": datetime.now(UTC) - timedelta(minutes=1),
            },
            SECRET_KEY.encode(),
            algorithm=ALGORITHM,
        )
        await self._build_matrix()
        await self._build_elsewhere()
        await self._build_keys()

    def email(self, role: str) -> str:
        return f"{role.replace('_', '-')}@example.org"

    async def _build_matrix(self) -> None:
        org = await self.data(CREATE_ORGANIZATION, "owner", name="Matrix", short="matrix")
        self.ids["organization:matrix"] = org["createOrganization"]["id"]
        members = {
            "author": [],
            "org_member": [],
            "members_manager": ["MANAGE_MEMBERS"],
            "projects_manager": ["MANAGE_PROJECTS"],
            "observatories_manager": ["MANAGE_OBSERVATORIES"],
        }
        for role, permissions in members.items():
            await self._expect(
                SET_ORGANIZATION_MEMBER,
                "Organization",
                org=self.organization,
                user=self.user_ids[role],
                permissions=permissions,
            )
        for name, code in (("Matrix project", "MATRIX"), ("Side project", "SIDE")):
            project = await self.data(
                CREATE_PROJECT, "owner", org=self.organization, name=name, code=code
            )
            self.ids[f"project:{code}"] = project["createProject"]["id"]
        for role, granted in (
            ("project_viewer", ["VIEW"]),
            ("project_user", ["USE"]),
            ("project_editor", ["USE", "EDIT"]),
        ):
            await self._expect(
                SET_PROJECT_MEMBER,
                "Project",
                project=self.project,
                user=self.user_ids[role],
                permissions=granted,
            )
        registered = await self.data(
            REGISTER_OBSERVATORY, "owner", org=self.organization, name="Matrix scope",
            code="matrix-obs",
        )  # fmt: skip
        self.ids["observatory:matrix-obs"] = registered["registerObservatory"]["observatory"]["id"]
        for role, granted in (
            ("obs_viewer", ["VIEW"]),
            ("obs_observer", ["VIEW", "OBSERVE"]),
            ("obs_operator", ["VIEW", "OPERATE"]),
            ("obs_admin", ["VIEW", "ADMIN"]),
            ("obs_operator_no_view", ["OPERATE"]),
        ):
            await self._expect(
                SET_OBSERVATORY_MEMBER,
                "Observatory",
                observatory=self.observatory,
                user=self.user_ids[role],
                permissions=granted,
            )
        self.ids["observation:matrix"] = await self.observation_by("author", self.project)
        template = await self.data(
            SAVE_TEMPLATE, "author", observation=self.observation, name="Matrix template"
        )
        self.ids["template:matrix"] = template["saveObservationTemplate"]["id"]
        target = await self.data(
            SAVE_LIBRARY_TARGET, "owner", org=self.organization, name="Matrix target"
        )
        self.ids["target:matrix"] = target["saveLibraryTarget"]["id"]
        self.ids["frame:matrix"] = self.frame_of("observation:matrix", "project:MATRIX")
        self.ids["registration:pending"] = self.pending_registration("pending-reg")
        self.ids["reservation:matrix"] = await self.reservation()

    async def _build_elsewhere(self) -> None:
        org = await self.data(CREATE_ORGANIZATION, "outsider", name="Elsewhere", short="elsewhere")
        self.ids["organization:elsewhere"] = org["createOrganization"]["id"]
        project = await self.data(
            CREATE_PROJECT, "outsider", org=self.ids["organization:elsewhere"],
            name="Elsewhere project", code="ELSEWHERE",
        )  # fmt: skip
        self.ids["project:ELSEWHERE"] = project["createProject"]["id"]
        registered = await self.data(
            REGISTER_OBSERVATORY, "outsider", org=self.ids["organization:elsewhere"],
            name="Elsewhere scope", code="elsewhere-obs",
        )  # fmt: skip
        observatory = registered["registerObservatory"]["observatory"]["id"]
        self.ids["observatory:elsewhere-obs"] = observatory
        self.ids["observation:elsewhere"] = await self.observation_by(
            "outsider", self.ids["project:ELSEWHERE"], name="Elsewhere observation"
        )
        template = await self.data(
            SAVE_TEMPLATE, "outsider", observation=self.ids["observation:elsewhere"],
            name="Elsewhere template",
        )  # fmt: skip
        self.ids["template:elsewhere"] = template["saveObservationTemplate"]["id"]
        target = await self.data(
            SAVE_LIBRARY_TARGET, "outsider", org=self.ids["organization:elsewhere"],
            name="Elsewhere target",
        )  # fmt: skip
        self.ids["target:elsewhere"] = target["saveLibraryTarget"]["id"]
        self.ids["frame:elsewhere"] = self.frame_of("observation:elsewhere", "project:ELSEWHERE")
        key = await self.data(
            CREATE_API_KEY, "outsider", org=self.ids["organization:elsewhere"],
            name="elsewhere script", permissions=["READ"],
        )  # fmt: skip
        self.ids["api-key:elsewhere"] = key["createApiKey"]["apiKey"]["id"]

    async def _build_keys(self) -> None:
        for role, permissions in (("read_key", ["READ"]), ("write_key", ["WRITE"])):
            created = await self.api_key(role.replace("_key", ""), permissions)
            self.tokens[role] = created["secret"]
            self.ids[f"api-key:{role}"] = created["apiKey"]["id"]
        revoked = await self.api_key("revoked", ALL_KEY_PERMISSIONS)
        await self._expect(REVOKE_API_KEY, "ApiKey", id=revoked["apiKey"]["id"])
        self.tokens["revoked_key"] = revoked["secret"]
        self.ids["api-key:revoked_key"] = revoked["apiKey"]["id"]

    async def _expect(self, query: str, typename: str, **variables: object) -> None:
        data = await self.data(query, "owner", **variables)
        (answer,) = data.values()
        assert answer["__typename"] == typename, (query, variables, answer)

    # -- things to act on -----------------------------------------------------------------

    @property
    def organization(self) -> str:
        return self.ids["organization:matrix"]

    @property
    def project(self) -> str:
        return self.ids["project:MATRIX"]

    @property
    def observatory(self) -> str:
        return self.ids["observatory:matrix-obs"]

    @property
    def observation(self) -> str:
        return self.ids["observation:matrix"]

    async def observation_by(
        self,
        role: str,
        project: str,
        *,
        name: str = "Author's observation",
        submit: bool = True,
    ) -> str:
        data = await self.data(CREATE_OBSERVATION, role, project=project, name=name, submit=submit)
        created = data["createObservation"]
        assert created["__typename"] == "Observation", created
        return str(created["id"])

    async def cancelled_observation_by(self, role: str) -> str:
        observation = await self.observation_by(role, self.project, name="Finished")
        data = await self.data(CANCEL_OBSERVATION, role, id=observation)
        assert data["cancelObservation"]["__typename"] == "Observation", data
        return observation

    async def api_key(self, name: str, permissions: list[str]) -> dict[str, Any]:
        data = await self.data(
            CREATE_API_KEY, "owner", org=self.organization, name=name, permissions=permissions
        )
        created: dict[str, Any] = data["createApiKey"]
        assert created["__typename"] == "ApiKeyCreated", created
        return created

    async def library_target(self) -> str:
        data = await self.data(
            SAVE_LIBRARY_TARGET, "owner", org=self.organization, name=self.unique("Doomed")
        )
        return str(data["saveLibraryTarget"]["id"])

    async def reservation(self) -> str:
        start = datetime.now(UTC) + timedelta(days=30)
        data = await self.data(
            CREATE_RESERVATION,
            "owner",
            observatory=self.observatory,
            start=start.isoformat(),
            end=(start + timedelta(hours=2)).isoformat(),
        )
        created = data["createReservation"]
        assert created["__typename"] == "Reservation", created
        return str(created["id"])

    def frame_of(self, observation: str, project: str) -> str:
        """A processed, graded frame of an observation, stored as the pipeline leaves one."""
        observation_id = ObjectId(database_id(self.ids[observation]))
        stored = self.mongo[TEST_DATABASE]["observations"].find_one({"_id": observation_id})
        assert stored is not None
        now = datetime.now(UTC)
        done = {"status": "done", "error": None, "tries": 1, "started_at": now, "finished_at": now}
        frame_id = ObjectId()
        self.insert(
            "frames",
            {
                "_id": frame_id,
                "organization_id": stored["organization_id"],
                "project_id": ObjectId(database_id(self.ids[project])),
                "observation_id": observation_id,
                "uploaded_by": f"user:{database_id(self.user_ids['owner'])}",
                "sequence": 1,
                "original_sha256": secrets.token_hex(32),
                "size_bytes": 2880,
                "raw_key": f"raw/{frame_id}.fits.fz",
                "state": "done",
                "steps": {s: done for s in ("ingest", "quality", "solve", "preview", "grade")},
                "grade": {
                    "accepted": True,
                    "reasons": [],
                    "overridden_by": None,
                    "override_reason": None,
                    "exposure_set": {"target_index": 0, "exposure_index": 0},
                },
                "generation": 0,
                "sweeps": 0,
                "created_at": now,
                "updated_at": now,
            },
        )
        return global_id("Frame", str(frame_id))

    def pending_registration(self, code: str) -> str:
        """A request from a new observatory's plugin, as the plugin socket stores one."""
        inserted = self.insert(
            "observatory_registrations",
            {
                "code": code,
                "name": f"Observatory {code}",
                "contact_email": "someone@example.org",
                "contact_name": "Someone",
                "description": "",
                "location": {
                    "latitude_deg": 45.0,
                    "longitude_deg": 7.0,
                    "elevation_m": 0.0,
                    "timezone": "UTC",
                },
                "fingerprint": "sha256:" + secrets.token_hex(32),
                "organization_hint": None,
                "status": "pending",
                "observatory_id": None,
                "organization_id": None,
                "issued_key": None,
                "decided_by": None,
                "decided_at": None,
                "reason": "",
                "created_at": datetime.now(UTC),
            },
        )
        return global_id("ObservatoryRegistration", str(inserted))


async def built_world(server: ApiServer, mongo: Engine, valkey: Engine) -> World:
    world = World(
        server=server,
        mongo=MongoClient(mongo.url, document_class=RawBSONDocument),
        redis_url=valkey.url,
        client=httpx.AsyncClient(base_url=server.base_url, timeout=30),
    )
    await world.build()
    return world


# -- subscriptions ------------------------------------------------------------------------


@dataclass
class Subscriber:
    """One role's subscription socket; `refused` is set when the socket was closed at once."""

    role: str
    socket: websockets.ClientConnection | None
    refused: str | None = None


async def subscribe(world: World, role: str, query: str, **variables: object) -> Subscriber:
    token = world.tokens[role]
    socket = await websockets.connect(
        world.server.ws_url,
        subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
    )
    payload = {"Authorization": f"Bearer {token}"} if token else {}
    await socket.send(json.dumps({"type": "connection_init", "payload": payload}))
    try:
        ack = json.loads(await asyncio.wait_for(socket.recv(), timeout=10))
    except websockets.ConnectionClosed as closed:
        code = closed.rcvd.code if closed.rcvd is not None else None
        return Subscriber(role, None, refused=f"closed {code}")
    assert ack["type"] == "connection_ack", ack
    await socket.send(
        json.dumps(
            {
                "id": "matrix",
                "type": "subscribe",
                "payload": {"query": query, "variables": variables},
            }
        )
    )
    return Subscriber(role, socket)


async def received(subscriber: Subscriber, quiet_s: float) -> list[dict[str, Any]]:
    """Every `next`/`error` payload until nothing came for `quiet_s`; then the socket closes."""
    if subscriber.socket is None:
        return []
    messages: list[dict[str, Any]] = []
    try:
        while True:
            message = json.loads(await asyncio.wait_for(subscriber.socket.recv(), quiet_s))
            if message["type"] == "ping":
                await subscriber.socket.send(json.dumps({"type": "pong"}))
            elif message["type"] in ("next", "error"):
                messages.append(message)
    except (TimeoutError, websockets.ConnectionClosed):
        pass
    finally:
        await subscriber.socket.close()
    return messages


class _Case(Protocol):
    @property
    def name(self) -> str: ...


def role_cases(
    case: _Case, rows: Iterable[tuple[str, object]], denied: Callable[[object], bool] | None = None
) -> Iterator[Any]:
    """One pytest case per role of `case`; with `denied`, the denials first (denied calls of
    one operation share one fingerprint of the database)."""
    ordered = sorted(rows, key=lambda row: not denied(row[1])) if denied else list(rows)
    for role, expected in ordered:
        yield pytest.param(case, role, expected, id=f"{case.name}-as-{role.replace('_', '-')}")
