"""Object store on MinIO or any S3 service, through the synchronous ``minio`` SDK.

Every SDK call runs on a bounded thread pool, never on the event loop. Uploads run on a
separate pool, because an upload thread waits on the async producer for the whole transfer.
"""

from __future__ import annotations

import asyncio
import builtins
import contextlib
import functools
import hashlib
import os
import queue
import threading
import uuid
from collections.abc import AsyncIterable, AsyncIterator, Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from itertools import islice
from typing import BinaryIO, Final, cast

import certifi
import urllib3
from minio import Minio
from minio.commonconfig import REPLACE, CopySource
from minio.datatypes import Object
from minio.error import MinioException, S3Error, ServerError
from urllib3.exceptions import HTTPError
from urllib3.util.retry import Retry

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

MIN_PART_BYTES: Final = 5 * 1024 * 1024
DEFAULT_PART_BYTES: Final = 8 * 1024 * 1024
READ_CHUNK_BYTES: Final = 256 * 1024
BRIDGE_BUFFER_BYTES: Final = 4 * 1024 * 1024
LIST_BATCH: Final = 100
STAGING_PREFIX: Final = ".staging/"
SHA256_METADATA: Final = "x-amz-meta-sha256"
USER_METADATA_PREFIX: Final = "x-amz-meta-"

_MISSING_OBJECT_CODES = frozenset({"NoSuchKey", "NoSuchObject", "ResourceNotFound"})
_CREDENTIAL_CODES = frozenset(
    {"AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidToken"}
)


class S3ObjectStore:
    """Objects in one S3 bucket; the SHA-256 lives in the ``x-amz-meta-sha256`` metadata.

    ``put`` uses multipart upload for anything larger than ``part_size``. With
    ``expected_sha256`` the digest is written as metadata up front and a mismatch, detected
    when the stream ends, aborts the multipart upload before it completes. Without it the
    object is uploaded under ``.staging/<uuid>`` and then server-side copied to its key with
    the computed digest, so the key never holds an object without its checksum.
    """

    def __init__(
        self,
        endpoint: str,
        access_key: str,
        secret_key: str,
        bucket: str,
        secure: bool = False,
        region: str | None = None,
        *,
        part_size: int = DEFAULT_PART_BYTES,
        connect_timeout: float = 2.0,
        read_timeout: float = 60.0,
        max_workers: int = 16,
        max_uploads: int = 8,
    ) -> None:
        if part_size < MIN_PART_BYTES:
            raise ValueError(f"part_size must be at least {MIN_PART_BYTES} bytes (S3 minimum)")
        self.bucket = bucket
        self.part_size = part_size
        self.endpoint_url = f"{'https' if secure else 'http'}://{endpoint}"
        http = urllib3.PoolManager(
            timeout=urllib3.Timeout(connect=connect_timeout, read=read_timeout),
            maxsize=max_workers + max_uploads,
            cert_reqs="CERT_REQUIRED",
            ca_certs=os.environ.get("SSL_CERT_FILE") or certifi.where(),
            retries=Retry(
                total=2,
                connect=1,
                read=1,
                backoff_factor=0.2,
                status_forcelist=[500, 502, 503, 504],
            ),
        )
        self._http = http
        self._client = Minio(
            endpoint,
            access_key=access_key,
            secret_key=secret_key,
            secure=secure,
            region=region,
            http_client=http,
        )
        self._calls = ThreadPoolExecutor(max_workers, thread_name_prefix="s3-store")
        self._uploads = ThreadPoolExecutor(max_uploads, thread_name_prefix="s3-upload")

    async def initialise(self) -> None:
        """Create the bucket if missing; raise ``ObjectStoreUnavailable`` naming the endpoint."""
        if await self._call(self._client.bucket_exists, self.bucket):
            return
        try:
            await self._call(self._client.make_bucket, self.bucket)
        except ObjectStoreUnavailable as exc:
            cause = exc.__cause__
            if isinstance(cause, S3Error) and cause.code == "BucketAlreadyOwnedByYou":
                return  # another replica created it meanwhile
            raise

    async def check(self) -> None:
        """One HEAD on the bucket; raise ``ObjectStoreUnavailable`` if it fails or is missing."""
        if not await self._call(self._client.bucket_exists, self.bucket):
            raise ObjectStoreUnavailable(
                f"S3 bucket {self.bucket!r} does not exist at {self.endpoint_url}"
            )

    async def close(self) -> None:
        """Release the thread pools and pooled connections."""
        self._calls.shutdown(wait=False, cancel_futures=True)
        self._uploads.shutdown(wait=False, cancel_futures=True)
        self._http.clear()

    async def put(
        self,
        key: str,
        data: AsyncIterable[bytes],
        *,
        content_type: str = DEFAULT_CONTENT_TYPE,
        metadata: Mapping[str, str] | None = None,
        expected_sha256: str | None = None,
    ) -> ObjectInfo:
        """Stream ``data`` into ``key`` with multipart upload (see the class docstring)."""
        validate_key(key)
        user_metadata = validate_metadata(content_type, metadata)
        expected = validate_sha256(expected_sha256) if expected_sha256 is not None else None
        headers = {f"{USER_METADATA_PREFIX}{name}": value for name, value in user_metadata.items()}
        if expected is not None:
            headers[SHA256_METADATA] = expected
            await self._stream_upload(key, key, data, content_type, headers, expected)
        else:
            staging = f"{STAGING_PREFIX}{uuid.uuid4().hex}"
            try:
                digest = await self._stream_upload(key, staging, data, content_type, headers, None)
                headers[SHA256_METADATA] = digest
                await self._call(
                    self._client.copy_object,
                    self.bucket,
                    key,
                    CopySource(self.bucket, staging),
                    metadata={"Content-Type": content_type, **headers},
                    metadata_directive=REPLACE,
                )
            finally:
                with contextlib.suppress(ObjectStoreUnavailable):
                    await asyncio.shield(
                        self._call(self._client.remove_object, self.bucket, staging)
                    )
        return await self.head(key)

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
        stat = await self._call_on(key, self._client.stat_object, self.bucket, key)
        return _object_info(key, stat)

    async def delete(self, key: str) -> None:
        """Remove the object; S3 deletes are idempotent already."""
        validate_key(key)
        await self._call_on(key, self._client.remove_object, self.bucket, key)

    def list(self, prefix: str) -> AsyncIterator[ObjectInfo]:
        """Yield objects whose key starts with ``prefix``, in ascending key order.

        S3 listings carry no user metadata, so each object is also HEADed (in parallel, per
        page of 100): a listing costs one request per object.
        """
        validate_prefix(prefix)
        return self._list(prefix)

    async def checksum(self, key: str) -> str:
        """Return the stored SHA-256, or compute it by streaming for foreign objects."""
        info = await self.head(key)
        if info.sha256 is not None:
            return info.sha256
        hasher = hashlib.sha256()
        async for chunk in self.open(key):
            hasher.update(chunk)
        return hasher.hexdigest()

    async def signed_url(
        self, key: str, *, expires_in: timedelta, filename: str | None = None
    ) -> str:
        """Return a presigned GET URL (1 second to 7 days), optionally as an attachment."""
        validate_key(key)
        if not timedelta(seconds=1) <= expires_in <= timedelta(days=7):
            raise ValueError("expires_in must be between 1 second and 7 days")
        response_headers: dict[str, str | list[str] | tuple[str]] | None = None
        if filename is not None:
            disposition = signed_urls.content_disposition(signed_urls.validate_filename(filename))
            response_headers = {"response-content-disposition": disposition}
        return await self._call(
            self._client.presigned_get_object,
            self.bucket,
            key,
            expires=expires_in,
            response_headers=response_headers,
        )

    # -- internals -------------------------------------------------------------------------

    async def _call[**P, R](self, function: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        """Run one SDK call on the pool, translating its errors."""
        return await self._call_on(None, function, *args, **kwargs)

    async def _call_on[**P, R](
        self, key: str | None, function: Callable[P, R], *args: P.args, **kwargs: P.kwargs
    ) -> R:
        """Run one SDK call about ``key`` on the pool; a missing object is ``ObjectNotFound``."""
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(
                self._calls, functools.partial(function, *args, **kwargs)
            )
        except (MinioException, HTTPError) as exc:
            raise self._translate(exc, key) from exc

    def _translate(self, exc: Exception, key: str | None) -> Exception:
        if isinstance(exc, S3Error):
            if key is not None and exc.code in _MISSING_OBJECT_CODES:
                return ObjectNotFound(key)
            if exc.code in _CREDENTIAL_CODES:
                return ObjectStoreUnavailable(
                    f"S3 endpoint {self.endpoint_url} rejected the credentials ({exc.code})"
                )
            if exc.code == "NoSuchBucket":
                return ObjectStoreUnavailable(
                    f"S3 bucket {self.bucket!r} does not exist at {self.endpoint_url}"
                )
            return ObjectStoreUnavailable(
                f"S3 endpoint {self.endpoint_url} failed: {exc.code}: {exc.message}"
            )
        if isinstance(exc, ServerError):
            return ObjectStoreUnavailable(
                f"S3 endpoint {self.endpoint_url} failed with HTTP status {exc.status_code}"
            )
        if isinstance(exc, MinioException):
            detail = " ".join(str(exc).split())
            return ObjectStoreUnavailable(
                f"S3 endpoint {self.endpoint_url} did not answer like S3: {detail}"
            )
        reason = getattr(exc, "reason", None) or exc
        detail = " ".join(str(reason).split())
        return ObjectStoreUnavailable(
            f"S3 endpoint {self.endpoint_url} is unreachable: {type(reason).__name__}: {detail}"
        )

    async def _stream_upload(
        self,
        key: str,
        object_name: str,
        data: AsyncIterable[bytes],
        content_type: str,
        headers: dict[str, str],
        expected: str | None,
    ) -> str:
        """Upload ``data`` under ``object_name``; return its SHA-256 (checked if expected)."""
        loop = asyncio.get_running_loop()
        bridge = _UploadBridge(loop, key, expected, BRIDGE_BUFFER_BYTES)
        upload = loop.run_in_executor(
            self._uploads,
            functools.partial(
                self._client.put_object,
                self.bucket,
                object_name,
                cast(BinaryIO, bridge),  # minio only calls read(size)
                length=-1,
                content_type=content_type,
                metadata=dict(headers),
                part_size=self.part_size,
                num_parallel_uploads=1,
            ),
        )
        pump = asyncio.create_task(bridge.pump(data))
        try:
            await upload
        except (MinioException, HTTPError) as exc:
            raise self._translate(exc, None) from exc
        finally:
            bridge.abort()
            pump.cancel()
            await asyncio.gather(pump, return_exceptions=True)
        return bridge.hexdigest()

    async def _read(self, key: str, start: int, end: int | None) -> AsyncIterator[bytes]:
        if end == start:
            await self.head(key)  # an empty range still requires the object to exist
            return
        length = 0 if end is None else end - start
        try:
            response = await self._call_on(
                key, self._client.get_object, self.bucket, key, offset=start, length=length
            )
        except ObjectStoreUnavailable as exc:
            cause = exc.__cause__
            if isinstance(cause, S3Error) and cause.code == "InvalidRange":
                return  # start is at or past the end of the object
            raise
        try:
            while True:
                chunk = await self._call(response.read, READ_CHUNK_BYTES)
                if not chunk:
                    return
                yield chunk
        finally:
            response.close()
            response.release_conn()

    async def _list(self, prefix: str) -> AsyncIterator[ObjectInfo]:
        listing = await self._call(
            self._client.list_objects, self.bucket, prefix=prefix, recursive=True
        )
        while True:
            batch: builtins.list[Object] = await self._call(
                lambda: list(islice(listing, LIST_BATCH))
            )
            if not batch:
                return
            keys = [item.object_name for item in batch if _is_store_key(item.object_name)]
            infos = await asyncio.gather(*(self._head_if_present(k) for k in keys if k))
            for info in infos:
                if info is not None:
                    yield info

    async def _head_if_present(self, key: str) -> ObjectInfo | None:
        try:
            return await self.head(key)
        except ObjectNotFound:
            return None  # deleted since it was listed


class _UploadBridge:
    """A sync ``read(size)`` for minio, fed by an async iterator through a bounded buffer.

    The event loop runs ``pump``; minio's upload thread calls ``read``. At most about
    ``limit`` bytes wait between the two (plus one incoming chunk), so memory stays bounded
    whatever the object size. The SHA-256 is computed in the upload thread; a mismatch with
    ``expected`` raises ``ChecksumMismatch`` from ``read`` at end of stream, which makes minio
    abort the multipart upload before completing it.
    """

    _EOF: Final = object()

    def __init__(
        self, loop: asyncio.AbstractEventLoop, key: str, expected: str | None, limit: int
    ) -> None:
        self._loop = loop
        self._key = key
        self._expected = expected
        self._limit = limit
        self._queue: queue.SimpleQueue[bytes | BaseException | object] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._buffered = 0
        self._space = asyncio.Event()
        self._pending = bytearray()
        self._hasher = hashlib.sha256()
        self._finished = False
        self._aborted = False

    async def pump(self, data: AsyncIterable[bytes]) -> None:
        """Move chunks from ``data`` into the buffer, waiting while it is full."""
        try:
            async for chunk in data:
                while self._over_limit():
                    self._space.clear()
                    if not self._over_limit():
                        break
                    await self._space.wait()
                with self._lock:
                    self._buffered += len(chunk)
                self._queue.put(bytes(chunk))
        except Exception as exc:
            self._queue.put(exc)
        else:
            self._queue.put(self._EOF)

    def abort(self) -> None:
        """Make a waiting or future ``read`` fail, so minio gives up (and aborts multipart)."""
        with self._lock:
            self._aborted = True
        self._queue.put(ConnectionAbortedError("upload abandoned by its caller"))

    def read(self, size: int = -1) -> bytes:
        """Return ``size`` bytes (fewer only at end of stream); called by minio's thread."""
        while not self._finished and (size < 0 or len(self._pending) < size):
            item = self._queue.get()
            if item is self._EOF:
                self._finish()
            elif isinstance(item, BaseException):
                raise item
            elif isinstance(item, bytes):
                self._hasher.update(item)
                self._pending += item
                self._release(len(item))
        if size < 0 or size >= len(self._pending):
            out = bytes(self._pending)
            self._pending.clear()
        else:
            with memoryview(self._pending) as view:
                out = bytes(view[:size])
            del self._pending[:size]
        return out

    def hexdigest(self) -> str:
        """SHA-256 of everything read, valid once the upload finished."""
        return self._hasher.hexdigest()

    def _over_limit(self) -> bool:
        with self._lock:
            return self._buffered >= self._limit

    def _release(self, size: int) -> None:
        with self._lock:
            self._buffered -= size
            aborted = self._aborted
        if not aborted and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._space.set)

    def _finish(self) -> None:
        self._finished = True
        actual = self._hasher.hexdigest()
        if self._expected is not None and actual != self._expected:
            raise ChecksumMismatch(self._key, self._expected, actual)


def _is_store_key(name: str | None) -> bool:
    """Skip staging uploads and anything not written under the key rules."""
    if name is None or name.startswith(STAGING_PREFIX):
        return False
    try:
        validate_key(name)
    except ValueError:
        return False
    return True


def _object_info(key: str, stat: Object) -> ObjectInfo:
    headers = {name.lower(): value for name, value in (stat.metadata or {}).items()}
    user_metadata = {
        name.removeprefix(USER_METADATA_PREFIX): value
        for name, value in sorted(headers.items())
        if name.startswith(USER_METADATA_PREFIX) and name != SHA256_METADATA
    }
    return ObjectInfo(
        key=key,
        size=int(stat.size or 0),
        sha256=headers.get(SHA256_METADATA),
        content_type=stat.content_type or DEFAULT_CONTENT_TYPE,
        metadata=user_metadata,
        modified=stat.last_modified,
    )
