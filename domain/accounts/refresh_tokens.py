"""Rotating refresh tokens, stored only as SHA-256 hashes and grouped in families.

A sign-in starts a family. Each refresh marks the presented token used and issues the next
one in the same family. A used token presented again means that two parties hold it (one of
them stole it), so the whole family is revoked and both must sign in again.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import datetime, timedelta
from typing import Annotated

from beanie import Document, Indexed, PydanticObjectId
from pydantic import Field

from domain.accounts.user import utcnow
from domain.errors import DomainError

_TOKEN_BYTES = 32


class InvalidRefreshToken(DomainError):
    """The refresh token is unknown, expired, revoked or was already used."""


class RefreshToken(Document):
    token_hash: Annotated[str, Indexed(unique=True)]
    user_id: Annotated[PydanticObjectId, Indexed()]
    family_id: Annotated[str, Indexed()]
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    used_at: datetime | None = None
    revoked_at: datetime | None = None

    class Settings:
        name = "refresh_tokens"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def issue_refresh_token(
    user_id: PydanticObjectId, lifetime: timedelta, family_id: str | None = None
) -> str:
    """Store a new token (in a new family unless one is given); return it, shown only now."""
    token = secrets.token_urlsafe(_TOKEN_BYTES)
    now = utcnow()
    await RefreshToken(
        token_hash=hash_token(token),
        user_id=user_id,
        family_id=family_id or uuid.uuid4().hex,
        created_at=now,
        expires_at=now + lifetime,
    ).insert()
    return token


async def consume_refresh_token(token: str) -> RefreshToken:
    """Mark a live token used and return it; a reused token revokes its whole family."""
    now = utcnow()
    collection = RefreshToken.get_pymongo_collection()
    claimed = await collection.find_one_and_update(
        {
            "token_hash": hash_token(token),
            "used_at": None,
            "revoked_at": None,
            "expires_at": {"$gt": now},
        },
        {"$set": {"used_at": now}},
    )
    if claimed is not None:
        consumed: RefreshToken = RefreshToken.model_validate(claimed)
        return consumed
    known = await RefreshToken.find_one(RefreshToken.token_hash == hash_token(token))
    if known is not None and known.used_at is not None:
        await revoke_family(known.family_id)
    raise InvalidRefreshToken()


async def revoke_family_of(token: str) -> PydanticObjectId:
    """Revoke the family the token belongs to (sign-out) and return its user's id; unknown
    tokens are refused."""
    known = await RefreshToken.find_one(RefreshToken.token_hash == hash_token(token))
    if known is None or known.expires_at <= utcnow():
        raise InvalidRefreshToken()
    await revoke_family(known.family_id)
    return known.user_id


async def revoke_family(family_id: str) -> None:
    await RefreshToken.get_pymongo_collection().update_many(
        {"family_id": family_id, "revoked_at": None}, {"$set": {"revoked_at": utcnow()}}
    )


async def revoke_all_of_user(user_id: PydanticObjectId) -> None:
    await RefreshToken.get_pymongo_collection().update_many(
        {"user_id": user_id, "revoked_at": None}, {"$set": {"revoked_at": utcnow()}}
    )
