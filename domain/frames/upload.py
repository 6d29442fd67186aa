"""Receiving a frame upload: authorise, validate the header, stream to staging, record, queue.

The body is never held whole: the first header blocks are buffered and validated with
`read_fits_header` before anything is stored, then the rest streams into the object store,
which checks the SHA-256 and keeps nothing when it differs. The frame document is written
only once the object is complete, so a refused or broken upload leaves nothing behind.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from enum import StrEnum

from beanie import PydanticObjectId
from pymongo.errors import DuplicateKeyError

from domain.access.permissions import ProjectPermission
from domain.accounts.api_keys import ApiKeyPermission
from domain.accounts.user import utcnow
from domain.dispatch.record import DispatchRecord
from domain.errors import DomainError, Forbidden, NotFound
from domain.events import EventBus
from domain.frames.frame import Frame, Step, object_keys
from domain.frames.processing import publish_frame_event
from domain.frames.queue import StepQueue
from domain.frames.uploader import Uploader
from domain.imaging.fits_header import (
    BLOCK_BYTES,
    MAX_HEADER_BYTES,
    InvalidFitsFile,
    read_fits_header,
)
from domain.observations.completion import complete_if_uploaded
from domain.observations.observation import Observation
from domain.organizations.organization import Organization
from domain.projects.access import project_for
from domain.storage.object_store import ChecksumMismatch, ObjectStore

log = logging.getLogger(__name__)

HEAD_BYTES = 2 * MAX_HEADER_BYTES + BLOCK_BYTES
_SHA256 = re.compile(r"[0-9a-fA-F]{64}")


class UploadProblem(StrEnum):
    """Why an upload was refused (the `error` of the JSON answer)."""

    UNAUTHENTICATED = "unauthenticated"
    MISSING_DIGEST = "missing_digest"
    MALFORMED_DIGEST = "malformed_digest"
    LENGTH_REQUIRED = "length_required"
    TOO_LARGE = "too_large"
    BAD_PARAMETER = "bad_parameter"
    OBSERVATION_REQUIRED = "observation_required"
    NOT_FOUND = "not_found"
    FORBIDDEN = "forbidden"
    INVALID_FITS = "invalid_fits"
    DIGEST_MISMATCH = "digest_mismatch"
    INCOMPLETE_BODY = "incomplete_body"


@dataclass
class UploadRefused(DomainError):
    problem: UploadProblem
    message: str

    def __str__(self) -> str:
        return f"{self.problem.value}: {self.message}"


@dataclass(frozen=True)
class UploadRequest:
    sha256: str
    length: int
    observation: str | None = None
    assignment: str | None = None
    sequence: int | None = None


@dataclass(frozen=True)
class UploadOutcome:
    frame: Frame
    created: bool


@dataclass(frozen=True)
class _Destination:
    organization_id: PydanticObjectId
    project_id: PydanticObjectId | None
    observation_id: PydanticObjectId | None
    observatory_id: PydanticObjectId | None
    assignment_id: PydanticObjectId | None


def check_digest(value: str | None) -> str:
    """The lowercase SHA-256 hex digest from the X-Content-SHA256 header."""
    if value is None or not value.strip():
        raise UploadRefused(
            UploadProblem.MISSING_DIGEST,
            "send the SHA-256 of the file, as 64 hex digits, in X-Content-SHA256",
        )
    if _SHA256.fullmatch(value.strip()) is None:
        raise UploadRefused(
            UploadProblem.MALFORMED_DIGEST, "X-Content-SHA256 must be 64 hex digits"
        )
    return value.strip().lower()


def _object_id(value: str, what: str) -> PydanticObjectId:
    if not PydanticObjectId.is_valid(value):
        raise UploadRefused(UploadProblem.NOT_FOUND, f"no {what} {value!r}")
    return PydanticObjectId(value)


async def _observation(value: str) -> Observation:
    found = await Observation.get(_object_id(value, "observation"))
    if found is None:
        raise UploadRefused(UploadProblem.NOT_FOUND, f"no observation {value!r}")
    return found


async def _for_observatory(uploader: Uploader, request: UploadRequest) -> _Destination:
    observatory = uploader.observatory
    assert observatory is not None
    assert observatory.id is not None
    record: DispatchRecord | None = None
    if request.assignment is not None:
        record = await DispatchRecord.get(_object_id(request.assignment, "assignment"))
        if record is None or record.observatory_id != observatory.id:
            raise UploadRefused(
                UploadProblem.NOT_FOUND, f"no assignment {request.assignment!r} of this observatory"
            )
    observation: Observation | None = None
    if request.observation is not None:
        observation = await _observation(request.observation)
        if record is not None and record.observation_id != observation.id:
            raise UploadRefused(
                UploadProblem.BAD_PARAMETER,
                f"assignment {request.assignment} is of another observation",
            )
    elif record is not None:
        observation = await _observation(str(record.observation_id))
    if observation is None:
        return _Destination(observatory.organization_id, None, None, observatory.id, None)
    assigned = observation.assigned_observatory_id == observatory.id or record is not None
    if not assigned:
        assigned = (
            await DispatchRecord.find_one(
                DispatchRecord.observatory_id == observatory.id,
                DispatchRecord.observation_id == observation.id,
            )
            is not None
        )
    if not assigned:
        if observation.organization_id != observatory.organization_id:
            raise UploadRefused(UploadProblem.NOT_FOUND, f"no observation {request.observation!r}")
        raise UploadRefused(
            UploadProblem.FORBIDDEN,
            f"observation {observation.id} was never assigned to observatory {observatory.code}",
        )
    return _Destination(
        observation.organization_id,
        observation.project_id,
        observation.id,
        observatory.id,
        record.id if record is not None else None,
    )


async def _for_person(uploader: Uploader, request: UploadRequest) -> _Destination:
    principal = uploader.principal
    assert principal is not None
    if request.observation is None:
        raise UploadRefused(
            UploadProblem.OBSERVATION_REQUIRED,
            "people upload frames for an observation: add ?observation=<id>",
        )
    if request.assignment is not None:
        raise UploadRefused(
            UploadProblem.BAD_PARAMETER, "assignment is for observatories' uploads only"
        )
    observation = await _observation(request.observation)
    try:
        await project_for(principal.user, str(observation.project_id), ProjectPermission.USE)
    except NotFound:
        raise UploadRefused(
            UploadProblem.NOT_FOUND, f"no observation {request.observation!r}"
        ) from None
    except Forbidden as error:
        raise UploadRefused(UploadProblem.FORBIDDEN, error.message) from None
    if principal.is_api_key:
        organization = await Organization.get(observation.organization_id)
        if organization is None or not principal.may(organization, ApiKeyPermission.WRITE):
            raise UploadRefused(
                UploadProblem.FORBIDDEN, "this API key needs the write permission to upload"
            )
    return _Destination(
        observation.organization_id, observation.project_id, observation.id, None, None
    )


async def _existing(destination: _Destination, request: UploadRequest) -> Frame | None:
    return await Frame.find_one(
        {
            "organization_id": destination.organization_id,
            "original_sha256": request.sha256,
            "observation_id": destination.observation_id,
            "sequence": request.sequence,
        }
    )


async def _drain(body: AsyncIterator[bytes], request: UploadRequest) -> None:
    """Read a duplicate's body without keeping it, and hold it to its digest and length."""
    digest = hashlib.sha256()
    size = 0
    async for chunk in body:
        size += len(chunk)
        if size > request.length:
            raise _too_long(request.length)
        digest.update(chunk)
    if size != request.length:
        raise _incomplete(size, request.length)
    if digest.hexdigest() != request.sha256:
        raise _mismatch(digest.hexdigest(), request.sha256)


def _too_long(length: int) -> UploadRefused:
    return UploadRefused(UploadProblem.TOO_LARGE, f"the body is longer than its {length} bytes")


def _incomplete(size: int, length: int) -> UploadRefused:
    return UploadRefused(
        UploadProblem.INCOMPLETE_BODY, f"received {size} of the {length} bytes announced"
    )


def _mismatch(actual: str, expected: str) -> UploadRefused:
    return UploadRefused(
        UploadProblem.DIGEST_MISMATCH,
        f"the file's SHA-256 is {actual}, X-Content-SHA256 said {expected}; nothing was kept",
    )


async def _read_head(body: AsyncIterator[bytes], wanted: int) -> bytes:
    head = bytearray()
    async for chunk in body:
        head += chunk
        if len(head) >= wanted:
            break
    return bytes(head)


async def _rest(head: bytes, body: AsyncIterator[bytes], length: int) -> AsyncIterator[bytes]:
    size = len(head)
    if size > length:
        raise _too_long(length)
    yield head
    async for chunk in body:
        size += len(chunk)
        if size > length:
            raise _too_long(length)
        yield chunk
    if size != length:
        raise _incomplete(size, length)


async def receive_frame(
    uploader: Uploader,
    request: UploadRequest,
    body: AsyncIterator[bytes],
    *,
    objects: ObjectStore,
    queue: StepQueue,
    bus: EventBus,
    max_bytes: int,
) -> UploadOutcome:
    """Store an uploaded frame and queue its ingest; the same content again returns its frame.

    Raises UploadRefused, having stored nothing.
    """
    if request.length > max_bytes:
        raise UploadRefused(
            UploadProblem.TOO_LARGE,
            f"the file has {request.length} bytes; the limit is {max_bytes} bytes",
        )
    if request.sequence is not None and request.sequence < 0:
        raise UploadRefused(UploadProblem.BAD_PARAMETER, "sequence must not be negative")
    destination = (
        await _for_observatory(uploader, request)
        if uploader.observatory is not None
        else await _for_person(uploader, request)
    )
    existing = await _existing(destination, request)
    if existing is not None:
        await _drain(body, request)
        return UploadOutcome(existing, created=False)
    head = await _read_head(body, min(request.length, HEAD_BYTES))
    try:
        read_fits_header(head[:HEAD_BYTES], request.length)
    except InvalidFitsFile as error:
        raise UploadRefused(UploadProblem.INVALID_FITS, error.reason) from None
    frame_id = PydanticObjectId()
    now = utcnow()
    keys = object_keys(destination.organization_id, destination.observation_id, frame_id, now)
    try:
        await objects.put(
            keys["staging"],
            _rest(head, body, request.length),
            content_type="application/fits",
            expected_sha256=request.sha256,
        )
    except ChecksumMismatch as error:
        raise _mismatch(error.actual, error.expected) from None
    frame = Frame(
        id=frame_id,
        organization_id=destination.organization_id,
        project_id=destination.project_id,
        observation_id=destination.observation_id,
        observatory_id=destination.observatory_id,
        assignment_id=destination.assignment_id,
        uploaded_by=uploader.actor,
        sequence=request.sequence,
        original_sha256=request.sha256,
        size_bytes=request.length,
        staging_key=keys["staging"],
        raw_key=keys["raw"],
        created_at=now,
        updated_at=now,
    )
    try:
        await frame.insert()
    except DuplicateKeyError:  # the same upload finished concurrently
        await objects.delete(keys["staging"])
        raced = await _existing(destination, request)
        assert raced is not None
        return UploadOutcome(raced, created=False)
    except BaseException:
        await objects.delete(keys["staging"])
        raise
    await publish_frame_event(bus, frame, "uploaded", step=None)
    try:
        await queue.enqueue(frame, Step.INGEST)
    except Exception:  # the frame is recorded; the sweeper queues it when Redis is back
        log.exception("could not queue the ingest of frame %s", frame.id)
    await _complete_run(frame, uploader.actor, bus)
    return UploadOutcome(frame, created=True)


async def _complete_run(frame: Frame, actor: str, bus: EventBus) -> None:
    """The last frame of a run the plugin already called complete completes the observation."""
    if frame.assignment_id is None:
        return
    try:
        record = await DispatchRecord.get(frame.assignment_id)
        observation = await Observation.get(frame.observation_id)
        if record is not None and observation is not None:
            await complete_if_uploaded(record, observation, actor=actor, bus=bus)
    except Exception:  # the frame is stored; the plugin's next report completes the run
        log.exception("could not check the run of frame %s for completion", frame.id)
