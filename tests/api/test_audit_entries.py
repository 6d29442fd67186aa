"""Every mutation leaves an audit entry: who (and through which API key), the entity, the action,
and what changed, never a secret, key material or password hash. Mutations run through GraphQL
on a real server (or the `science-scheduler` command); entries are read from the database."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
from datetime import datetime
from pathlib import Path
from typing import Any

from beanie import PydanticObjectId

from domain.accounts.user import KeyScope, User
from domain.audit import AuditEntry, record_audit
from domain.frames.frame import Frame, FrameState
from domain.observatories.live_status import ObservatoryLiveStatus
from domain.observatories.observatory import Location
from domain.observatories.registration import ObservatoryRegistration, request_registration
from science_scheduler.services import Services
from tests.api.gaps_world import PASSWORD, GapsWorld, make_world
from tests.conftest import ADMIN_EMAIL, ApiServer
from tests.engines import cli_command
from tests.graphql_client import as_lists, graphql_http
from tests.ids import database_id, global_id

WRONG_LOGIN = """mutation ($email: String!) {
  login(input: {email: $email, password: "not the password"}) { __typename }
}"""
LOGIN_TOKENS = """mutation ($email: String!, $password: String!) {
  login(input: {email: $email, password: $password}) {
    ... on LoginSuccess { accessToken refreshToken }
  }
}"""
CHANGE_PASSWORD = """mutation ($current: String!, $new: String!) {
  changePassword(input: {currentPassword: $current, newPassword: $new}) {
    __typename ... on PasswordChanged { refreshToken }
  }
}"""
LOGOUT = """mutation ($refresh: String!) {
  logout(input: {refreshToken: $refresh}) { __typename }
}"""
CREATE_API_KEY = """mutation ($org: ID!, $name: String!, $permissions: [ApiKeyPermission!]!) {
  createApiKey(input: {organizationId: $org, name: $name, permissions: $permissions}) {
    ... on ApiKeyCreated { secret apiKey { id prefix } }
  }
}"""
REVOKE_API_KEY = """mutation ($id: ID!) {
  revokeApiKey(input: {id: $id}) { __typename ... on ApiKey { revokedAt } }
}"""
API_KEY_TRAIL = """query ($id: ID!) {
  auditTrail(entity: "api_key", entityId: $id) {
    edges { node { actor action apiKeyId entityId } }
  }
}"""
SAVE_TARGET = """mutation ($org: ID!) {
  saveLibraryTarget(input: {organizationId: $org, name: "Cocoon  Nebula", ra: "328.38",
                            dec: "47.27", notes: "IC 5146", tags: ["nebula"], priority: 6}) {
    __typename ... on LibraryTarget { id }
  }
}"""
DELETE_TARGET = """mutation ($org: ID!, $id: ID!) {
  deleteLibraryTarget(input: {organizationId: $org, id: $id}) { __typename }
}"""
APPROVE = """mutation ($registration: ID!, $org: ID!) {
  approveObservatoryRegistration(input: {registrationId: $registration, organizationId: $org}) {
    __typename ... on ApproveObservatoryRegistrationSuccess { observatory { id } }
  }
}"""
REJECT = """mutation ($registration: ID!, $org: ID!) {
  rejectObservatoryRegistration(input: {registrationId: $registration, organizationId: $org,
                                        reason: "unknown site"}) { __typename }
}"""
ROTATE = """mutation ($id: ID!) {
  rotateObservatoryKey(input: {observatoryId: $id}) {
    __typename ... on RotateObservatoryKeySuccess { apiKey }
  }
}"""
REPROCESS = """mutation ($id: ID!) {
  reprocessFrame(input: {id: $id}) { __typename ... on Frame { state } }
}"""
SITE = Location(latitude_deg=52.1, longitude_deg=5.2, elevation_m=30.0)


async def _entries(entity: str, entity_id: str) -> list[AuditEntry]:
    found = AuditEntry.find({"entity": entity, "entity_id": entity_id})
    return await found.sort("+at", "+_id").to_list()


async def _stored_trail() -> str:
    """Every stored audit entry, as text, to search for what must never be there."""
    raw = await AuditEntry.get_pymongo_collection().find().to_list()
    return json.dumps(raw, default=str)


def _without(values: dict[str, Any] | None, *names: str) -> dict[str, Any]:
    assert values is not None
    return {name: value for name, value in values.items() if name not in names}


def _create_admin(env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """`science-scheduler users create-admin` for root@example.org, as a real process."""
    return subprocess.run(
        cli_command("users", "create-admin", "--email", "root@example.org", "--password-stdin"),
        input="a long admin password\n",
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _user(world: GapsWorld, role: str) -> str:
    return f"user:{database_id(world.user_ids[role])}"


async def test_accounts_record_creation_sign_ins_and_password_changes_but_no_hashes(
    api_server: ApiServer, services: Services
) -> None:
    # given: the admin created the owner, who signed in (make_world)
    world = await make_world(api_server)
    owner_id = database_id(world.user_ids["owner"])
    email = "owner@example.org"
    admin = await User.find_one(User.email == ADMIN_EMAIL)
    assert admin is not None

    # when: a failed sign-in, a sign-in, a password change and a sign-out
    failed = await graphql_http(api_server.base_url, WRONG_LOGIN, email=email)
    await graphql_http(api_server.base_url, LOGIN_TOKENS, email=email, password=PASSWORD)
    changed = await world.call(
        "owner", CHANGE_PASSWORD, current=PASSWORD, new="a brand new passphrase"
    )
    refresh = changed["data"]["changePassword"]["refreshToken"]
    logged_out = await graphql_http(api_server.base_url, LOGOUT, refresh=refresh)

    # then
    assert failed["data"]["login"]["__typename"] == "InvalidCredentials"
    assert logged_out["data"]["logout"]["__typename"] == "LoggedOut"
    entries = await _entries("user", owner_id)
    assert [(e.actor, e.api_key_id, e.action, e.before) for e in entries] == [
        (f"user:{admin.id}", None, "create", None),
        (f"user:{owner_id}", None, "signed_in", None),
        (f"user:{owner_id}", None, "signed_in", None),
        (f"user:{owner_id}", None, "change_password", None),
        (f"user:{owner_id}", None, "signed_out", None),
    ]
    assert [e.after for e in entries[1:]] == [
        {"address": "127.0.0.1"},
        {"address": "127.0.0.1"},
        None,
        None,
    ]
    assert _without(entries[0].after, "created_at") == {
        "id": owner_id,
        "email": email,
        "full_name": "Owner",
        "is_site_admin": False,
        "is_active": True,
    }
    stored = await User.get(PydanticObjectId(owner_id))
    assert stored is not None
    trail = await _stored_trail()
    assert "password_hash" not in trail
    assert stored.password_hash not in trail


async def test_accounts_made_outside_graphql_name_the_system_as_their_creator(
    api_server: ApiServer, services: Services, engine_env: dict[str, str], tmp_path: Path
) -> None:
    # given: the server made the site administrator from SCHEDULER_ADMIN_EMAIL at start

    # when
    result = await asyncio.to_thread(_create_admin, {**os.environ, **engine_env}, tmp_path)

    # then
    assert result.returncode == 0, result.stderr
    created = await AuditEntry.find({"entity": "user", "action": "create"}).sort("at").to_list()
    users = {u.email: u for u in await User.find_all().to_list()}
    assert [(e.actor, e.entity_id, e.before) for e in created] == [
        ("system:bootstrap", str(users[ADMIN_EMAIL].id), None),
        ("system:cli", str(users["root@example.org"].id), None),
    ]
    assert [_without(e.after, "id", "created_at") for e in created] == [
        {
            "email": ADMIN_EMAIL,
            "full_name": "Site administrator",
            "is_site_admin": True,
            "is_active": True,
        },
        {
            "email": "root@example.org",
            "full_name": "Site administrator",
            "is_site_admin": True,
            "is_active": True,
        },
    ]
    trail = await _stored_trail()
    assert "password_hash" not in trail
    assert all(user.password_hash not in trail for user in users.values())


async def test_organizations_and_api_keys_record_their_changes_and_the_acting_key(
    api_server: ApiServer, services: Services
) -> None:
    # given: the owner created the organization (make_world)
    world = await make_world(api_server)
    organization_id = database_id(world.organization)
    owner = _user(world, "owner")

    # when: the owner creates a key for a script and a key that manages members, and the
    # second key revokes the first
    script = await world.call(
        "owner", CREATE_API_KEY, org=world.organization, name="script",
        permissions=["WRITE", "READ"],
    )  # fmt: skip
    manager = await world.call(
        "owner", CREATE_API_KEY, org=world.organization, name="manager",
        permissions=["MANAGE_MEMBERS"],
    )  # fmt: skip
    script_key = script["data"]["createApiKey"]
    manager_key = manager["data"]["createApiKey"]
    revoked = await graphql_http(
        api_server.base_url, REVOKE_API_KEY, token=manager_key["secret"],
        id=script_key["apiKey"]["id"],
    )  # fmt: skip
    trail_read = await world.call("owner", API_KEY_TRAIL, id=script_key["apiKey"]["id"])

    # then
    created, member_set = await _entries("organization", organization_id)
    assert (member_set.actor, member_set.action) == (owner, "set_member")
    assert (created.actor, created.action, created.before, created.organization_id) == (
        owner,
        "create",
        None,
        organization_id,
    )
    assert created.after is not None
    assert (created.after["name"], created.after["short_name"]) == ("Vega Club", "vega")
    assert [(m["user_id"], m["is_owner"]) for m in created.after["members"]] == [
        (database_id(world.user_ids["owner"]), True)
    ]
    key_id = database_id(script_key["apiKey"]["id"])
    manager_id = database_id(manager_key["apiKey"]["id"])
    entries = await _entries("api_key", key_id)
    as_created = {
        "id": key_id,
        "name": "script",
        "prefix": script_key["apiKey"]["prefix"],
        "organization_id": organization_id,
        "permissions": ["read", "write"],
        "created_by": database_id(world.user_ids["owner"]),
        "revoked_at": None,
        "last_used_at": None,
    }
    assert [(e.actor, e.api_key_id, e.action, e.organization_id) for e in entries] == [
        (owner, None, "create", organization_id),
        (owner, manager_id, "revoke", organization_id),
    ]
    assert entries[0].before is None
    assert _without(entries[0].after, "created_at") == as_created
    assert _without(entries[1].before, "created_at") == as_created
    revoked_at = datetime.fromisoformat(revoked["data"]["revokeApiKey"]["revokedAt"])
    assert _without(entries[1].after, "created_at", "revoked_at") == _without(
        as_created, "revoked_at"
    )
    assert datetime.fromisoformat(_without(entries[1].after)["revoked_at"]) == revoked_at
    assert as_lists(trail_read["data"]["auditTrail"]) == [
        {
            "actor": f"user:{world.user_ids['owner']}",
            "action": "revoke",
            "apiKeyId": manager_key["apiKey"]["id"],
            "entityId": script_key["apiKey"]["id"],
        },
        {
            "actor": f"user:{world.user_ids['owner']}",
            "action": "create",
            "apiKeyId": None,
            "entityId": script_key["apiKey"]["id"],
        },
    ]
    trail = await _stored_trail()
    assert "secret_hash" not in trail
    assert script_key["secret"] not in trail
    assert manager_key["secret"] not in trail


async def test_library_targets_record_what_was_saved_and_what_was_deleted(
    api_server: ApiServer, services: Services
) -> None:
    # given
    world = await make_world(api_server)
    organization_id = database_id(world.organization)

    # when: a member saves a target and the owner deletes it
    saved = await world.call("member", SAVE_TARGET, org=world.organization)
    target = saved["data"]["saveLibraryTarget"]["id"]
    deleted = await world.call("owner", DELETE_TARGET, org=world.organization, id=target)

    # then
    assert deleted["data"]["deleteLibraryTarget"]["__typename"] == "Deleted"
    target_id = database_id(target)
    entries = await _entries("library_target", target_id)
    assert [(e.actor, e.action, e.organization_id) for e in entries] == [
        (_user(world, "member"), "create", organization_id),
        (_user(world, "owner"), "delete", organization_id),
    ]
    as_saved = {
        "id": target_id,
        "organization_id": organization_id,
        "name": "Cocoon Nebula",
        "name_key": "cocoon nebula",
        "ra_deg": 328.38,
        "dec_deg": 47.27,
        "notes": "IC 5146",
        "tags": ["nebula"],
        "priority": 6,
        "created_by": database_id(world.user_ids["member"]),
    }
    assert (entries[0].before, _without(entries[0].after, "created_at")) == (None, as_saved)
    assert (_without(entries[1].before, "created_at"), entries[1].after) == (as_saved, None)


async def test_registration_decisions_record_the_decision_but_never_the_issued_key(
    api_server: ApiServer, services: Services
) -> None:
    # given: two machines asked to be registered
    world = await make_world(api_server)
    organization_id = database_id(world.organization)
    accepted = await request_registration(
        code="hill-top", name="Hill Top", contact_email="ops@example.org", location=SITE,
        fingerprint="sha256:" + "ab" * 32,
    )  # fmt: skip
    refused = await request_registration(
        code="valley", name="Valley", contact_email="ops@example.org", location=SITE,
        fingerprint="sha256:" + "cd" * 32,
    )  # fmt: skip

    # when
    approved = await world.call(
        "owner", APPROVE, registration=global_id("ObservatoryRegistration", str(accepted.id)),
        org=world.organization,
    )  # fmt: skip
    rejected = await world.call(
        "owner", REJECT, registration=global_id("ObservatoryRegistration", str(refused.id)),
        org=world.organization,
    )  # fmt: skip

    # then
    assert rejected["data"]["rejectObservatoryRegistration"]["__typename"] == (
        "ObservatoryRegistration"
    )
    observatory = approved["data"]["approveObservatoryRegistration"]["observatory"]["id"]
    owner_id = database_id(world.user_ids["owner"])
    decided = {"decided_by": owner_id}
    for registration, action, after in (
        (
            accepted,
            "approve",
            {
                "status": "approved",
                "observatory_id": database_id(observatory),
                "organization_id": organization_id,
                "reason": "",
            },
        ),
        (
            refused,
            "reject",
            {
                "status": "rejected",
                "observatory_id": None,
                "organization_id": None,
                "reason": "unknown site",
            },
        ),
    ):
        (entry,) = await _entries("observatory_registration", str(registration.id))
        assert (entry.actor, entry.action, entry.organization_id) == (
            f"user:{owner_id}",
            action,
            organization_id,
        )
        assert entry.before is not None
        assert entry.after is not None
        changed = ("status", "observatory_id", "organization_id", "reason", "decided_by")
        assert {name: entry.before[name] for name in changed} == {
            "status": "pending",
            "observatory_id": None,
            "organization_id": None,
            "reason": "",
            "decided_by": None,
        }
        assert {name: entry.after[name] for name in changed} == after | decided
        assert "issued_key" not in entry.before
        assert "issued_key" not in entry.after
    stored = await ObservatoryRegistration.get(accepted.id)
    assert stored is not None
    assert stored.issued_key is not None
    assert stored.issued_key not in await _stored_trail()


async def test_key_rotation_and_reprocessing_record_before_and_after(
    api_server: ApiServer, services: Services
) -> None:
    # given: a processed frame in the world's project
    world = await make_world(api_server)
    frame = Frame(
        organization_id=PydanticObjectId(database_id(world.organization)),
        project_id=PydanticObjectId(database_id(world.project)),
        uploaded_by=_user(world, "owner"),
        original_sha256="0" * 64,
        size_bytes=2880,
        raw_key="raw/frame.fits.fz",
        state=FrameState.DONE,
    )
    await frame.insert()

    # when
    rotated = await world.call("owner", ROTATE, id=world.observatory)
    reprocessed = await world.call("owner", REPROCESS, id=global_id("Frame", str(frame.id)))

    # then
    new_key = rotated["data"]["rotateObservatoryKey"]["apiKey"]
    assert reprocessed["data"]["reprocessFrame"] == {"__typename": "Frame", "state": "PROCESSING"}
    owner = _user(world, "owner")
    (rotation,) = [
        e for e in await _entries("observatory", database_id(world.observatory))
        if e.action == "rotate_key"
    ]  # fmt: skip
    assert (rotation.actor, rotation.before, rotation.after) == (
        owner,
        {"api_key_prefix": world.observatory_key[:12], "pending_key_prefix": None},
        {"api_key_prefix": world.observatory_key[:12], "pending_key_prefix": new_key[:12]},
    )
    (reprocess,) = await _entries("frame", str(frame.id))
    assert (reprocess.actor, reprocess.action, reprocess.before, reprocess.after) == (
        owner,
        "reprocess",
        {"state": "done", "generation": 0},
        {"state": "processing", "generation": 1},
    )
    status = await ObservatoryLiveStatus.find_one(
        ObservatoryLiveStatus.observatory_id == PydanticObjectId(database_id(world.observatory))
    )
    assert status is not None
    assert status.pending_key_hash is not None
    trail = await _stored_trail()
    assert new_key not in trail
    assert world.observatory_key not in trail
    assert status.pending_key_hash not in trail
    assert "api_key_hash" not in trail


async def test_a_person_acting_through_an_api_key_is_named_with_the_key(
    services: Services,
) -> None:
    # given: a person acting through one of their keys
    person = User(email="script-owner@example.org", password_hash="-")
    await person.insert()
    organization_id, key_id = PydanticObjectId(), PydanticObjectId()
    acting = person.acting_through(KeyScope(organization_id, frozenset({"read"}), key_id))

    # when
    await record_audit(acting, "organization", str(organization_id), "set_member")
    await record_audit(person, "organization", str(organization_id), "set_member")

    # then
    entries = await _entries("organization", str(organization_id))
    assert [(e.actor, e.api_key_id) for e in entries] == [
        (f"user:{person.id}", str(key_id)),
        (f"user:{person.id}", None),
    ]


async def test_what_a_script_does_with_a_key_is_audited_under_the_key(
    api_server: ApiServer,
) -> None:
    # given: the owner's WRITE key, used to create and cancel an observation
    world = await make_world(api_server)
    created_key = await world.call(
        "owner", CREATE_API_KEY, org=world.organization, name="nightly", permissions=["WRITE"]
    )
    key = created_key["data"]["createApiKey"]
    script = GapsWorld(**{**world.__dict__, "tokens": {"script": key["secret"]}})
    observation = await script.call(
        "script",
        """mutation ($project: ID!) {
          createObservation(input: {projectId: $project, name: "Scripted", submit: false,
            targets: [{name: "M42", exposures: [{filter: "L", exposureS: 60, count: 5}]}]}) {
            ... on Observation { id } } }""",
        project=world.project,
    )
    observation_id = observation["data"]["createObservation"]["id"]

    # when: the owner reads the observation's trail
    trail = await world.call(
        "owner",
        """query ($id: ID!) { auditTrail(entity: "observation", entityId: $id) {
          edges { node { actor action apiKeyId } } } }""",
        id=observation_id,
    )

    # then: the owner is the actor, and the key is named
    owner = f"user:{global_id('User', database_id(world.user_ids['owner']))}"
    assert as_lists(trail["data"]["auditTrail"]) == [
        {"actor": owner, "action": "create", "apiKeyId": key["apiKey"]["id"]}
    ]
