"""HTTP downloads of filesystem-store objects through the store's signed URLs."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from domain.storage.filesystem_store import FilesystemObjectStore
from domain.storage.object_store import InvalidObjectKey, ObjectNotFound, validate_key
from domain.storage.signed_urls import SignatureCheck, content_disposition, validate_filename

_SINGLE_RANGE = re.compile(r"\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*")
_ERROR_HEADERS = {"Cache-Control": "no-store"}


@dataclass(frozen=True, slots=True)
class ByteRange:
    """A satisfiable byte range: ``start`` inclusive, ``end`` exclusive."""

    start: int
    end: int


class RangeNotSatisfiable(Exception):
    """The Range header is well formed but selects no byte of the object."""


def parse_range(header: str, size: int) -> ByteRange | None:
    """Interpret a ``Range`` header for an object of ``size`` bytes (RFC 9110 §14).

    Returns ``None`` when the header should be ignored (malformed or several ranges: the whole
    object is sent), the range otherwise; raises ``RangeNotSatisfiable`` for a range outside
    the object.
    """
    match = _SINGLE_RANGE.fullmatch(header)
    if match is None:
        return None
    first, last = match.group(1), match.group(2)
    if not first and not last:
        return None
    if not first:  # suffix range: the last N bytes
        suffix = int(last)
        if suffix == 0 or size == 0:
            raise RangeNotSatisfiable
        return ByteRange(max(size - suffix, 0), size)
    start = int(first)
    end = size if not last else min(int(last) + 1, size)
    if last and int(last) < start:
        return None
    if start >= size:
        raise RangeNotSatisfiable
    return ByteRange(start, end)


def object_download_route(store: FilesystemObjectStore, path_prefix: str = "/objects") -> Route:
    """Route serving ``GET``/``HEAD {path_prefix}/{key}?expires=..&signature=..[&filename=..]``.

    Answers 403 with a JSON error (``invalid_signature`` or ``expired``) unless the signature
    made by ``store.signed_url`` verifies, 404 (``not_found``) when no object exists, 200 with
    the whole object, or 206 for a single satisfiable ``Range`` (416 when unsatisfiable). The
    body is streamed; ``ETag`` is the quoted SHA-256.
    """

    async def download(request: Request) -> Response:
        key: str = request.path_params["key"]
        params = request.query_params
        filename = params.get("filename")
        expires = params.get("expires", "")
        signature = params.get("signature", "")
        try:
            validate_key(key)
            if filename is not None:
                validate_filename(filename)
        except (InvalidObjectKey, ValueError):
            return _error(403, SignatureCheck.INVALID.value, "the download link is not valid")
        if not expires.isdigit():
            return _error(403, SignatureCheck.INVALID.value, "the download link is not valid")
        check = store.verify_download(
            key, expires=int(expires), signature=signature, filename=filename
        )
        if check is SignatureCheck.INVALID:
            return _error(403, check.value, "the download link is not valid")
        if check is SignatureCheck.EXPIRED:
            return _error(403, check.value, "the download link has expired")
        try:
            info = await store.head(key)
        except ObjectNotFound:
            return _error(404, "not_found", "the object does not exist")

        etag = f'"{info.sha256}"'
        headers = {
            "Accept-Ranges": "bytes",
            "ETag": etag,
            "Content-Type": info.content_type,
            "Cache-Control": "private, no-cache",
        }
        if filename is not None:
            headers["Content-Disposition"] = content_disposition(filename)
        if etag in _entity_tags(request.headers.get("if-none-match")):
            return Response(status_code=304, headers=headers)

        byte_range: ByteRange | None = None
        range_header = request.headers.get("range")
        if_range = request.headers.get("if-range")
        if range_header is not None and (if_range is None or if_range.strip() == etag):
            try:
                byte_range = parse_range(range_header, info.size)
            except RangeNotSatisfiable:
                return Response(
                    status_code=416,
                    headers={**_ERROR_HEADERS, "Content-Range": f"bytes */{info.size}"},
                )
        if byte_range is None:
            status, start, end = 200, 0, info.size
        else:
            status, start, end = 206, byte_range.start, byte_range.end
            headers["Content-Range"] = f"bytes {start}-{end - 1}/{info.size}"
        headers["Content-Length"] = str(end - start)
        if request.method == "HEAD":
            return Response(status_code=status, headers=headers)
        try:
            body = await _primed(store.open(key, start=start, end=end))
        except ObjectNotFound:
            return _error(404, "not_found", "the object does not exist")
        return StreamingResponse(body, status_code=status, headers=headers)

    prefix = "/" + path_prefix.strip("/")
    return Route(
        f"{prefix}/{{key:path}}", download, methods=["GET", "HEAD"], name="object_download"
    )


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": code, "message": message}, status, headers=_ERROR_HEADERS)


def _entity_tags(header: str | None) -> set[str]:
    if header is None:
        return set()
    return {tag.strip().removeprefix("W/") for tag in header.split(",")}


async def _primed(chunks: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    """Read the first chunk now, so a missing object becomes a 404 before headers are sent."""
    try:
        first = await anext(chunks)
    except StopAsyncIteration:
        return _empty()
    return _chain(first, chunks)


async def _empty() -> AsyncIterator[bytes]:
    return
    yield


async def _chain(first: bytes, rest: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    yield first
    async for chunk in rest:
        yield chunk
