"""Chooses the object store from the settings: S3 when configured, else the data dir."""

from __future__ import annotations

from domain.storage.filesystem_store import FilesystemObjectStore
from domain.storage.object_store import ObjectStore
from domain.storage.s3_store import S3ObjectStore
from science_scheduler.settings import Settings


def build_object_store(settings: Settings) -> ObjectStore:
    if settings.s3_endpoint is not None:
        assert settings.s3_access_key is not None
        assert settings.s3_secret_key is not None
        return S3ObjectStore(
            endpoint=settings.s3_endpoint,
            access_key=settings.s3_access_key.get_secret_value(),
            secret_key=settings.s3_secret_key.get_secret_value(),
            bucket=settings.s3_bucket,
            secure=settings.s3_secure,
            region=settings.s3_region,
        )
    return FilesystemObjectStore(
        settings.objects_dir,
        signing_secret=settings.resolved_secret_key(),
        public_base_url=settings.base_url,
    )
