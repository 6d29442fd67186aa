"""API keys: shown once, used as a bearer credential, listed without secrets, revoked for good."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from argon2 import PasswordHasher
from bson import ObjectId
from pymongo.database import Database

from tests.accounts.conftest import login
from tests.conftest import ADMIN_EMAIL, ApiServer
from tests.graphql_client import as_lists, graphql_http
from tests.ids import database_id, global_id

CREATE_ORGANIZATION = """mutation ($shortName: String!) {
  createOrganization(input: {name: "Vega Club", shortName: $shortName}) {
    ... on Organization { id }
  }
}"""
CREATE_KEY = """mutation (
  $organizationId: ID!, $name: String!, $permissions: [ApiKeyPermission!]!
) {
  createApiKey(input: {organizationId: $organizationId, name: $name, permissions: $permissions}) {
    __typename
    ... on ApiKeyCreated {
      secret
      apiKey { id name prefix organizationId permissions revokedAt lastUsedAt }
    }
    ... on ValidationError { fields { path message } }
    ... on Forbidden { message }
    ... on NotFound { message }
  }
}"""
REVOKE_KEY = """mutation ($id: ID!) {
  revokeApiKey(input: {id: $id}) {
    __typename
    ... on ApiKey { id revokedAt }
    ... on Forbidden { message }
    ... on NotFound { message }
  }
}"""
LIST_KEYS = """query ($organizationId: ID!) {
  apiKeys(organizationId: $organizationId) {
    edges { node { id name prefix permissions createdById revokedAt } }
  }
}"""
ME = "query { me { email } }"

MEMBER_EMAIL = "member@example.org"
MEMBER_PASSWORD = "member password 1"


def _insert_member(
    database: Database[dict[str, Any]], organization_id: str, permissions: list[str]
) -> None:
    """A second person, a plain member of the organization with the given permissions."""
    user_id = ObjectId()
    database["users"].insert_one(
        {
            "_id": user_id,
            "email": MEMBER_EMAIL,
            "password_hash": PasswordHasher().hash(MEMBER_PASSWORD),
            "full_name": "Member",
            "is_site_admin": False,
            "is_active": True,
            "created_at": datetime.now(UTC),
        }
    )
    database["organizations"].update_one(
        {"_id": ObjectId(database_id(organization_id))},
        {
            "$push": {
                "members": {
                    "user_id": user_id,
                    "is_owner": False,
                    "permissions": permissions,
                    "added_at": datetime.now(UTC),
                    "added_by": None,
                }
            }
        },
    )


async def _organization(server: ApiServer, token: str) -> str:
    body = await graphql_http(server.base_url, CREATE_ORGANIZATION, token=token, shortName="vega")
    return str(body["data"]["createOrganization"]["id"])


async def _create_key(
    server: ApiServer, token: str, organization_id: str, permissions: list[str]
) -> dict[str, Any]:
    body = await graphql_http(
        server.base_url,
        CREATE_KEY,
        token=token,
        organizationId=organization_id,
        name="nightly export",
        permissions=permissions,
    )
    result: dict[str, Any] = body["data"]["createApiKey"]
    return result


def _unauthenticated(body: dict[str, Any]) -> bool:
    no_data = body["data"] is None or all(value is None for value in body["data"].values())
    return no_data and body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_key_is_shown_once_and_stored_only_as_its_hash(
    api_server: ApiServer, database: Database[dict[str, Any]]
) -> None:
    # given
    token = (await login(api_server))["accessToken"]
    organization_id = await _organization(api_server, token)

    # when
    created = await _create_key(api_server, token, organization_id, ["WRITE", "MANAGE_MEMBERS"])

    # then
    assert created["__typename"] == "ApiKeyCreated"
    secret = created["secret"]
    key = created["apiKey"]
    assert secret.startswith(key["prefix"])
    assert key["prefix"].startswith("ssk_")
    assert len(key["prefix"]) == 12
    assert len(secret) == 52
    assert key | {"id": None, "prefix": None} == {
        "id": None,
        "name": "nightly export",
        "prefix": None,
        "organizationId": organization_id,
        "permissions": ["WRITE", "MANAGE_MEMBERS"],
        "revokedAt": None,
        "lastUsedAt": None,
    }
    stored = database["api_keys"].find_one({"_id": ObjectId(database_id(key["id"]))})
    assert stored is not None
    assert stored["secret_hash"] == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(stored)


async def test_a_key_works_as_a_bearer_credential_and_is_listed_without_its_secret(
    api_server: ApiServer, database: Database[dict[str, Any]]
) -> None:
    # given
    signed_in = await login(api_server)
    token = signed_in["accessToken"]
    organization_id = await _organization(api_server, token)
    created = await _create_key(api_server, token, organization_id, ["MANAGE_MEMBERS"])
    secret = created["secret"]
    before = datetime.now(UTC)

    # when
    me = await graphql_http(api_server.base_url, ME, token=secret)
    listed = await graphql_http(
        api_server.base_url, LIST_KEYS, token=secret, organizationId=organization_id
    )

    # then
    after = datetime.now(UTC)
    assert me == {"data": {"me": {"email": ADMIN_EMAIL}}}
    assert as_lists(listed) == {
        "data": {
            "apiKeys": [
                {
                    "id": created["apiKey"]["id"],
                    "name": "nightly export",
                    "prefix": created["apiKey"]["prefix"],
                    "permissions": ["MANAGE_MEMBERS"],
                    "createdById": signed_in["user"]["id"],
                    "revokedAt": None,
                }
            ]
        }
    }
    assert secret not in str(listed)
    stored = database["api_keys"].find_one({"_id": ObjectId(database_id(created["apiKey"]["id"]))})
    assert stored is not None
    assert before <= stored["last_used_at"] <= after


async def test_last_use_is_written_at_most_once_a_minute(
    api_server: ApiServer, database: Database[dict[str, Any]]
) -> None:
    # given
    token = (await login(api_server))["accessToken"]
    organization_id = await _organization(api_server, token)
    created = await _create_key(api_server, token, organization_id, ["READ"])
    await graphql_http(api_server.base_url, ME, token=created["secret"])
    key_filter = {"_id": ObjectId(database_id(created["apiKey"]["id"]))}
    first_use = database["api_keys"].find_one(key_filter)
    assert first_use is not None

    # when
    for _ in range(3):
        await graphql_http(api_server.base_url, ME, token=created["secret"])

    # then
    assert database["api_keys"].find_one(key_filter) == first_use


async def test_a_revoked_key_is_refused_and_changes_nothing(
    api_server: ApiServer, database: Database[dict[str, Any]]
) -> None:
    # given
    token = (await login(api_server))["accessToken"]
    organization_id = await _organization(api_server, token)
    created = await _create_key(api_server, token, organization_id, ["MANAGE_MEMBERS"])
    other = await _create_key(api_server, token, organization_id, ["READ"])
    revoked = await graphql_http(
        api_server.base_url, REVOKE_KEY, token=token, id=created["apiKey"]["id"]
    )
    keys_before = list(database["api_keys"].find().sort("_id"))

    # when
    me = await graphql_http(api_server.base_url, ME, token=created["secret"])
    revoke_other = await graphql_http(
        api_server.base_url, REVOKE_KEY, token=created["secret"], id=other["apiKey"]["id"]
    )

    # then
    assert revoked["data"]["revokeApiKey"]["__typename"] == "ApiKey"
    assert revoked["data"]["revokeApiKey"]["revokedAt"] is not None
    assert _unauthenticated(me)
    assert _unauthenticated(revoke_other)
    assert me["errors"][0]["message"] == "the API key is unknown or revoked"
    assert list(database["api_keys"].find().sort("_id")) == keys_before


async def test_a_wrong_secret_with_a_real_prefix_is_refused(api_server: ApiServer) -> None:
    # given
    token = (await login(api_server))["accessToken"]
    organization_id = await _organization(api_server, token)
    secret = (await _create_key(api_server, token, organization_id, ["READ"]))["secret"]
    forged = secret[:12] + "0" * (len(secret) - 12)

    # when
    body = await graphql_http(api_server.base_url, ME, token=forged)

    # then
    assert _unauthenticated(body)


async def test_a_key_cannot_create_keys_or_act_as_a_person(
    api_server: ApiServer, database: Database[dict[str, Any]]
) -> None:
    # given
    token = (await login(api_server))["accessToken"]
    organization_id = await _organization(api_server, token)
    secret = (await _create_key(api_server, token, organization_id, ["MANAGE_MEMBERS"]))["secret"]
    organizations_before = list(database["organizations"].find())

    # when
    minted = await _create_key(api_server, secret, organization_id, ["READ"])
    person_only = await graphql_http(
        api_server.base_url, CREATE_ORGANIZATION, token=secret, shortName="by-key"
    )

    # then
    assert minted == {
        "__typename": "Forbidden",
        "message": "API keys cannot create API keys; sign in as a person",
    }
    assert person_only["data"] is None
    assert person_only["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert database["api_keys"].count_documents({}) == 1
    assert list(database["organizations"].find()) == organizations_before


async def test_only_members_who_manage_members_create_keys_and_only_what_they_hold(
    api_server: ApiServer, database: Database[dict[str, Any]]
) -> None:
    # given
    owner_token = (await login(api_server))["accessToken"]
    organization_id = await _organization(api_server, owner_token)
    _insert_member(database, organization_id, ["manage_projects"])
    member_token = (await login(api_server, MEMBER_EMAIL, MEMBER_PASSWORD))["accessToken"]

    # when
    plain = await _create_key(api_server, member_token, organization_id, ["READ"])
    database["organizations"].update_one(
        {"_id": ObjectId(database_id(organization_id)), "members.user_id": {"$exists": True}},
        {"$set": {"members.1.permissions": ["manage_members"]}},
    )
    beyond = await _create_key(api_server, member_token, organization_id, ["MANAGE_BILLING"])
    nowhere = global_id("Organization", str(ObjectId()))
    listed = await graphql_http(
        api_server.base_url, LIST_KEYS, token=member_token, organizationId=nowhere
    )

    # then
    assert plain == {
        "__typename": "Forbidden",
        "message": "only the owner or members who manage members may create API keys",
    }
    assert beyond == {
        "__typename": "Forbidden",
        "message": "you do not hold these permissions: manage_billing",
    }
    assert listed["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert database["api_keys"].count_documents({}) == 0


async def test_invalid_key_input_names_each_field(
    api_server: ApiServer, database: Database[dict[str, Any]]
) -> None:
    # given
    token = (await login(api_server))["accessToken"]
    organization_id = await _organization(api_server, token)

    # when
    body = await graphql_http(
        api_server.base_url,
        CREATE_KEY,
        token=token,
        organizationId=organization_id,
        name=" ",
        permissions=[],
    )

    # then
    assert body["data"]["createApiKey"] == {
        "__typename": "ValidationError",
        "fields": [
            {"path": ["name"], "message": "must be 1 to 100 characters"},
            {"path": ["permissions"], "message": "name at least one permission"},
        ],
    }
    assert database["api_keys"].count_documents({}) == 0
