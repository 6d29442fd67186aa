"""Debian's chromium driven by Playwright (never a downloaded browser), and page helpers."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Browser, Page, Playwright

REPO = Path(__file__).resolve().parents[2]
CLIENT = REPO / "client"
AXE = CLIENT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = os.environ.get("SCHEDULER_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(os.environ.get("SCHEDULER_GUI_SCREENSHOTS", REPO / "build" / "screenshots"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
]


def ensure_client_built() -> Path:
    """client/dist, built with npm when missing (`make client` builds it ahead); axe-core
    comes from client/node_modules."""
    dist = CLIENT / "dist"
    if not AXE.is_file():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=CLIENT, check=True)
    if not (dist / "index.html").is_file():
        subprocess.run(["npm", "run", "build"], cwd=CLIENT, check=True)
    return dist


def launch(playwright: Playwright) -> Browser:
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)


def graphql(base_url: str, query: str, token: str | None = None, **variables: object) -> Any:
    """POST a document; the `data` of the answer (errors fail the test)."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = httpx.post(
        f"{base_url}/graphql",
        json={"query": query, "variables": variables},
        headers=headers,
        timeout=30,
    )
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


LOGIN = """mutation($e: String!, $p: String!) {
  login(input: {email: $e, password: $p}) { ... on LoginSuccess { accessToken } }
}"""


def access_token(base_url: str, email: str, password: str) -> str:
    token: str = graphql(base_url, LOGIN, e=email, p=password)["login"]["accessToken"]
    return token


@dataclass
class Gui:
    page: Page
    base_url: str

    def goto(self, path: str) -> None:
        self.page.goto(f"{self.base_url}{path}")

    def sign_in(self, email: str, password: str) -> None:
        self.goto("/")
        self.page.get_by_label("Email").fill(email)
        self.page.get_by_label("Password").fill(password)
        self.page.get_by_role("button", name="Sign in").click()
        self.page.get_by_role("heading", name="Dashboard").wait_for()

    def screenshot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def serious_accessibility_violations(self) -> list[str]:
        """axe-core's serious and critical violations on the page as it is now."""
        self.page.add_script_tag(path=str(AXE))
        violations: list[dict[str, Any]] = self.page.evaluate(
            """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
                 .map(v => ({id: v.id, impact: v.impact, help: v.help,
                             nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))"""
        )
        return [
            f"{v['id']} ({v['impact']}): {v['help']} at {v['nodes']}"
            for v in violations
            if v["impact"] in {"serious", "critical"}
        ]
