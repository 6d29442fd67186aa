"""Sealed secrets: what a new API key looks like at rest until its plugin has it."""

from __future__ import annotations

import pytest

from domain import sealing


def test_a_sealed_secret_opens_with_the_same_app_secret_only() -> None:
    # given
    sealing.configure(b"app-secret-1")
    stored = sealing.seal("sso_0123456789abcdef0123456789abcdef")

    # when / then
    assert stored.startswith(sealing.SEALED_PREFIX)
    assert "0123456789abcdef" not in stored
    assert sealing.unseal(stored) == "sso_0123456789abcdef0123456789abcdef"
    sealing.configure(b"app-secret-2")
    with pytest.raises(sealing.SealError):
        sealing.unseal(stored)


def test_plaintext_or_altered_values_are_refused() -> None:
    sealing.configure(b"app-secret-1")
    stored = sealing.seal("sso_0123456789abcdef")
    altered = stored[:-4] + ("AAAA" if not stored.endswith("AAAA") else "BBBB")

    with pytest.raises(sealing.SealError):
        sealing.unseal("sso_0123456789abcdef")
    with pytest.raises(sealing.SealError):
        sealing.unseal(altered)
