"""Login throttling: sliding-window limits per account and per client address, kept in Redis.

Every attempt first asks for admission, atomically (one Lua script), before any password is
checked, so parallel requests and many aliases of `login` in one request are all counted.
An admitted attempt is recorded against both the account and the address; when it then
succeeds, its account entry is withdrawn, so the account limit counts failures only while the
address limit counts every attempt that reached a password check (each one costs an Argon2id
hash, which is what the address limit protects).
"""

from __future__ import annotations

import hashlib
import math
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from redis.asyncio import Redis

from domain.accounts.user import normalise_email
from domain.errors import DomainError

_ACCOUNT_KEY = "login-throttle:account:{}"
_ADDRESS_KEY = "login-throttle:address:{}"

# KEYS: account, address. ARGV: now_ms, window_ms, account_limit, address_limit, member.
# Returns 0 when admitted (and records the attempt under both keys), else the milliseconds
# until the oldest attempt that blocks leaves the window.
_ADMIT = """
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local limits = {tonumber(ARGV[3]), tonumber(ARGV[4])}
local wait = 0
for i = 1, 2 do
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - window)
  local count = redis.call('ZCARD', KEYS[i])
  if count >= limits[i] then
    local blocking = redis.call('ZRANGE', KEYS[i], count - limits[i], count - limits[i],
                                'WITHSCORES')
    local until_free = tonumber(blocking[2]) + window - now
    if until_free > wait then wait = until_free end
  end
end
if wait > 0 then return wait end
for i = 1, 2 do
  redis.call('ZADD', KEYS[i], now, ARGV[5])
  redis.call('PEXPIRE', KEYS[i], window)
end
return 0
"""


@dataclass(frozen=True)
class LoginLimits:
    failures_per_account: int = 10
    attempts_per_address: int = 30
    window: timedelta = timedelta(minutes=15)


@dataclass
class TooManyAttempts(DomainError):
    retry_after_seconds: int

    def __str__(self) -> str:
        return f"too many sign-in attempts; try again in {self.retry_after_seconds} s"


@dataclass(frozen=True)
class Admission:
    """An admitted attempt; report its success so it stops counting against the account."""

    account_key: str
    member: str


def _account_key(email: str) -> str:
    # Hashed, so that Redis never holds the addresses people typed.
    digest = hashlib.sha256(normalise_email(email).encode()).hexdigest()[:32]
    return _ACCOUNT_KEY.format(digest)


class LoginThrottle:
    """Admission control for password checks (sign-in and password change)."""

    def __init__(
        self,
        redis: Redis,
        limits: LoginLimits,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._redis = redis
        self._limits = limits
        self._clock = clock
        self._admit = redis.register_script(_ADMIT)

    async def admit(self, email: str, address: str) -> Admission:
        """Count one attempt, or raise TooManyAttempts without counting it."""
        account_key = _account_key(email)
        member = uuid.uuid4().hex
        window_ms = int(self._limits.window.total_seconds() * 1000)
        wait_ms = await self._admit(
            keys=[account_key, _ADDRESS_KEY.format(address)],
            args=[
                int(self._clock() * 1000),
                window_ms,
                self._limits.failures_per_account,
                self._limits.attempts_per_address,
                member,
            ],
        )
        if int(wait_ms) > 0:
            raise TooManyAttempts(retry_after_seconds=max(1, math.ceil(int(wait_ms) / 1000)))
        return Admission(account_key, member)

    async def succeeded(self, admission: Admission) -> None:
        """The attempt was right: it no longer counts as a failure of the account."""
        await self._redis.zrem(admission.account_key, admission.member)
