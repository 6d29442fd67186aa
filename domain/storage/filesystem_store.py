"""Object store in a local directory: the embedded default (data dir)."""

from __future__ import annotations

import asyncio
import builtins
import hashlib
import hmac
import json
import math
import os
import re
import secrets
import time
from collections.abc import AsyncIterable, AsyncIterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote, urlencode

from domain.storage import signed_urls
from domain.storage.object_store import (
    DEFAULT_CONTENT_TYPE,
    ChecksumMismatch,
    ObjectInfo,
    ObjectNotFound,
    ObjectStoreUnavailable,
    clamp_range,
    validate_key,
    validate_metadata,
    validate_prefix,
    validate_sha256,
)
from domain.storage.signed_urls import SignatureCheck

READ_CHUNK_BYTES = 256 * 1024
WRITE_BATCH_BYTES = 1024 * 1024
MIN_URL_LIFETIME = timedelta(seconds=1)
MAX_URL_LIFETIME = timedelta(days=7)
DOWNLOAD_PATH = "/objects"

_SIDECAR = re.compile(r"\.(?P<name>[^.].*)\.meta\.json")
_SIGNING_CONTEXT = b"science-scheduler/object-download-url/v1"


@dataclass(frozen=True, slots=True)
class _Sidecar:
    """The committed state of one object, as stored in its sidecar file."""

    blob: str
    info: ObjectInfo

    def to_json(self) -> bytes:
        return json.dumps(
            {
                "blob": self.blob,
                "size": self.info.size,
                "sha256": self.info.sha256,
                "content_type": self.info.content_type,
                "metadata": dict(self.info.metadata),
                "modified": self.info.modified.isoformat() if self.info.modified else None,
            },
            sort_keys=True,
        ).encode()

    @classmethod
    def from_json(cls, key: str, raw: bytes) -> _Sidecar:
        doc: dict[str, Any] = json.loads(raw)
        modified = doc.get("modified")
        return cls(
            blob=str(doc["blob"]),
            info=ObjectInfo(
                key=key,
                size=int(doc["size"]),
                sha256=str(doc["sha256"]),
                content_type=str(doc["content_type"]),
                metadata={str(k): str(v) for k, v in doc["metadata"].items()},
                modified=datetime.fromisoformat(modified) if modified else None,
            ),
        )


class FilesystemObjectStore:
    """Objects as files under ``root``, with a JSON sidecar per object.

    Layout: the object ``a/b/frame.fits.fz`` is the sidecar ``a/b/.frame.fits.fz.meta.json``
    (size, SHA-256, content type, metadata, and the name of the data file) plus the data file
    ``a/b/.frame.fits.fz.<random>.blob``. Every internal file starts with a dot, which no key
    segment may, so they never collide with keys or show up in ``list``. A ``put`` writes a
    new data file, fsyncs it, then atomically replaces the sidecar: that ``os.replace`` is the
    commit point, so readers see the old object or the new one, never a mix. A crash can leave
    an unreferenced ``.blob`` file behind (garbage, never visible as an object).
    """

    def __init__(self, root: Path, *, signing_secret: bytes, public_base_url: str) -> None:
        if not signing_secret:
            raise ValueError("signing_secret must not be empty")
        self.root = Path(root)
        self.public_base_url = public_base_url.rstrip("/")
        self._url_secret = hmac.new(signing_secret, _SIGNING_CONTEXT, hashlib.sha256).digest()

    async def initialise(self) -> None:
        """Create the root directory; raise ``ObjectStoreUnavailable`` if it is not writable."""
        try:
            await asyncio.to_thread(self.root.mkdir, parents=True, exist_ok=True)
        except OSError as exc:
            raise ObjectStoreUnavailable(
                f"cannot create object directory {self.root}: {exc.strerror}"
            ) from exc
        await self.check()

    async def check(self) -> None:
        """Raise ``ObjectStoreUnavailable`` unless the root is a writable directory."""
        usable = await asyncio.to_thread(self._root_is_usable)
        if not usable:
            raise ObjectStoreUnavailable(f"object directory {self.root} is missing or not writable")

    async def close(self) -> None:
        """Nothing to release: every operation opens and closes its own files."""

    async def put(
        self,
        key: str,
        data: AsyncIterable[bytes],
        *,
        content_type: str = DEFAULT_CONTENT_TYPE,
        metadata: Mapping[str, str] | None = None,
        expected_sha256: str | None = None,
    ) -> ObjectInfo:
        """Stream ``data`` to a new data file and commit it under ``key`` (see class doc)."""
        validate_key(key)
        user_metadata = validate_metadata(content_type, metadata)
        expected = validate_sha256(expected_sha256) if expected_sha256 is not None else None
        directory, name = self._location(key)
        await asyncio.to_thread(directory.mkdir, parents=True, exist_ok=True)
        blob_name = f".{name}.{secrets.token_hex(8)}.blob"
        blob_path = directory / blob_name
        handle = await asyncio.to_thread(blob_path.open, "xb")
        try:
            digest, size = await self._write_stream(handle, data)
            if expected is not None and digest != expected:
                raise ChecksumMismatch(key, expected, digest)
            info = ObjectInfo(
                key=key,
                size=size,
                sha256=digest,
                content_type=content_type,
                metadata=user_metadata,
                modified=datetime.now(UTC),
            )
            previous_blob = await asyncio.to_thread(
                self._commit, directory, name, _Sidecar(blob_name, info)
            )
        except BaseException:
            handle.close()
            blob_path.unlink(missing_ok=True)
            raise
        await asyncio.to_thread(self._after_commit, directory, previous_blob)
        return info

    def open(
        self, key: str, *, start: int | None = None, end: int | None = None
    ) -> AsyncIterator[bytes]:
        """Stream the bytes ``[start, end)`` of the object (``end`` exclusive, clamped)."""
        validate_key(key)
        first, stop = clamp_range(start, end)
        return self._read(key, first, stop)

    async def head(self, key: str) -> ObjectInfo:
        """Describe the object; raise ``ObjectNotFound`` when it does not exist."""
        validate_key(key)
        sidecar = await asyncio.to_thread(self._load_sidecar, key)
        return sidecar.info

    async def delete(self, key: str) -> None:
        """Remove the sidecar (the commit point), then the data file; missing is fine."""
        validate_key(key)
        await asyncio.to_thread(self._delete_blocking, key)

    def list(self, prefix: str) -> AsyncIterator[ObjectInfo]:
        """Yield objects whose key starts with ``prefix``, in ascending key order."""
        validate_prefix(prefix)
        return self._list(prefix)

    async def checksum(self, key: str) -> str:
        """Return the SHA-256 recorded when the object was written."""
        info = await self.head(key)
        assert info.sha256 is not None
        return info.sha256

    async def signed_url(
        self, key: str, *, expires_in: timedelta, filename: str | None = None
    ) -> str:
        """Return ``{public_base_url}/objects/{key}?expires=..&signature=..[&filename=..]``.

        ``expires_in`` must be between 1 second and 7 days (the S3 limits, for one contract).
        """
        validate_key(key)
        if not MIN_URL_LIFETIME <= expires_in <= MAX_URL_LIFETIME:
            raise ValueError("expires_in must be between 1 second and 7 days")
        if filename is not None:
            signed_urls.validate_filename(filename)
        expires = math.ceil(time.time() + expires_in.total_seconds())
        params: dict[str, str | int] = {
            "expires": expires,
            "signature": signed_urls.sign(self._url_secret, key, expires, filename),
        }
        if filename is not None:
            params["filename"] = filename
        path = quote(key, safe="/")
        return f"{self.public_base_url}{DOWNLOAD_PATH}/{path}?{urlencode(params)}"

    def verify_download(
        self, key: str, *, expires: int, signature: str, filename: str | None = None
    ) -> SignatureCheck:
        """Check the query parameters of a URL made by ``signed_url`` against the clock."""
        return signed_urls.verify(
            self._url_secret, key, expires, signature, now=time.time(), filename=filename
        )

    # -- internals -------------------------------------------------------------------------

    def _location(self, key: str) -> tuple[Path, str]:
        directory, _, name = key.rpartition("/")
        return self.root / directory, name

    def _sidecar_path(self, key: str) -> Path:
        directory, name = self._location(key)
        return directory / f".{name}.meta.json"

    def _root_is_usable(self) -> bool:
        return self.root.is_dir() and os.access(self.root, os.W_OK | os.X_OK)

    async def _write_stream(self, handle: IO[bytes], data: AsyncIterable[bytes]) -> tuple[str, int]:
        hasher = hashlib.sha256()
        size = 0
        batch = bytearray()
        async for chunk in data:
            batch += chunk
            if len(batch) >= WRITE_BATCH_BYTES:
                size += len(batch)
                await asyncio.to_thread(_hash_and_write, handle, hasher, batch)
                batch = bytearray()
        size += len(batch)
        await asyncio.to_thread(_hash_and_write, handle, hasher, batch)
        await asyncio.to_thread(_flush_and_close, handle)
        return hasher.hexdigest(), size

    def _commit(self, directory: Path, name: str, sidecar: _Sidecar) -> str | None:
        """Atomically point the sidecar at the new data file; return the replaced data file."""
        final = directory / f".{name}.meta.json"
        temporary = directory / f".{name}.{secrets.token_hex(8)}.tmp"
        previous_blob: str | None = None
        try:
            previous_blob = json.loads(final.read_bytes())["blob"]
        except (FileNotFoundError, ValueError, KeyError):
            previous_blob = None
        try:
            with temporary.open("xb") as out:
                out.write(sidecar.to_json())
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, final)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
        return previous_blob if previous_blob != sidecar.blob else None

    def _after_commit(self, directory: Path, previous_blob: str | None) -> None:
        _fsync_directory(directory)
        if previous_blob is not None:
            (directory / previous_blob).unlink(missing_ok=True)

    def _load_sidecar(self, key: str) -> _Sidecar:
        try:
            raw = self._sidecar_path(key).read_bytes()
        except (FileNotFoundError, NotADirectoryError) as exc:
            raise ObjectNotFound(key) from exc
        return _Sidecar.from_json(key, raw)

    def _open_blob(self, key: str) -> tuple[IO[bytes], ObjectInfo]:
        # A concurrent put may replace the sidecar and remove the old data file between our
        # two reads; the new sidecar then names a data file that exists, so retry once.
        for _ in range(2):
            sidecar = self._load_sidecar(key)
            directory, _name = self._location(key)
            try:
                return (directory / sidecar.blob).open("rb"), sidecar.info
            except FileNotFoundError:
                continue
        raise ObjectNotFound(key)

    async def _read(self, key: str, start: int, end: int | None) -> AsyncIterator[bytes]:
        handle, info = await asyncio.to_thread(self._open_blob, key)
        try:
            stop = info.size if end is None else min(end, info.size)
            position = start
            if position < stop:
                await asyncio.to_thread(handle.seek, position)
            while position < stop:
                chunk = await asyncio.to_thread(handle.read, min(READ_CHUNK_BYTES, stop - position))
                if not chunk:
                    raise OSError(f"data file of {key!r} is shorter than its recorded size")
                position += len(chunk)
                yield chunk
        finally:
            handle.close()

    def _delete_blocking(self, key: str) -> None:
        directory, _name = self._location(key)
        try:
            sidecar = self._load_sidecar(key)
        except ObjectNotFound:
            return
        self._sidecar_path(key).unlink(missing_ok=True)
        _fsync_directory(directory)
        (directory / sidecar.blob).unlink(missing_ok=True)

    def _keys_under(self, prefix: str) -> builtins.list[str]:
        base_key = prefix.rpartition("/")[0]
        base = self.root / base_key if base_key else self.root
        keys: builtins.list[str] = []
        for directory, subdirectories, files in os.walk(base):
            subdirectories[:] = [d for d in subdirectories if not d.startswith(".")]
            relative = Path(directory).relative_to(self.root).as_posix()
            for file_name in files:
                match = _SIDECAR.fullmatch(file_name)
                if match is None:
                    continue
                key = match["name"] if relative == "." else f"{relative}/{match['name']}"
                if key.startswith(prefix):
                    keys.append(key)
        keys.sort()
        return keys

    async def _list(self, prefix: str) -> AsyncIterator[ObjectInfo]:
        keys = await asyncio.to_thread(self._keys_under, prefix)
        for key in keys:
            try:
                sidecar = await asyncio.to_thread(self._load_sidecar, key)
            except ObjectNotFound:
                continue  # deleted since the directory walk
            yield sidecar.info


def _hash_and_write(handle: IO[bytes], hasher: hashlib._Hash, data: bytearray) -> None:
    hasher.update(data)
    handle.write(data)


def _flush_and_close(handle: IO[bytes]) -> None:
    handle.flush()
    os.fsync(handle.fileno())
    handle.close()


def _fsync_directory(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
