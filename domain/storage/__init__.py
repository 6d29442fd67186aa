"""Object storage: the ``ObjectStore`` port and its filesystem and S3 implementations."""

from domain.storage.object_store import (
    ChecksumMismatch,
    InvalidObjectKey,
    InvalidObjectMetadata,
    ObjectInfo,
    ObjectNotFound,
    ObjectStore,
    ObjectStoreError,
    ObjectStoreUnavailable,
)

__all__ = [
    "ChecksumMismatch",
    "InvalidObjectKey",
    "InvalidObjectMetadata",
    "ObjectInfo",
    "ObjectNotFound",
    "ObjectStore",
    "ObjectStoreError",
    "ObjectStoreUnavailable",
]
