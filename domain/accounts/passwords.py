"""Argon2id password hashing, bounded so parallel logins cannot exhaust memory."""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

# RFC 9106's second recommended option: 64 MiB, 3 passes; two hashes at once per process.
_HASHER = PasswordHasher(time_cost=3, memory_cost=64 * 1024, parallelism=1)
_CONCURRENT_HASHES = asyncio.Semaphore(2)

MIN_PASSWORD_LENGTH = 8

# Verified when the email is unknown so that timing does not reveal which accounts exist.
_DUMMY_HASH = _HASHER.hash("not-a-real-password")


async def hash_password(password: str) -> str:
    async with _CONCURRENT_HASHES:
        return await asyncio.to_thread(_HASHER.hash, password)


async def verify_password(password_hash: str | None, password: str) -> bool:
    async with _CONCURRENT_HASHES:
        try:
            return await asyncio.to_thread(_HASHER.verify, password_hash or _DUMMY_HASH, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False
