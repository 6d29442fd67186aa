"""The web client: built static files at `/`, and index.html for the client's own routes."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, PlainTextResponse, Response
from starlette.routing import Route

# Paths the server answers itself: never replaced by the client's index.html.
SERVER_PREFIXES = ("graphql", "healthz", "readyz", "uploads", "objects", "plugin")

_NOT_BUILT = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Science Scheduler</title></head><body><main><h1>Science Scheduler</h1>
<p>The web client is not built. Run <code>make client</code> (or <code>npm ci &amp;&amp;
npm run build</code> in <code>client/</code>) and reload; the API is at
<a href="/graphql">/graphql</a>.</p></main></body></html>"""

_IMMUTABLE = "public, max-age=31536000, immutable"


def _file_in(root: Path, path: str) -> Path | None:
    """The file `path` names under `root`, or None (missing, a folder or outside `root`)."""
    parts = PurePosixPath(path).parts
    if any(part in {"..", ""} or part.startswith(".") for part in parts):
        return None
    candidate = root.joinpath(*parts)
    try:
        candidate.resolve().relative_to(root.resolve())
    except ValueError:
        return None
    return candidate if candidate.is_file() else None


def client_route(client_dir: Path) -> Route:
    """A catch-all GET route serving `client_dir`; mount it after every other route."""

    async def serve(request: Request) -> Response:
        path = str(request.path_params.get("path", "")).strip("/")
        first = path.split("/", 1)[0]
        if first in SERVER_PREFIXES:
            return PlainTextResponse("Not Found", status_code=404)
        index = client_dir / "index.html"
        if not index.is_file():
            return HTMLResponse(_NOT_BUILT, status_code=503)
        found = _file_in(client_dir, path) if path else None
        if found is not None:
            cache = _IMMUTABLE if first == "assets" else "no-cache"
            return FileResponse(found, headers={"Cache-Control": cache})
        if first == "assets" or "." in PurePosixPath(path).name:
            return PlainTextResponse("Not Found", status_code=404)
        # A client route (/observations/42): the client reads the path itself.
        return FileResponse(index, headers={"Cache-Control": "no-cache"})

    return Route("/{path:path}", serve, methods=["GET", "HEAD"], name="client")
