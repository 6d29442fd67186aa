"""One contract, run against both object store implementations (filesystem and S3 on moto)."""

from __future__ import annotations

import asyncio
import hashlib
import random
import re
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import boto3  # type: ignore[import-untyped]  # only to list multipart uploads
import pytest

from domain.storage.filesystem_store import FilesystemObjectStore
from domain.storage.object_store import (
    ChecksumMismatch,
    InvalidObjectKey,
    InvalidObjectMetadata,
    ObjectInfo,
    ObjectNotFound,
    ObjectStore,
    ObjectStoreUnavailable,
)
from domain.storage.s3_store import MIN_PART_BYTES, S3ObjectStore
from tests.storage.conftest import S3_ACCESS_KEY, S3_REGION, S3_SECRET_KEY, make_s3_store

FRAME_KEY = "raw/org-1/2026-01-15/obs-42/frame-0001.fits.fz"
FITS_TYPE = "application/fits"
# Larger than two S3 parts (5 MiB each), not a multiple of the part size or of the chunk size.
MULTIPART_SIZE = 2 * MIN_PART_BYTES + 123_457
ODD_CHUNK = 1_000_003

INVALID_KEYS = [
    "",
    "/raw/org-1/frame.fits",
    "raw//org-1/frame.fits",
    "raw/org-1/",
    "raw/../org-1/frame.fits",
    "..",
    "raw/./frame.fits",
    "raw/.hidden",
    "raw\\org-1\\frame.fits",
    "raw/org 1/frame.fits",
    "raw/org-1/frame\x00.fits",
    "raw/org-1/frame\n.fits",
    "raw/ørg/frame.fits",
    "raw/org-1/frame?.fits",
    "raw/" + "a" * 201,
    "raw/" + "/".join(["abcdefgh"] * 120),
]


def payload(size: int, seed: int = 7) -> bytes:
    return random.Random(seed).randbytes(size)


async def chunks_of(data: bytes, chunk: int = ODD_CHUNK) -> AsyncIterator[bytes]:
    for offset in range(0, len(data), chunk):
        yield data[offset : offset + chunk]


async def read_all(stream: AsyncIterator[bytes]) -> bytes:
    return b"".join([chunk async for chunk in stream])


async def listed(store: ObjectStore, prefix: str) -> list[ObjectInfo]:
    return [info async for info in store.list(prefix)]


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


async def test_multipart_sized_object_round_trips_with_metadata(store: ObjectStore) -> None:
    # given
    data = payload(MULTIPART_SIZE)

    # when
    written = await store.put(
        FRAME_KEY,
        chunks_of(data),
        content_type=FITS_TYPE,
        metadata={"observatory": "obs-7", "filter": "Ha"},
    )
    read_back = await read_all(store.open(FRAME_KEY))
    described = await store.head(FRAME_KEY)

    # then
    assert read_back == data
    assert written == described
    assert (described.key, described.size, described.sha256) == (
        FRAME_KEY,
        10_609_217,
        sha256(data),
    )
    assert described.content_type == FITS_TYPE
    assert described.metadata == {"filter": "Ha", "observatory": "obs-7"}
    assert described.modified is not None
    assert await store.checksum(FRAME_KEY) == sha256(data)


async def test_put_with_matching_expected_sha256_stores_the_object(store: ObjectStore) -> None:
    # given
    data = payload(MULTIPART_SIZE, seed=3)

    # when
    info = await store.put(FRAME_KEY, chunks_of(data), expected_sha256=sha256(data).upper())

    # then
    assert info.sha256 == sha256(data)
    assert info.size == MULTIPART_SIZE
    assert info.content_type == "application/octet-stream"
    assert await read_all(store.open(FRAME_KEY)) == data


async def test_empty_object_round_trips(store: ObjectStore) -> None:
    # given
    async def nothing() -> AsyncIterator[bytes]:
        return
        yield

    # when
    info = await store.put(FRAME_KEY, nothing())

    # then
    assert (info.size, info.sha256) == (0, sha256(b""))
    assert await read_all(store.open(FRAME_KEY)) == b""
    assert await read_all(store.open(FRAME_KEY, start=0, end=10)) == b""


@pytest.mark.parametrize(
    ("start", "end", "expected_slice"),
    [
        (None, 10, slice(0, 10)),
        (0, 1, slice(0, 1)),
        (MIN_PART_BYTES - 3, MIN_PART_BYTES + 3, slice(MIN_PART_BYTES - 3, MIN_PART_BYTES + 3)),
        (MULTIPART_SIZE - 5, None, slice(MULTIPART_SIZE - 5, MULTIPART_SIZE)),
        (MULTIPART_SIZE - 5, MULTIPART_SIZE + 100, slice(MULTIPART_SIZE - 5, MULTIPART_SIZE)),
        (1_234_567, 7_654_321, slice(1_234_567, 7_654_321)),
        (42, 42, slice(0, 0)),
        (MULTIPART_SIZE, None, slice(0, 0)),
        (MULTIPART_SIZE + 10, MULTIPART_SIZE + 20, slice(0, 0)),
    ],
)
async def test_ranged_read_returns_exactly_the_half_open_range(
    store: ObjectStore, start: int | None, end: int | None, expected_slice: slice
) -> None:
    # given
    data = payload(MULTIPART_SIZE, seed=11)
    await store.put(FRAME_KEY, chunks_of(data))

    # when
    read_back = await read_all(store.open(FRAME_KEY, start=start, end=end))

    # then
    assert read_back == data[expected_slice]
    assert len(read_back) == len(data[expected_slice])


@pytest.mark.parametrize(("start", "end"), [(-1, None), (None, -1), (10, 9)])
async def test_invalid_range_is_rejected(
    store: ObjectStore, start: int | None, end: int | None
) -> None:
    # given
    await store.put(FRAME_KEY, chunks_of(b"0123456789abcdef"))

    # when / then
    with pytest.raises(ValueError, match="range"):
        store.open(FRAME_KEY, start=start, end=end)


async def test_list_by_prefix_yields_only_matching_objects_in_key_order(
    store: ObjectStore,
) -> None:
    # given
    keys = [
        "raw/org-1/2026-01-15/obs-2/frame-0001.fits.fz",
        "raw/org-1/2026-01-15/obs-1/frame-0002.fits.fz",
        "raw/org-1/2026-01-15/obs-1/frame-0001.fits.fz",
        "raw/org-1/2026-01-16/obs-3/frame-0001.fits.fz",
        "raw/org-2/2026-01-15/obs-9/frame-0001.fits.fz",
        "preview/org-1/2026-01-15/obs-1/frame-0001.png",
    ]
    for number, key in enumerate(keys):
        await store.put(
            key, chunks_of(payload(100 + number, seed=number)), metadata={"n": str(number)}
        )

    # when
    whole_day = await listed(store, "raw/org-1/2026-01-15/")
    partial_segment = await listed(store, "raw/org-1/2026-01-1")
    everything = await listed(store, "")
    nothing = await listed(store, "raw/org-3/")

    # then
    assert [info.key for info in whole_day] == [
        "raw/org-1/2026-01-15/obs-1/frame-0001.fits.fz",
        "raw/org-1/2026-01-15/obs-1/frame-0002.fits.fz",
        "raw/org-1/2026-01-15/obs-2/frame-0001.fits.fz",
    ]
    assert [info.key for info in partial_segment] == [
        "raw/org-1/2026-01-15/obs-1/frame-0001.fits.fz",
        "raw/org-1/2026-01-15/obs-1/frame-0002.fits.fz",
        "raw/org-1/2026-01-15/obs-2/frame-0001.fits.fz",
        "raw/org-1/2026-01-16/obs-3/frame-0001.fits.fz",
    ]
    assert [info.key for info in everything] == sorted(keys)
    assert nothing == []
    assert [(i.size, i.sha256, i.metadata["n"]) for i in whole_day] == [
        (102, sha256(payload(102, seed=2)), "2"),
        (101, sha256(payload(101, seed=1)), "1"),
        (100, sha256(payload(100, seed=0)), "0"),
    ]
    assert everything == [await store.head(key) for key in sorted(keys)]


async def test_list_hides_the_filesystem_sidecars_and_data_files(
    filesystem_store: FilesystemObjectStore,
) -> None:
    # given
    await filesystem_store.put(FRAME_KEY, chunks_of(b"SIMPLE  =                    T"))

    # when
    everything = await listed(filesystem_store, "")
    on_disk = sorted(p.name for p in filesystem_store.root.rglob("*") if p.is_file())

    # then
    assert [info.key for info in everything] == [FRAME_KEY]
    assert len(on_disk) == 2
    assert on_disk[1] == ".frame-0001.fits.fz.meta.json"
    assert re.fullmatch(r"\.frame-0001\.fits\.fz\.[0-9a-f]{16}\.blob", on_disk[0])


async def test_overwrite_replaces_content_and_metadata(store: ObjectStore) -> None:
    # given
    await store.put(FRAME_KEY, chunks_of(b"first version"), metadata={"version": "1"})

    # when
    await store.put(
        FRAME_KEY, chunks_of(b"second"), content_type=FITS_TYPE, metadata={"grade": "A"}
    )

    # then
    info = await store.head(FRAME_KEY)
    assert (info.size, info.sha256, info.content_type) == (6, sha256(b"second"), FITS_TYPE)
    assert info.metadata == {"grade": "A"}
    assert await read_all(store.open(FRAME_KEY)) == b"second"
    assert [i.key for i in await listed(store, "")] == [FRAME_KEY]


async def test_delete_is_idempotent(store: ObjectStore) -> None:
    # given
    await store.put(FRAME_KEY, chunks_of(b"frame"))
    other = "raw/org-1/2026-01-15/obs-42/frame-0002.fits.fz"
    await store.put(other, chunks_of(b"other"))

    # when
    await store.delete(FRAME_KEY)
    await store.delete(FRAME_KEY)
    await store.delete("raw/org-1/never/written.fits")

    # then
    with pytest.raises(ObjectNotFound):
        await store.head(FRAME_KEY)
    assert [info.key for info in await listed(store, "")] == [other]
    assert await read_all(store.open(other)) == b"other"


async def test_missing_object_raises_object_not_found(store: ObjectStore) -> None:
    # given an empty store

    # when / then
    with pytest.raises(ObjectNotFound) as head_error:
        await store.head(FRAME_KEY)
    with pytest.raises(ObjectNotFound):
        await read_all(store.open(FRAME_KEY))
    with pytest.raises(ObjectNotFound):
        await read_all(store.open(FRAME_KEY, start=5, end=5))
    with pytest.raises(ObjectNotFound):
        await store.checksum(FRAME_KEY)
    assert head_error.value.key == FRAME_KEY


async def test_checksum_mismatch_leaves_nothing_stored(store: ObjectStore) -> None:
    # given
    data = payload(MULTIPART_SIZE, seed=5)
    wrong = sha256(b"something else")

    # when
    with pytest.raises(ChecksumMismatch) as raised:
        await store.put(FRAME_KEY, chunks_of(data), expected_sha256=wrong)

    # then
    assert (raised.value.expected, raised.value.actual) == (wrong, sha256(data))
    with pytest.raises(ObjectNotFound):
        await store.head(FRAME_KEY)
    assert await listed(store, "") == []


async def test_checksum_mismatch_keeps_the_previous_object(store: ObjectStore) -> None:
    # given
    await store.put(FRAME_KEY, chunks_of(b"good frame"), metadata={"grade": "A"})

    # when
    with pytest.raises(ChecksumMismatch):
        await store.put(FRAME_KEY, chunks_of(b"bad frame"), expected_sha256=sha256(b"x"))

    # then
    info = await store.head(FRAME_KEY)
    assert (info.size, info.sha256, info.metadata) == (10, sha256(b"good frame"), {"grade": "A"})
    assert await read_all(store.open(FRAME_KEY)) == b"good frame"


async def test_failing_producer_leaves_nothing_stored(store: ObjectStore) -> None:
    # given
    async def interrupted_upload() -> AsyncIterator[bytes]:
        yield payload(MIN_PART_BYTES + 1)
        yield payload(1000)
        raise ConnectionResetError("client went away")

    # when
    with pytest.raises(ConnectionResetError, match="client went away"):
        await store.put(FRAME_KEY, interrupted_upload())

    # then
    with pytest.raises(ObjectNotFound):
        await store.head(FRAME_KEY)
    assert await listed(store, "") == []


async def test_cancelled_upload_leaves_nothing_stored(store: ObjectStore) -> None:
    # given an upload whose client stalls after the first part, then goes away
    first_part_sent = asyncio.Event()

    async def stalled_upload() -> AsyncIterator[bytes]:
        yield payload(MIN_PART_BYTES + 1)
        first_part_sent.set()
        await asyncio.Event().wait()
        yield b"never"

    upload = asyncio.create_task(store.put(FRAME_KEY, stalled_upload()))
    await first_part_sent.wait()

    # when
    upload.cancel()
    with pytest.raises(asyncio.CancelledError):
        await upload

    # then
    with pytest.raises(ObjectNotFound):
        await store.head(FRAME_KEY)
    assert await listed(store, "") == []


async def test_checksum_mismatch_leaves_no_files_on_disk(
    filesystem_store: FilesystemObjectStore,
) -> None:
    # given
    data = payload(MULTIPART_SIZE, seed=5)

    # when
    with pytest.raises(ChecksumMismatch):
        await filesystem_store.put(FRAME_KEY, chunks_of(data), expected_sha256=sha256(b""))

    # then
    assert [p for p in filesystem_store.root.rglob("*") if p.is_file()] == []


async def test_checksum_mismatch_leaves_no_multipart_upload(
    s3_store: S3ObjectStore, s3_endpoint: str
) -> None:
    # given
    data = payload(MULTIPART_SIZE, seed=5)
    s3 = boto3.client(
        "s3",
        endpoint_url=f"http://{s3_endpoint}",
        aws_access_key_id=S3_ACCESS_KEY,
        aws_secret_access_key=S3_SECRET_KEY,
        region_name=S3_REGION,
    )

    # when
    with pytest.raises(ChecksumMismatch):
        await s3_store.put(FRAME_KEY, chunks_of(data), expected_sha256=sha256(b""))

    # then
    uploads = s3.list_multipart_uploads(Bucket=s3_store.bucket).get("Uploads", [])
    objects = s3.list_objects_v2(Bucket=s3_store.bucket).get("Contents", [])
    assert (uploads, objects) == ([], [])


@pytest.mark.parametrize("key", INVALID_KEYS)
async def test_invalid_key_is_rejected_and_nothing_is_written(store: ObjectStore, key: str) -> None:
    # given
    data = b"frame"

    # when / then
    with pytest.raises(InvalidObjectKey):
        await store.put(key, chunks_of(data))
    with pytest.raises(InvalidObjectKey):
        await store.head(key)
    with pytest.raises(InvalidObjectKey):
        store.open(key)
    with pytest.raises(InvalidObjectKey):
        await store.delete(key)
    with pytest.raises(InvalidObjectKey):
        await store.signed_url(key, expires_in=timedelta(minutes=5))
    assert await listed(store, "") == []


@pytest.mark.parametrize("prefix", ["/raw", "raw//org", "raw/../", "raw\\org", "raw/.x"])
async def test_invalid_list_prefix_is_rejected(store: ObjectStore, prefix: str) -> None:
    # when / then
    with pytest.raises(InvalidObjectKey):
        store.list(prefix)


@pytest.mark.parametrize(
    ("content_type", "metadata"),
    [
        ("not a content type", {}),
        (FITS_TYPE, {"Upper": "x"}),
        (FITS_TYPE, {"sha256": "0" * 64}),
        (FITS_TYPE, {"note": "línea"}),
        (FITS_TYPE, {"note": "two\nlines"}),
        (FITS_TYPE, {"big": "x" * 3000}),
    ],
)
async def test_unportable_metadata_is_rejected_and_nothing_is_written(
    store: ObjectStore, content_type: str, metadata: dict[str, str]
) -> None:
    # when / then
    with pytest.raises(InvalidObjectMetadata):
        await store.put(
            FRAME_KEY, chunks_of(b"frame"), content_type=content_type, metadata=metadata
        )
    assert await listed(store, "") == []


async def test_malformed_expected_sha256_is_rejected(store: ObjectStore) -> None:
    # when / then
    with pytest.raises(ValueError, match="64 hex digits"):
        await store.put(FRAME_KEY, chunks_of(b"frame"), expected_sha256="abc")
    assert await listed(store, "") == []


@pytest.mark.parametrize("expires_in", [timedelta(0), timedelta(days=8)])
async def test_signed_url_lifetime_is_bounded(store: ObjectStore, expires_in: timedelta) -> None:
    # given
    await store.put(FRAME_KEY, chunks_of(b"frame"))

    # when / then
    with pytest.raises(ValueError, match="between 1 second and 7 days"):
        await store.signed_url(FRAME_KEY, expires_in=expires_in)


async def test_check_passes_on_an_initialised_store(store: ObjectStore) -> None:
    # when / then (no exception)
    await store.check()


async def test_initialise_creates_a_missing_bucket(s3_endpoint: str, s3_bucket: str) -> None:
    # given
    store = make_s3_store(s3_endpoint, f"{s3_bucket}-new")

    # when
    await store.initialise()
    await store.put(FRAME_KEY, chunks_of(b"frame"))

    # then
    assert [info.key for info in await listed(store, "")] == [FRAME_KEY]
    await store.delete(FRAME_KEY)
    await store.close()


async def test_unreachable_s3_fails_fast_naming_the_endpoint() -> None:
    # given a port nobody listens on
    store = make_s3_store("127.0.0.1:9", "frames")
    started = time.monotonic()

    # when
    with pytest.raises(ObjectStoreUnavailable) as raised:
        await store.initialise()

    # then
    assert time.monotonic() - started < 5
    message = str(raised.value)
    assert message.startswith("S3 endpoint http://127.0.0.1:9 is unreachable")
    assert "\n" not in message
    await store.close()


async def test_unusable_directory_fails_initialise(tmp_path: Path) -> None:
    # given a regular file where the object directory should be
    blocker = tmp_path / "objects"
    blocker.write_bytes(b"")
    store = FilesystemObjectStore(blocker, signing_secret=b"s", public_base_url="http://x")

    # when / then
    with pytest.raises(ObjectStoreUnavailable, match="cannot create object directory"):
        await store.initialise()
