"""POST /uploads/frames: refusals store nothing, the same frame twice is one frame, and a
large upload streams through the API process without being held in memory."""

from __future__ import annotations

import asyncio
import gzip
import hashlib
from collections.abc import AsyncIterator, Iterator

import httpx
import psutil
from astropy.io import fits

from domain.frames.frame import Frame
from science_scheduler.services import Services
from tests.pipeline.conftest import UPLOAD_CAP_BYTES, Api, settled_rss, stored_keys, upload
from tests.pipeline.world import World, fits_file, orion_frame, sha256


def _header(width: int, height: int, bitpix: int) -> bytes:
    header = fits.Header()
    header["SIMPLE"] = True
    header["BITPIX"] = bitpix
    header["NAXIS"] = 2
    header["NAXIS1"] = width
    header["NAXIS2"] = height
    return header.tostring().encode()


async def _raw_post(api: Api, head: bytes) -> tuple[int, bytes]:
    """Send only the request head and a first slice of body; read what the server answers."""
    port = int(api.base_url.rsplit(":", 1)[1])
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(head)
    await writer.drain()
    answer = await asyncio.wait_for(reader.read(), timeout=10)
    writer.close()
    status = int(answer.split(b" ", 2)[1])
    return status, answer.split(b"\r\n\r\n", 1)[1]


async def test_refused_uploads_answer_why_and_store_nothing(
    api: Api, world: World, services: Services
) -> None:
    # given: a valid frame, and bodies that are wrong in every way we know
    good = fits_file(orion_frame(seed=8, width=200, height=150))
    token = world.token(world.user)
    observation = str(world.observation.id)
    truncated = good[: len(good) * 6 // 10]
    huge = (_header(100_000, 100_000, -64) + b"\0" * 5000)[: 5 * 1024]
    not_fits = b"hello, this is not a FITS file\n" * 200
    bomb = gzip.compress(b"\0" * (50 * 1024 * 1024))
    cases: list[tuple[str, bytes, dict[str, object], int, str, str]] = [
        (
            "no credential",
            good,
            {"credential": None},
            401,
            "unauthenticated",
            "send Authorization: Bearer <access token, API key or observatory API key>",
        ),
        (
            "unknown observatory key",
            good,
            {"credential": "sso_" + "0" * 48},
            401,
            "unauthenticated",
            "the observatory API key is unknown or was replaced",
        ),
        (
            "missing digest",
            good,
            {"digest": None},
            400,
            "missing_digest",
            "send the SHA-256 of the file, as 64 hex digits, in X-Content-SHA256",
        ),
        (
            "malformed digest",
            good,
            {"digest": "abc"},
            400,
            "malformed_digest",
            "X-Content-SHA256 must be 64 hex digits",
        ),
        (
            "no observation",
            good,
            {"observation": None},
            400,
            "observation_required",
            "people upload frames for an observation: add ?observation=<id>",
        ),
        (
            "stranger",
            good,
            {"credential": world.token(world.stranger)},
            404,
            "not_found",
            f"no observation {observation!r}",
        ),
        (
            "not assigned",
            good,
            {"credential": world.other_observatory_key},
            403,
            "forbidden",
            f"observation {observation} was never assigned to observatory south-2",
        ),
        (
            "unknown assignment",
            good,
            {"credential": world.observatory_key, "assignment": "0" * 24},
            404,
            "not_found",
            f"no assignment {'0' * 24!r} of this observatory",
        ),
        (
            "assignment from a person",
            good,
            {"assignment": "0" * 24},
            400,
            "bad_parameter",
            "assignment is for observatories' uploads only",
        ),
        (
            "bad sequence",
            good,
            {"sequence": "-1"},
            400,
            "bad_parameter",
            "sequence must be a whole number from 0",
        ),
        (
            "truncated",
            truncated,
            {},
            422,
            "invalid_fits",
            "truncated or inconsistent: header declares 60000 data bytes (200x150 at BITPIX 16) "
            f"but the file holds only {len(truncated) - 2880} bytes after the header",
        ),
        (
            "5 KB claiming 100000x100000 float64",
            huge,
            {},
            422,
            "invalid_fits",
            "truncated or inconsistent: header declares 80000000000 data bytes (100000x100000 at "
            "BITPIX -64) but the file holds only 2240 bytes after the header",
        ),
        (
            "not FITS",
            not_fits,
            {},
            422,
            "invalid_fits",
            "not a FITS file: it does not start with 'SIMPLE  =   T'",
        ),
        (
            "gzip bomb",
            bomb,
            {},
            422,
            "invalid_fits",
            "gzip-compressed data, not FITS: upload the plain .fits or a Rice .fits.fz",
        ),
        (
            "wrong digest",
            good,
            {"digest": sha256(b"something else")},
            400,
            "digest_mismatch",
            f"the file's SHA-256 is {sha256(good)}, X-Content-SHA256 said "
            f"{sha256(b'something else')}; nothing was kept",
        ),
    ]
    for name, body, overrides, status, error, message in cases:
        arguments: dict[str, object] = {
            "credential": token,
            "digest": sha256(body),
            "observation": observation,
        } | overrides
        params = {
            k: str(v)
            for k, v in arguments.items()
            if k in {"observation", "sequence", "assignment"} and v is not None
        }

        # when
        answer = await upload(
            api,
            body,
            credential=arguments["credential"],  # type: ignore[arg-type]
            digest=arguments["digest"],
            **params,  # type: ignore[arg-type]
        )

        # then: the reason is given and nothing was kept
        assert (answer.status_code, answer.json()) == (
            status,
            {"error": error, "message": message},
        ), name
        assert await stored_keys(services) == [], name
        assert await Frame.find_all().count() == 0, name


async def test_a_declared_size_over_the_cap_is_refused_before_reading(
    api: Api, world: World, services: Services
) -> None:
    # given: a request announcing one byte more than the cap
    head = (
        f"POST /uploads/frames?observation={world.observation.id} HTTP/1.1\r\n"
        f"Host: 127.0.0.1\r\nAuthorization: Bearer {world.token(world.user)}\r\n"
        f"X-Content-SHA256: {'0' * 64}\r\nContent-Length: {UPLOAD_CAP_BYTES + 1}\r\n"
        "Connection: close\r\n\r\n"
    ).encode() + _header(100, 100, 16)

    # when: only its first block is sent
    status, body = await _raw_post(api, head)

    # then
    assert status == 413
    assert body.endswith(
        b'{"error":"too_large","message":"the file has 314572801 bytes; the limit is 314572800 '
        b'bytes"}'
    )
    assert await stored_keys(services) == []
    assert await Frame.find_all().count() == 0


async def test_the_same_frame_uploaded_twice_is_one_frame(
    api: Api, world: World, services: Services
) -> None:
    # given: a frame uploaded once (no worker runs: it stays staged)
    body = fits_file(orion_frame(seed=9, width=300, height=200))
    token = world.token(world.user)
    observation = str(world.observation.id)
    first = await upload(
        api, body, credential=token, digest=sha256(body), observation=observation, sequence="4"
    )
    keys_after_first = await stored_keys(services)

    # when: it is uploaded again (a lost answer), and once more as another exposure
    again = await upload(
        api, body, credential=token, digest=sha256(body), observation=observation, sequence="4"
    )
    wrong_again = await upload(
        api, body, credential=token, digest=sha256(b"x"), observation=observation, sequence="4"
    )
    other = await upload(
        api, body, credential=token, digest=sha256(body), observation=observation, sequence="5"
    )

    # then
    frame_id = first.json()["frameId"]
    answer = {"id": first.json()["id"], "frameId": frame_id, "state": "processing"}
    assert (first.status_code, first.json()) == (201, answer)
    assert (again.status_code, again.json()) == (200, answer)
    assert wrong_again.status_code == 400
    assert wrong_again.json()["error"] == "digest_mismatch"
    assert other.status_code == 201
    assert other.json()["frameId"] != frame_id
    folder = f"{world.organization.id}/"
    assert keys_after_first == [f"staging/{folder}{keys_after_first[0].split('/', 2)[2]}"]
    assert len(await stored_keys(services)) == 2
    assert await Frame.find_all().count() == 2
    stored = await Frame.get(frame_id)
    assert stored is not None
    assert (stored.sequence, stored.size_bytes, stored.original_sha256) == (
        4,
        len(body),
        sha256(body),
    )
    assert stored.uploaded_by == f"user:{world.user.id}"


LARGE_WIDTH, LARGE_HEIGHT = 10_000, 10_000  # int16: 200 MB of data
CHUNK = 1024 * 1024


def _large_chunks() -> Iterator[bytes]:
    yield _header(LARGE_WIDTH, LARGE_HEIGHT, 16)
    remaining = LARGE_WIDTH * LARGE_HEIGHT * 2
    zeros = b"\0" * CHUNK
    while remaining > 0:
        yield zeros[: min(CHUNK, remaining)]
        remaining -= CHUNK


async def _streamed() -> AsyncIterator[bytes]:
    for chunk in _large_chunks():
        yield chunk


async def test_a_large_upload_streams_with_bounded_api_memory(
    api: Api, world: World, services: Services
) -> None:
    # given: a 200 MB frame, its digest, and the API process's memory before
    digest = hashlib.sha256()
    size = 0
    for chunk in _large_chunks():
        digest.update(chunk)
        size += len(chunk)
    process = psutil.Process(api.pid)
    before = await settled_rss(process)
    peak = before
    done = asyncio.Event()

    async def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, process.memory_info().rss)
            await asyncio.sleep(0.02)

    sampler = asyncio.create_task(sample())

    # when: it is streamed to the API
    async with httpx.AsyncClient(base_url=api.base_url, timeout=120) as client:
        answer = await client.post(
            "/uploads/frames",
            content=_streamed(),
            params={"observation": str(world.observation.id)},
            headers={
                "Authorization": f"Bearer {world.token(world.user)}",
                "X-Content-SHA256": digest.hexdigest(),
                "Content-Length": str(size),
            },
        )
    done.set()
    await sampler

    # then: stored whole, with the API's resident memory growing by far less than the file
    assert answer.status_code == 201
    frame = await Frame.get(answer.json()["frameId"])
    assert frame is not None
    assert frame.staging_key is not None
    staged = await services.objects.head(frame.staging_key)
    assert (staged.size, staged.sha256) == (size, digest.hexdigest())
    assert peak - before < 64 * 1024 * 1024, f"RSS grew by {(peak - before) / 2**20:.1f} MiB"
