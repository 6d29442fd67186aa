"""`POST /uploads/frames`: a FITS frame streamed in the request body (docs/image-pipeline.md)."""

from __future__ import annotations

import logging

from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from domain.accounts.tokens import InvalidToken
from domain.frames.upload import (
    UploadProblem,
    UploadRefused,
    UploadRequest,
    check_digest,
    receive_frame,
)
from domain.frames.uploader import Uploader, authenticate_uploader
from schema.global_ids import InvalidGlobalId, decode_global_id, global_id
from science_scheduler.services import Services
from workers.queue import ArqStepQueue

log = logging.getLogger(__name__)

UPLOAD_PATH = "/uploads/frames"

STATUS: dict[UploadProblem, int] = {
    UploadProblem.UNAUTHENTICATED: 401,
    UploadProblem.MISSING_DIGEST: 400,
    UploadProblem.MALFORMED_DIGEST: 400,
    UploadProblem.LENGTH_REQUIRED: 411,
    UploadProblem.TOO_LARGE: 413,
    UploadProblem.BAD_PARAMETER: 400,
    UploadProblem.OBSERVATION_REQUIRED: 400,
    UploadProblem.NOT_FOUND: 404,
    UploadProblem.FORBIDDEN: 403,
    UploadProblem.INVALID_FITS: 422,
    UploadProblem.DIGEST_MISMATCH: 400,
    UploadProblem.INCOMPLETE_BODY: 400,
}


def _refusal(error: UploadRefused) -> Response:
    headers = {"Cache-Control": "no-store"}
    if error.problem is UploadProblem.UNAUTHENTICATED:
        headers["WWW-Authenticate"] = "Bearer"
    return JSONResponse(
        {"error": error.problem.value, "message": error.message},
        status_code=STATUS[error.problem],
        headers=headers,
    )


async def _uploader(request: Request, services: Services) -> Uploader:
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("bearer ") or not header[7:].strip():
        raise UploadRefused(
            UploadProblem.UNAUTHENTICATED,
            "send Authorization: Bearer <access token, API key or observatory API key>",
        )
    try:
        return await authenticate_uploader(
            header[7:].strip(), services.settings.resolved_secret_key()
        )
    except InvalidToken as error:
        raise UploadRefused(UploadProblem.UNAUTHENTICATED, str(error)) from None


def _length(request: Request, limit: int) -> int:
    declared = request.headers.get("content-length")
    if declared is None or not declared.strip().isdigit():
        raise UploadRefused(
            UploadProblem.LENGTH_REQUIRED,
            "send the file with a Content-Length (chunked uploads are not accepted)",
        )
    length = int(declared)
    if length > limit:
        raise UploadRefused(
            UploadProblem.TOO_LARGE, f"the file has {length} bytes; the limit is {limit} bytes"
        )
    if length == 0:
        raise UploadRefused(UploadProblem.INVALID_FITS, "the file is empty")
    return length


def _database_id(value: str | None, type_name: str) -> str | None:
    """Plugins send database ids (as the protocol gives them), people the GraphQL global ids."""
    if not value:
        return None
    try:
        decoded = decode_global_id(value)
    except InvalidGlobalId:
        return value
    return str(decoded) if decoded.type_name == type_name else value


def _upload_request(request: Request, length: int, sha256: str) -> UploadRequest:
    params = request.query_params
    unknown = set(params) - {"observation", "assignment", "sequence"}
    if unknown:
        raise UploadRefused(
            UploadProblem.BAD_PARAMETER, f"unknown query parameter {sorted(unknown)[0]!r}"
        )
    sequence_text = params.get("sequence")
    sequence: int | None = None
    if sequence_text is not None:
        if not sequence_text.isdigit() or len(sequence_text) > 9:
            raise UploadRefused(
                UploadProblem.BAD_PARAMETER, "sequence must be a whole number from 0"
            )
        sequence = int(sequence_text)
    return UploadRequest(
        sha256=sha256,
        length=length,
        observation=_database_id(params.get("observation"), "Observation"),
        assignment=_database_id(params.get("assignment"), "Assignment"),
        sequence=sequence,
    )


def upload_route(services: Services) -> Route:
    """The frame upload endpoint, bound to the process's services."""

    async def upload_frame(request: Request) -> Response:
        try:
            uploader = await _uploader(request, services)
            sha256 = check_digest(request.headers.get("x-content-sha256"))
            length = _length(request, services.settings.max_upload_bytes)
            outcome = await receive_frame(
                uploader,
                _upload_request(request, length, sha256),
                request.stream(),
                objects=services.objects,
                queue=ArqStepQueue(services.redis),
                bus=services.events,
                max_bytes=services.settings.max_upload_bytes,
            )
        except UploadRefused as error:
            log.info("frame upload refused: %s", error)
            return _refusal(error)
        except ClientDisconnect:
            log.info("frame upload abandoned by the client; nothing was kept")
            return Response(status_code=400)
        frame = outcome.frame
        return JSONResponse(
            {
                "frameId": str(frame.id),
                "id": global_id("Frame", frame.id),
                "state": frame.state.value,
            },
            status_code=201 if outcome.created else 200,
        )

    return Route(UPLOAD_PATH, upload_frame, methods=["POST"])
