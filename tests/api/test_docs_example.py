"""The Python example of docs/graphql.md runs, as written, against a real server."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, ApiServer

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "graphql.md"
MARKER = "<!-- example: scripted-client -->\n```python\n"


def _example() -> str:
    text = GUIDE.read_text()
    start = text.index(MARKER) + len(MARKER)
    return text[start : text.index("```", start)]


def test_the_guides_scripted_client_runs_as_written(api_server: ApiServer, tmp_path: Path) -> None:
    # given: the example block, saved as a script, and a server with a site admin
    script = tmp_path / "example.py"
    script.write_text(_example())
    env = {
        **os.environ,
        "SCHEDULER_URL": f"{api_server.base_url}/graphql",
        "SCHEDULER_EMAIL": ADMIN_EMAIL,
        "SCHEDULER_PASSWORD": ADMIN_PASSWORD,
    }

    # when
    run = subprocess.run(
        [sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=120
    )

    # then: what it prints follows the session through, M31 resolved offline from OpenNGC
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0].startswith("observatory key, shown once: sso_")
    assert lines[1] == "M31 resolved by OpenNGC: RA 10.685 Dec 41.269"
    assert lines[2:5] == [
        "listed: 1 ['Andromeda']",
        "event: DRAFT -> PENDING",
        "event: PENDING -> CANCELLED",
    ]
    assert [re.sub(r"user:\S+", "user:<admin>", line) for line in lines[5:]] == [
        "history: None -> DRAFT by user:<admin>",
        "history: DRAFT -> PENDING by user:<admin>",
        "history: PENDING -> CANCELLED by user:<admin>",
    ]
