"""HMAC-SHA256 signatures for download URLs of the filesystem object store (pure functions)."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from enum import StrEnum
from urllib.parse import quote

_SIGNATURE_HEX = re.compile(r"[0-9a-f]{64}")
_FORBIDDEN_FILENAME_CHARS = re.compile(r'[\x00-\x1f\x7f"/\\]')


class SignatureCheck(StrEnum):
    """Outcome of checking a signed URL; the values double as error codes for clients."""

    VALID = "valid"
    INVALID = "invalid_signature"
    EXPIRED = "expired"


def validate_filename(filename: str) -> str:
    """Return ``filename`` if it is usable in a Content-Disposition header, else raise."""
    if not filename or len(filename) > 255 or _FORBIDDEN_FILENAME_CHARS.search(filename):
        raise ValueError(
            f"download filename {filename!r} must be 1-255 characters without '/', '\\', "
            "quotes or control characters"
        )
    return filename


def content_disposition(filename: str) -> str:
    """Return an ``attachment`` Content-Disposition for ``filename`` (RFC 6266, UTF-8 safe)."""
    fallback = filename.encode("ascii", "replace").decode("ascii").replace("?", "_")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def sign(secret: bytes, key: str, expires: int, filename: str | None = None) -> str:
    """Return the hex HMAC-SHA256 of ``(key, expires, filename)`` under ``secret``.

    ``expires`` is a Unix time in seconds. The three values are encoded as one JSON array, so
    no two different tuples share a message (``filename=None`` differs from ``""``).
    """
    if not secret:
        raise ValueError("the signing secret must not be empty")
    message = json.dumps([key, expires, filename], ensure_ascii=True, separators=(",", ":"))
    return hmac.new(secret, message.encode("ascii"), hashlib.sha256).hexdigest()


def verify(
    secret: bytes,
    key: str,
    expires: int,
    signature: str,
    *,
    now: float,
    filename: str | None = None,
) -> SignatureCheck:
    """Check a signature in constant time, then the expiry against ``now`` (Unix seconds).

    A URL is valid up to and including its ``expires`` second. A bad signature is reported as
    ``INVALID`` even when the URL has also expired, so forged URLs learn nothing.
    """
    expected = sign(secret, key, expires, filename)
    if _SIGNATURE_HEX.fullmatch(signature) is None or not hmac.compare_digest(expected, signature):
        return SignatureCheck.INVALID
    if now > expires:
        return SignatureCheck.EXPIRED
    return SignatureCheck.VALID
