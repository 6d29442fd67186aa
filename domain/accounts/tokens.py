"""Short-lived JWT access tokens: one algorithm, issuer, audience and expiry always checked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt

ALGORITHM = "HS256"
ISSUER = "science-scheduler"
AUDIENCE = "science-scheduler-api"


class InvalidToken(Exception):
    """The token is malformed, signed with another key or algorithm, expired or not ours."""


@dataclass(frozen=True)
class AccessClaims:
    user_id: str
    expires_at: datetime


def issue_access_token(user_id: str, key: bytes, lifetime: timedelta) -> str:
    now = datetime.now(UTC)
    claims = {"sub": user_id, "iss": ISSUER, "aud": AUDIENCE, "iat": now, "exp": now + lifetime}
    return jwt.encode(claims, key, algorithm=ALGORITHM)


def read_access_token(token: str, key: bytes) -> AccessClaims:
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            audience=AUDIENCE,
            issuer=ISSUER,
            options={"require": ["sub", "exp", "iss", "aud"]},
        )
    except jwt.PyJWTError as error:
        raise InvalidToken(str(error)) from None
    return AccessClaims(str(claims["sub"]), datetime.fromtimestamp(claims["exp"], UTC))
