"""Secrets shown once: a visible prefix to find them by, a SHA-256 hash to check them with."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

_PREFIX_CHARS = 8


@dataclass(frozen=True)
class IssuedSecret:
    secret: str  # shown to the user once, never stored
    prefix: str
    sha256: str


def issue_secret(kind: str) -> IssuedSecret:
    """A new `{kind}_{8 chars}{40 chars}` secret; `{kind}_{8 chars}` is its visible prefix."""
    body = secrets.token_hex(24)
    secret = f"{kind}_{body}"
    return IssuedSecret(secret, secret[: len(kind) + 1 + _PREFIX_CHARS], digest(secret))


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def prefix_of(secret: str, kind: str) -> str | None:
    if not secret.startswith(f"{kind}_") or len(secret) < len(kind) + 1 + _PREFIX_CHARS:
        return None
    return secret[: len(kind) + 1 + _PREFIX_CHARS]


def matches(secret: str, stored_sha256: str) -> bool:
    return hmac.compare_digest(digest(secret), stored_sha256)
