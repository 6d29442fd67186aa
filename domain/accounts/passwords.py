"""Argon2id password hashing, bounded so parallel logins cannot exhaust memory."""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

# RFC 9106's second recommended option: 64 MiB, 3 passes; two hashes at once per process.
_HASHER = PasswordHasher(time_cost=3, memory_cost=64 * 1024, parallelism=1)
_CONCURRENT_HASHES = asyncio.Semaphore(2)

MIN_PASSWORD_LENGTH = 8

# Verified when the email is unknown so that timing does not reveal which accounts exist. A
# constant made with _HASHER's parameters (a test holds them equal): hashing it at import cost
# every process start a quarter of a second.
_DUMMY_HASH = (
    "$argon2id$v=19$m=65536,t=3,p=1$YMko0EGyYD98cnhaSM4lSQ"
    "$EcMX7T05BJ+zQkmXVFpXmHAiMqQB4QpgLCNBocaGzgA"
)


async def hash_password(password: str) -> str:
    async with _CONCURRENT_HASHES:
        return await asyncio.to_thread(_HASHER.hash, password)


async def verify_password(password_hash: str | None, password: str) -> bool:
    async with _CONCURRENT_HASHES:
        try:
            return await asyncio.to_thread(_HASHER.verify, password_hash or _DUMMY_HASH, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False
