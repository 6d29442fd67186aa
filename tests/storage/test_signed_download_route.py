"""Signed download URLs: the filesystem store through the Starlette route, S3 through moto."""

from __future__ import annotations

import asyncio
import hashlib
import random
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from starlette.applications import Starlette

from domain.storage.filesystem_store import FilesystemObjectStore
from domain.storage.s3_store import S3ObjectStore
from science_scheduler.routes.object_downloads import object_download_route
from tests.storage.conftest import PUBLIC_BASE_URL

FRAME_KEY = "raw/org-1/2026-01-15/obs-42/frame-0001.fits.fz"
FITS_TYPE = "application/fits"
FRAME = random.Random(1).randbytes(700_001)
FRAME_SHA256 = hashlib.sha256(FRAME).hexdigest()
INVALID = {"error": "invalid_signature", "message": "the download link is not valid"}


async def chunks_of(data: bytes, chunk: int = 65_537) -> AsyncIterator[bytes]:
    for offset in range(0, len(data), chunk):
        yield data[offset : offset + chunk]


@pytest.fixture
async def stored_frame(filesystem_store: FilesystemObjectStore) -> FilesystemObjectStore:
    await filesystem_store.put(FRAME_KEY, chunks_of(FRAME), content_type=FITS_TYPE)
    return filesystem_store


@pytest.fixture
async def client(stored_frame: FilesystemObjectStore) -> AsyncIterator[httpx.AsyncClient]:
    app = Starlette(routes=[object_download_route(stored_frame)])
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=PUBLIC_BASE_URL) as http:
        yield http


def with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = {name: values[0] for name, values in parse_qs(parts.query).items()}
    query.update(changes)
    return parts._replace(query=urlencode(query)).geturl()


async def test_signed_url_downloads_the_whole_object(
    stored_frame: FilesystemObjectStore, client: httpx.AsyncClient
) -> None:
    # given
    url = await stored_frame.signed_url(FRAME_KEY, expires_in=timedelta(minutes=5))

    # when
    response = await client.get(url)

    # then
    assert url.startswith(f"{PUBLIC_BASE_URL}/objects/{FRAME_KEY}?expires=")
    assert response.status_code == 200
    assert response.content == FRAME
    assert response.headers["content-length"] == "700001"
    assert response.headers["content-type"] == FITS_TYPE
    assert response.headers["etag"] == f'"{FRAME_SHA256}"'
    assert response.headers["accept-ranges"] == "bytes"
    assert "content-disposition" not in response.headers


async def test_signed_url_with_filename_downloads_as_attachment(
    stored_frame: FilesystemObjectStore, client: httpx.AsyncClient
) -> None:
    # given
    url = await stored_frame.signed_url(
        FRAME_KEY, expires_in=timedelta(minutes=5), filename="M31 Hα 0001.fits.fz"
    )

    # when
    response = await client.get(url)

    # then
    assert response.status_code == 200
    assert response.headers["content-disposition"] == (
        'attachment; filename="M31 H_ 0001.fits.fz"; '
        "filename*=UTF-8''M31%20H%CE%B1%200001.fits.fz"
    )
    assert response.content == FRAME


@pytest.mark.parametrize(
    ("range_header", "content_range", "expected"),
    [
        ("bytes=0-99", "bytes 0-99/700001", FRAME[:100]),
        ("bytes=262140-262150", "bytes 262140-262150/700001", FRAME[262140:262151]),
        ("bytes=700000-", "bytes 700000-700000/700001", FRAME[700000:]),
        ("bytes=-10", "bytes 699991-700000/700001", FRAME[-10:]),
        ("bytes=699990-999999", "bytes 699990-700000/700001", FRAME[699990:]),
    ],
)
async def test_range_request_returns_partial_content(
    stored_frame: FilesystemObjectStore,
    client: httpx.AsyncClient,
    range_header: str,
    content_range: str,
    expected: bytes,
) -> None:
    # given
    url = await stored_frame.signed_url(FRAME_KEY, expires_in=timedelta(minutes=5))

    # when
    response = await client.get(url, headers={"Range": range_header})

    # then
    assert response.status_code == 206
    assert response.headers["content-range"] == content_range
    assert response.headers["content-length"] == str(len(expected))
    assert response.content == expected


async def test_unsatisfiable_range_is_416(
    stored_frame: FilesystemObjectStore, client: httpx.AsyncClient
) -> None:
    # given
    url = await stored_frame.signed_url(FRAME_KEY, expires_in=timedelta(minutes=5))

    # when
    response = await client.get(url, headers={"Range": "bytes=700001-"})

    # then
    assert response.status_code == 416
    assert response.headers["content-range"] == "bytes */700001"


async def test_several_ranges_or_a_stale_if_range_get_the_whole_object(
    stored_frame: FilesystemObjectStore, client: httpx.AsyncClient
) -> None:
    # given
    url = await stored_frame.signed_url(FRAME_KEY, expires_in=timedelta(minutes=5))

    # when
    several = await client.get(url, headers={"Range": "bytes=0-1,5-6"})
    stale = await client.get(url, headers={"Range": "bytes=0-1", "If-Range": '"0000"'})

    # then
    assert (several.status_code, several.content) == (200, FRAME)
    assert (stale.status_code, stale.content) == (200, FRAME)


async def test_head_request_sends_headers_only(
    stored_frame: FilesystemObjectStore, client: httpx.AsyncClient
) -> None:
    # given
    url = await stored_frame.signed_url(FRAME_KEY, expires_in=timedelta(minutes=5))

    # when
    response = await client.head(url)

    # then
    assert response.status_code == 200
    assert response.headers["content-length"] == "700001"
    assert response.headers["etag"] == f'"{FRAME_SHA256}"'
    assert response.content == b""


async def test_matching_if_none_match_is_304(
    stored_frame: FilesystemObjectStore, client: httpx.AsyncClient
) -> None:
    # given
    url = await stored_frame.signed_url(FRAME_KEY, expires_in=timedelta(minutes=5))

    # when
    response = await client.get(url, headers={"If-None-Match": f'"{FRAME_SHA256}"'})

    # then
    assert (response.status_code, response.content) == (304, b"")


async def test_signed_url_works_then_expires(
    stored_frame: FilesystemObjectStore, client: httpx.AsyncClient
) -> None:
    # given
    url = await stored_frame.signed_url(FRAME_KEY, expires_in=timedelta(seconds=1))
    expires = int(parse_qs(urlsplit(url).query)["expires"][0])
    before = await client.get(url)

    # when
    await asyncio.sleep(max(expires - time.time(), 0) + 0.05)
    after = await client.get(url)

    # then
    assert before.status_code == 200
    assert before.content == FRAME
    assert after.status_code == 403
    assert after.json() == {"error": "expired", "message": "the download link has expired"}


@pytest.mark.parametrize(
    "tamper",
    [
        "flip_signature",
        "drop_signature",
        "extend_expiry",
        "add_filename",
        "other_key",
        "garbage_expiry",
    ],
)
async def test_tampered_url_is_refused(
    stored_frame: FilesystemObjectStore, client: httpx.AsyncClient, tamper: str
) -> None:
    # given
    other_key = "raw/org-1/2026-01-15/obs-42/frame-0002.fits.fz"
    await stored_frame.put(other_key, chunks_of(b"another frame"))
    url = await stored_frame.signed_url(FRAME_KEY, expires_in=timedelta(minutes=5))
    signature = parse_qs(urlsplit(url).query)["signature"][0]
    expires = int(parse_qs(urlsplit(url).query)["expires"][0])
    flipped = ("0" if signature[0] != "0" else "1") + signature[1:]
    tampered = {
        "flip_signature": with_query(url, signature=flipped),
        "drop_signature": url.split("&signature=")[0],
        "extend_expiry": with_query(url, expires=str(expires + 3600)),
        "add_filename": with_query(url, filename="renamed.fits"),
        "other_key": url.replace("frame-0001", "frame-0002"),
        "garbage_expiry": with_query(url, expires="soon"),
    }[tamper]

    # when
    response = await client.get(tampered)

    # then
    assert response.status_code == 403
    assert response.json() == INVALID
    assert response.headers["cache-control"] == "no-store"


async def test_valid_signature_for_a_missing_object_is_404(
    stored_frame: FilesystemObjectStore, client: httpx.AsyncClient
) -> None:
    # given
    url = await stored_frame.signed_url(FRAME_KEY, expires_in=timedelta(minutes=5))
    await stored_frame.delete(FRAME_KEY)

    # when
    response = await client.get(url)

    # then
    assert response.status_code == 404
    assert response.json() == {"error": "not_found", "message": "the object does not exist"}


async def test_s3_presigned_url_downloads_the_object(s3_store: S3ObjectStore) -> None:
    # given
    await s3_store.put(FRAME_KEY, chunks_of(FRAME), content_type=FITS_TYPE)

    # when
    url = await s3_store.signed_url(FRAME_KEY, expires_in=timedelta(minutes=5))
    async with httpx.AsyncClient() as http:
        whole = await http.get(url)
        part = await http.get(url, headers={"Range": "bytes=100-199"})

    # then
    assert parse_qs(urlsplit(url).query)["X-Amz-Expires"] == ["300"]
    assert whole.status_code == 200
    assert whole.content == FRAME
    assert whole.headers["content-type"] == FITS_TYPE
    assert (part.status_code, part.content) == (206, FRAME[100:200])


async def test_s3_presigned_url_with_filename_downloads_as_attachment(
    s3_store: S3ObjectStore,
) -> None:
    # given
    await s3_store.put(FRAME_KEY, chunks_of(FRAME), content_type=FITS_TYPE)

    # when
    url = await s3_store.signed_url(
        FRAME_KEY, expires_in=timedelta(seconds=90), filename="M31 0001.fits.fz"
    )
    async with httpx.AsyncClient() as http:
        response = await http.get(url)

    # then
    assert parse_qs(urlsplit(url).query)["X-Amz-Expires"] == ["90"]
    assert response.status_code == 200
    assert response.headers["content-disposition"] == (
        "attachment; filename=\"M31 0001.fits.fz\"; filename*=UTF-8''M31%200001.fits.fz"
    )
    assert response.content == FRAME
