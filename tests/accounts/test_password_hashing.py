"""Passwords are hashed with Argon2id (RFC 9106's 64 MiB option), and a burst of sign-ins
cannot make one process hold more than two hashes' memory at once."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from argon2 import PasswordHasher, extract_parameters

from domain.accounts.passwords import _DUMMY_HASH, hash_password, verify_password

BURST = textwrap.dedent(
    """
    import asyncio, resource
    from domain.accounts.passwords import hash_password

    def peak_mib():
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    async def main():
        await hash_password("warm up the hasher")
        before = peak_mib()
        await asyncio.gather(*(hash_password(f"password {n}") for n in range(8)))
        print(peak_mib() - before)

    asyncio.run(main())
    """
)


async def test_a_stored_hash_is_argon2id_with_the_documented_cost() -> None:
    # when
    stored = await hash_password("correct horse battery")

    # then: read with the argon2 library itself, not with our code
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=1$")
    assert PasswordHasher().verify(stored, "correct horse battery")
    assert await verify_password(stored, "correct horse battery")
    assert not await verify_password(stored, "Correct horse battery")
    assert not await verify_password(None, "anything")


async def test_an_unknown_email_costs_the_same_verification_as_a_real_account() -> None:
    # given: what an account's hash costs to verify
    stored = await hash_password("correct horse battery")

    # then: the hash verified for unknown emails has exactly the same parameters
    assert extract_parameters(_DUMMY_HASH) == extract_parameters(stored)
    assert not await verify_password(None, "not-a-real-password ")


def test_eight_concurrent_hashes_use_the_memory_of_two() -> None:
    # when: eight hashes at once in a fresh process (each needs 64 MiB while it runs)
    run = subprocess.run(
        [sys.executable, "-c", BURST], capture_output=True, text=True, timeout=120, check=True
    )

    # then: the peak grew by at most two hashes' worth, not eight (512 MiB)
    growth_mib = float(run.stdout)
    assert growth_mib < 2 * 64 + 16, f"peak resident memory grew by {growth_mib:.0f} MiB"
