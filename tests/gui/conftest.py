"""GUI fixtures: the real API and worker on the test engines, serving the built client."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from tests.conftest import ApiServer
from tests.engines import running_cli
from tests.gui.browser import Gui, ensure_client_built, launch


@pytest.fixture(scope="session")
def client_dist() -> Path:
    return ensure_client_built()


# Package scope, not session: Playwright's sync API keeps its event loop running in this thread
# while it is open, and the async tests of the suites after tests/gui need the thread free.
@pytest.fixture(scope="package")
def browser(client_dist: Path) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()


@pytest.fixture
def worker(api_server: ApiServer, engine_env: dict[str, str], tmp_path: Path) -> Iterator[None]:
    """The pipeline worker, so uploaded frames get metrics and thumbnails."""
    with running_cli(["worker"], engine_env, tmp_path / "worker.log"):
        yield


@pytest.fixture
def gui(browser: Browser, api_server: ApiServer) -> Iterator[Gui]:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.set_default_timeout(20_000)
    page = context.new_page()
    yield Gui(page, api_server.base_url)
    context.close()
