"""Fixtures: the real engines start once per session on free ports and are cleaned per test."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from pymongo import MongoClient
from redis import Redis

from science_scheduler.services import Services, close_services, open_services
from science_scheduler.settings import Settings, load_settings
from tests.engines import (
    Engine,
    free_port,
    running_cli,
    running_mongo,
    running_valkey,
    wait_for_http,
)

TEST_DATABASE = "science_scheduler_test"


@pytest.fixture(scope="session")
def mongo_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    with running_mongo(tmp_path_factory.mktemp("mongo")) as engine:
        yield engine


@pytest.fixture(scope="session")
def valkey_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    with running_valkey(tmp_path_factory.mktemp("valkey")) as engine:
        yield engine


@pytest.fixture
def clean_engines(mongo_engine: Engine, valkey_engine: Engine) -> Iterator[None]:
    """Each test starts with an empty database and an empty Redis."""
    mongo: MongoClient[dict[str, object]] = MongoClient(mongo_engine.url)
    mongo.drop_database(TEST_DATABASE)
    mongo.close()
    with Redis.from_url(valkey_engine.url) as redis:
        redis.flushall()
    return


@pytest.fixture
def engine_env(
    clean_engines: None, mongo_engine: Engine, valkey_engine: Engine, tmp_path: Path
) -> dict[str, str]:
    """Environment for a server or worker process using the session's engines."""
    return {
        "MONGODB_URL": mongo_engine.url,
        "MONGODB_DATABASE": TEST_DATABASE,
        "REDIS_URL": valkey_engine.url,
        "SCHEDULER_DATA_DIR": str(tmp_path / "data"),
        "SCHEDULER_LOG_FORMAT": "json",
    }


@pytest.fixture
def settings(engine_env: dict[str, str]) -> Settings:
    return load_settings(
        mongodb_url=engine_env["MONGODB_URL"],
        mongodb_database=TEST_DATABASE,
        redis_url=engine_env["REDIS_URL"],
        data_dir=Path(engine_env["SCHEDULER_DATA_DIR"]),
    )


@pytest.fixture
async def services(settings: Settings) -> AsyncIterator[Services]:
    opened = await open_services(settings)
    yield opened
    await close_services(opened)


ADMIN_EMAIL = "admin@example.org"
ADMIN_PASSWORD = "correct horse battery"


@dataclass
class ApiServer:
    base_url: str
    ws_url: str
    log_path: Path
    pid: int

    def log_lines(self) -> list[dict[str, object]]:
        return [
            json.loads(line)
            for line in self.log_path.read_text().splitlines()
            if line.startswith("{")
        ]


@pytest.fixture
def api_server(engine_env: dict[str, str], tmp_path: Path) -> Iterator[ApiServer]:
    """A real `science-scheduler api` process on the test engines, with a site admin."""
    port = free_port()
    env = {
        **engine_env,
        "SCHEDULER_ADMIN_EMAIL": ADMIN_EMAIL,
        "SCHEDULER_ADMIN_PASSWORD": ADMIN_PASSWORD,
    }
    log_path = tmp_path / "api.log"
    with running_cli(["api", "--port", str(port)], env, log_path) as process:
        wait_for_http(f"http://127.0.0.1:{port}/healthz")
        yield ApiServer(
            f"http://127.0.0.1:{port}", f"ws://127.0.0.1:{port}/graphql", log_path, process.pid
        )
