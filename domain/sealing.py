"""Secrets that must be stored until delivered, sealed with the application's secret key.

A newly issued observatory API key waits in the database until the plugin acknowledges it
(it may be offline for days). It is stored sealed (Fernet: AES-128-CBC + HMAC-SHA256, key
derived from the app's secret key), never in plaintext, so a database dump or backup does
not hand out working keys. Every process that stores or delivers such a key calls
`configure` once at start (the API does); replicas share the app secret, so any of them can
unseal what another sealed.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken

SEALED_PREFIX = "sealed:v1:"
_CONTEXT = b"science-scheduler sealed secrets\x00"

_fernet: Fernet | None = None


class SealError(ValueError):
    """A stored value is not a sealed secret, was altered, or was sealed under another key."""


class SealingNotConfigured(RuntimeError):
    """`configure` was not called in this process."""


def configure(app_secret: bytes) -> None:
    """Use `app_secret` (the app's secret key) for sealing in this process."""
    global _fernet
    key = hashlib.sha256(_CONTEXT + app_secret).digest()
    _fernet = Fernet(base64.urlsafe_b64encode(key))


def _current() -> Fernet:
    if _fernet is None:
        raise SealingNotConfigured("call domain.sealing.configure(app_secret) at start")
    return _fernet


def seal(secret: str) -> str:
    """`secret` encrypted and authenticated, as text to store."""
    return SEALED_PREFIX + _current().encrypt(secret.encode()).decode("ascii")


def unseal(stored: str) -> str:
    """The secret `seal` produced `stored` from; SealError when it was tampered with or
    sealed under another app secret."""
    if not stored.startswith(SEALED_PREFIX):
        raise SealError("not a sealed secret")
    try:
        return _current().decrypt(stored[len(SEALED_PREFIX) :].encode("ascii")).decode()
    except InvalidToken:
        raise SealError("the sealed secret does not open with this app's secret key") from None
