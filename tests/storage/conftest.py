"""Fixtures for the object store suites: moto's S3 server, fresh buckets, initialised stores."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from minio import Minio
from moto.server import ThreadedMotoServer

from domain.storage.filesystem_store import FilesystemObjectStore
from domain.storage.object_store import ObjectStore
from domain.storage.s3_store import MIN_PART_BYTES, S3ObjectStore

S3_ACCESS_KEY = "testing-access-key"
S3_SECRET_KEY = "testing-secret-key"
S3_REGION = "us-east-1"
SIGNING_SECRET = b"test-signing-secret-0123456789abcdef"
PUBLIC_BASE_URL = "http://testserver"


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """``host:port`` of moto's standalone S3 server, started once per session."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"{host}:{port}"
    server.stop()


@pytest.fixture
def s3_bucket(s3_endpoint: str) -> Iterator[str]:
    """A fresh, empty bucket for one test; emptied and removed afterwards."""
    client = Minio(s3_endpoint, S3_ACCESS_KEY, S3_SECRET_KEY, secure=False, region=S3_REGION)
    bucket = f"test-{uuid.uuid4().hex[:20]}"
    client.make_bucket(bucket)
    yield bucket
    for item in client.list_objects(bucket, recursive=True):
        assert item.object_name is not None
        client.remove_object(bucket, item.object_name)
    client.remove_bucket(bucket)


def make_s3_store(endpoint: str, bucket: str) -> S3ObjectStore:
    """An S3 store on moto with the smallest legal part size, so multipart is cheap to reach."""
    return S3ObjectStore(
        endpoint=endpoint,
        access_key=S3_ACCESS_KEY,
        secret_key=S3_SECRET_KEY,
        bucket=bucket,
        secure=False,
        region=S3_REGION,
        part_size=MIN_PART_BYTES,
    )


def make_filesystem_store(root: Path) -> FilesystemObjectStore:
    """A filesystem store whose signed URLs point at httpx's ASGI test host."""
    return FilesystemObjectStore(
        root, signing_secret=SIGNING_SECRET, public_base_url=PUBLIC_BASE_URL
    )


@pytest.fixture
async def filesystem_store(tmp_path: Path) -> FilesystemObjectStore:
    store = make_filesystem_store(tmp_path / "objects")
    await store.initialise()
    return store


@pytest.fixture
async def s3_store(s3_endpoint: str, s3_bucket: str) -> AsyncIterator[S3ObjectStore]:
    store = make_s3_store(s3_endpoint, s3_bucket)
    await store.initialise()
    yield store
    await store.close()


@pytest.fixture(params=["filesystem", "s3"])
def store(request: pytest.FixtureRequest) -> ObjectStore:
    """An initialised, empty store of each implementation."""
    initialised: ObjectStore = request.getfixturevalue(f"{request.param}_store")
    return initialised
