"""What `serve`'s supervisor says about its children, as /readyz reads it."""

from __future__ import annotations

import json
import os
from pathlib import Path

SUPERVISOR_STATUS_ENV = "SCHEDULER_SUPERVISOR_STATUS_FILE"


def read_unhealthy_children() -> list[str] | None:
    """Names of supervised children not running now; None when not run by `serve`."""
    path = os.environ.get(SUPERVISOR_STATUS_ENV)
    if not path:
        return None
    status = json.loads(Path(path).read_text())
    return sorted(
        f"{name} is {child['state']}"
        for name, child in status["children"].items()
        if child["state"] != "running"
    )
