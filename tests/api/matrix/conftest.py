"""The matrix modules' API server and world, built once per module."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from tests.api.matrix.authorization_world import World, built_world, matrix_api
from tests.conftest import ApiServer
from tests.engines import Engine


@pytest.fixture(scope="module")
def server(
    mongo_engine: Engine, valkey_engine: Engine, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ApiServer]:
    with matrix_api(mongo_engine, valkey_engine, tmp_path_factory.mktemp("matrix")) as api:
        yield api


@pytest.fixture(scope="module")
async def world(
    server: ApiServer, mongo_engine: Engine, valkey_engine: Engine
) -> AsyncIterator[World]:
    built = await built_world(server, mongo_engine, valkey_engine)
    yield built
    await built.close()
