"""API keys for scripted clients: one organization, a set of permissions, acting for a person.

A key reads `ssk_` and 48 hex digits; its first twelve characters are its visible prefix, by
which it is found. Only the SHA-256 hash of the whole key is stored (compared in constant
time), and the key is shown once, when it is created.

Permissions a key may carry (what the key may do in its organization, and never more than its
creator may do there at the moment of use):

- `read`: see the organization's data (projects, observations, frames, observatories);
- `write`: everyday work on that data (submit, edit, cancel observations); implies `read`;
- `manage_members`, `manage_observatories`, `manage_projects`, `manage_billing`,
  `manage_storage`: the organization member permission of the same name; each implies `read`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

from beanie import Document, Indexed, PydanticObjectId
from pydantic import Field
from pymongo.errors import DuplicateKeyError

from domain.accounts.user import User, utcnow
from domain.audit import record_audit, snapshot
from domain.errors import FieldProblem, Forbidden, NotFound, ValidationFailed
from domain.organizations.organization import Organization, OrganizationPermission
from domain.secrets import issue_secret, matches, prefix_of

if TYPE_CHECKING:
    from domain.accounts.principal import Principal

KEY_KIND = "ssk"
_MAX_NAME_LENGTH = 100
LAST_USED_RESOLUTION = timedelta(minutes=1)


class ApiKeyPermission(StrEnum):
    READ = "read"
    WRITE = "write"
    MANAGE_MEMBERS = OrganizationPermission.MANAGE_MEMBERS.value
    MANAGE_OBSERVATORIES = OrganizationPermission.MANAGE_OBSERVATORIES.value
    MANAGE_PROJECTS = OrganizationPermission.MANAGE_PROJECTS.value
    MANAGE_BILLING = OrganizationPermission.MANAGE_BILLING.value
    MANAGE_STORAGE = OrganizationPermission.MANAGE_STORAGE.value


class ApiKey(Document):
    name: str
    prefix: Annotated[str, Indexed(unique=True)]
    secret_hash: str
    organization_id: Annotated[PydanticObjectId, Indexed()]
    permissions: set[ApiKeyPermission]
    created_by: PydanticObjectId
    created_at: datetime = Field(default_factory=utcnow)
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None

    class Settings:
        name = "api_keys"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


def looks_like_api_key(credential: str) -> bool:
    return credential.startswith(f"{KEY_KIND}_")


def held_permissions(user: User, organization: Organization) -> set[ApiKeyPermission]:
    """What `user` may do in `organization` now, in API-key terms (empty for outsiders)."""
    if user.is_site_admin:
        return set(ApiKeyPermission)
    assert user.id is not None
    member = organization.member(user.id)
    if member is None:
        return set()
    if member.is_owner:
        return set(ApiKeyPermission)
    held = {ApiKeyPermission.READ, ApiKeyPermission.WRITE}
    return held | {ApiKeyPermission(p.value) for p in member.permissions}


async def _organization(organization_id: str) -> Organization:
    if not PydanticObjectId.is_valid(organization_id):
        raise NotFound("organization", organization_id)
    organization = await Organization.get(PydanticObjectId(organization_id))
    if organization is None:
        raise NotFound("organization", organization_id)
    return organization


async def _managed_organization(
    principal: Principal, organization_id: str, doing: str
) -> Organization:
    """The organization, if `principal` may manage its keys (NotFound for outsiders)."""
    organization = await _organization(organization_id)
    held = principal.permissions_in(organization)
    if not held:
        raise NotFound("organization", organization_id)
    if ApiKeyPermission.MANAGE_MEMBERS not in held:
        raise Forbidden(f"only the owner or members who manage members may {doing}")
    return organization


async def create_api_key(
    principal: Principal, organization_id: str, name: str, permissions: set[ApiKeyPermission]
) -> tuple[ApiKey, str]:
    """Create a key for an organization; return it and the full key, which is never stored.

    Only a signed-in person may create keys (a key cannot mint keys), and only with
    permissions they hold themselves.
    """
    if principal.is_api_key:
        raise Forbidden("API keys cannot create API keys; sign in as a person")
    organization = await _managed_organization(principal, organization_id, "create API keys")
    problems = []
    if not 1 <= len(name.strip()) <= _MAX_NAME_LENGTH:
        problems.append(FieldProblem(("name",), f"must be 1 to {_MAX_NAME_LENGTH} characters"))
    if not permissions:
        problems.append(FieldProblem(("permissions",), "name at least one permission"))
    if problems:
        raise ValidationFailed(problems)
    beyond = permissions - principal.permissions_in(organization)
    if beyond:
        raise Forbidden(f"you do not hold these permissions: {', '.join(sorted(beyond))}")
    assert principal.user.id is not None
    assert organization.id is not None
    while True:
        issued = issue_secret(KEY_KIND)
        api_key = ApiKey(
            name=name.strip(),
            prefix=issued.prefix,
            secret_hash=issued.sha256,
            organization_id=organization.id,
            permissions=permissions,
            created_by=principal.user.id,
        )
        try:
            await api_key.insert()
        except DuplicateKeyError:  # the prefix is taken (about 1 in 4 billion per key)
            continue
        await _audit(principal, api_key, "create", before=None, after=audited(api_key))
        return api_key, issued.secret


def audited(api_key: ApiKey) -> dict[str, Any]:
    """The key as the audit trail keeps it: never its secret nor the secret's hash."""
    return snapshot(api_key, exclude={"secret_hash", "permissions"}) | {
        "permissions": sorted(p.value for p in api_key.permissions)
    }


async def _audit(
    principal: Principal,
    api_key: ApiKey,
    action: str,
    *,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    acting_key = principal.api_key
    await record_audit(
        principal.user,
        "api_key",
        str(api_key.id),
        action,
        before=before,
        after=after,
        organization_id=str(api_key.organization_id),
        api_key_id=str(acting_key.id) if acting_key is not None else None,
    )


async def api_keys_query(principal: Principal, organization_id: str) -> dict[str, Any]:
    """The query for the organization's keys, for those who manage its members."""
    organization = await _managed_organization(principal, organization_id, "see API keys")
    return {"organization_id": organization.id}


async def api_keys_of(principal: Principal, organization_id: str) -> list[ApiKey]:
    """The organization's keys, oldest first, for those who manage its members."""
    organization = await _managed_organization(principal, organization_id, "see API keys")
    found = ApiKey.find(ApiKey.organization_id == organization.id)
    return await found.sort("created_at").to_list()


async def revoke_api_key(principal: Principal, key_id: str) -> ApiKey:
    """Revoke a key: its creator, or whoever manages the organization's members, may."""
    if not PydanticObjectId.is_valid(key_id):
        raise NotFound("API key", key_id)
    api_key = await ApiKey.get(PydanticObjectId(key_id))
    if api_key is None:
        raise NotFound("API key", key_id)
    own = not principal.is_api_key and api_key.created_by == principal.user.id
    if not own:
        try:
            await _managed_organization(
                principal, str(api_key.organization_id), "revoke others' API keys"
            )
        except NotFound:
            raise NotFound("API key", key_id) from None
    if api_key.revoked_at is None:
        now = utcnow()
        before = audited(api_key)
        result = await ApiKey.get_pymongo_collection().update_one(
            {"_id": api_key.id, "revoked_at": None}, {"$set": {"revoked_at": now}}
        )
        api_key.revoked_at = now
        if result.modified_count:  # else someone revoked it at the same moment (and audited)
            await _audit(principal, api_key, "revoke", before=before, after=audited(api_key))
    return api_key


async def authenticate_api_key(key: str) -> ApiKey | None:
    """The live key matching `key`, or None; records its use at most once a minute."""
    prefix = prefix_of(key, KEY_KIND)
    if prefix is None:
        return None
    api_key = await ApiKey.find_one(ApiKey.prefix == prefix)
    if api_key is None or not matches(key, api_key.secret_hash):
        return None
    if api_key.is_revoked:
        return None
    now = utcnow()
    stale = now - LAST_USED_RESOLUTION
    if api_key.last_used_at is None or api_key.last_used_at < stale:
        await ApiKey.get_pymongo_collection().update_one(
            {
                "_id": api_key.id,
                "$or": [{"last_used_at": None}, {"last_used_at": {"$lt": stale}}],
            },
            {"$set": {"last_used_at": now}},
        )
        api_key.last_used_at = now
    return api_key
