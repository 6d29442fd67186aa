"""Observatory API keys as the plugin uses them: authentication, fingerprints, rotation.

The observatory's current key is `Observatory.api_key_*` (the upload endpoint checks it). A
rotated key waits in the live status (sealed: `domain.sealing`) until the plugin acknowledges
it; both keys work until then, and from the acknowledgement on the old one is retired
(refused as revoked).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from beanie import PydanticObjectId

from domain import sealing, secrets
from domain.access.permissions import ObservatoryPermission
from domain.accounts.user import User
from domain.audit import record_audit
from domain.events import EventBus
from domain.observatories.access import observatory_for
from domain.observatories.live_status import (
    ObservatoryLiveStatus,
    live_status_of,
    publish_live_status,
    update_live_status,
)
from domain.observatories.observatory import Observatory
from domain.observatories.service import OBSERVATORY_KEY_KIND


class KeyRefusal(StrEnum):
    INVALID = "invalid_api_key"
    REVOKED = "api_key_revoked"
    FINGERPRINT_MISMATCH = "fingerprint_mismatch"


@dataclass
class PluginAuthenticationFailed(Exception):
    refusal: KeyRefusal
    message: str


async def authenticate_plugin(api_key: str, fingerprint: str) -> Observatory:
    """The observatory the key belongs to; enrolls the fingerprint on first use.

    Raises PluginAuthenticationFailed for an unknown, retired or mismatched key.
    """
    prefix = secrets.prefix_of(api_key, OBSERVATORY_KEY_KIND)
    if prefix is None:
        raise PluginAuthenticationFailed(KeyRefusal.INVALID, "the API key is not an sso_ key")
    observatory = await Observatory.find_one(Observatory.api_key_prefix == prefix)
    status: ObservatoryLiveStatus | None = None
    if observatory is not None and secrets.matches(api_key, observatory.api_key_hash):
        assert observatory.id is not None
        status = await live_status_of(observatory.id)
    else:
        status = await ObservatoryLiveStatus.find_one(
            ObservatoryLiveStatus.pending_key_prefix == prefix
        )
        if status is None or not secrets.matches(api_key, status.pending_key_hash or ""):
            retired = await ObservatoryLiveStatus.find_one({"retired_key_prefixes": prefix})
            if retired is not None:
                raise PluginAuthenticationFailed(
                    KeyRefusal.REVOKED, "the API key was revoked (replaced by a newer key)"
                )
            raise PluginAuthenticationFailed(KeyRefusal.INVALID, "the API key is unknown")
        observatory = await Observatory.get(status.observatory_id)
        if observatory is None:
            raise PluginAuthenticationFailed(KeyRefusal.INVALID, "the API key is unknown")
        status = await promote_pending_key(observatory)
    if status is not None and status.fingerprint not in (None, fingerprint):
        raise PluginAuthenticationFailed(
            KeyRefusal.FINGERPRINT_MISMATCH,
            "this machine differs from the one enrolled for the key; an admin must reset it",
        )
    if status is None or status.fingerprint is None:
        await update_live_status(observatory, {"fingerprint": fingerprint})
    return observatory


@dataclass(frozen=True)
class RotatedKey:
    observatory: Observatory
    api_key: str  # shown once


async def rotate_observatory_key(actor: User, observatory_id: str, bus: EventBus) -> RotatedKey:
    """Issue a new key (observatory admins); the plugin receives it over its socket."""
    observatory = await observatory_for(actor, observatory_id, ObservatoryPermission.ADMIN)
    assert observatory.id is not None
    previous = await live_status_of(observatory.id)
    issued = secrets.issue_secret(OBSERVATORY_KEY_KIND)
    status = await update_live_status(
        observatory,
        {
            "pending_key_prefix": issued.prefix,
            "pending_key_hash": issued.sha256,
            "pending_key_secret": sealing.seal(issued.secret),
        },
    )
    # Only the keys' visible prefixes (shown on the observatory anyway), never key material.
    await record_audit(
        actor,
        "observatory",
        observatory_id,
        "rotate_key",
        before={
            "api_key_prefix": observatory.api_key_prefix,
            "pending_key_prefix": previous.pending_key_prefix if previous else None,
        },
        after={
            "api_key_prefix": observatory.api_key_prefix,
            "pending_key_prefix": issued.prefix,
        },
        organization_id=str(observatory.organization_id),
    )
    await publish_live_status(bus, status, "key_rotated")
    return RotatedKey(observatory, issued.secret)


async def promote_pending_key(observatory: Observatory) -> ObservatoryLiveStatus | None:
    """The plugin holds the rotated key: make it current and retire the previous one."""
    assert observatory.id is not None
    status = await live_status_of(observatory.id)
    if status is None or status.pending_key_prefix is None or status.pending_key_hash is None:
        return status
    previous = observatory.api_key_prefix
    await Observatory.get_pymongo_collection().update_one(
        {"_id": observatory.id},
        {
            "$set": {
                "api_key_prefix": status.pending_key_prefix,
                "api_key_hash": status.pending_key_hash,
            }
        },
    )
    observatory.api_key_prefix = status.pending_key_prefix
    observatory.api_key_hash = status.pending_key_hash
    return await update_live_status(
        observatory,
        {"pending_key_prefix": None, "pending_key_hash": None, "pending_key_secret": None},
        push={"retired_key_prefixes": previous},
    )


async def reset_fingerprint(observatory_id: PydanticObjectId) -> None:
    """Forget the enrolled machine: the next connection enrolls its own."""
    await ObservatoryLiveStatus.get_pymongo_collection().update_one(
        {"observatory_id": observatory_id}, {"$set": {"fingerprint": None}}
    )
