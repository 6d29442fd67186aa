"""End-to-end fixtures: a pipeline worker next to the `api_server` process."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.engines import running_cli

SECRET_KEY = "simulator-tests-secret-key-0123456789abcdef"


@pytest.fixture
def engine_env(engine_env: dict[str, str]) -> dict[str, str]:
    """One secret key for the API and the worker (they share the data dir too)."""
    return {**engine_env, "SCHEDULER_SECRET_KEY": SECRET_KEY}


@pytest.fixture
def worker(engine_env: dict[str, str], tmp_path: Path) -> Iterator[None]:
    with running_cli(["worker"], engine_env, tmp_path / "worker.log"):
        yield
