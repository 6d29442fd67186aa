"""`science-scheduler demo` as a user runs it: banner, logins, and an observation completing."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.engines import cli_command, free_port
from tests.graphql_client import graphql_http

pytestmark = pytest.mark.slow

LOGIN = """mutation ($email: String!, $password: String!) {
  login(input: {email: $email, password: $password}) { ... on LoginSuccess { accessToken } }
}"""
OBSERVATIONS = "{ observations(first: 10) { edges { node { name state } } } }"


async def test_the_demo_serves_creates_data_and_completes_observations(tmp_path: Path) -> None:
    # given a fresh data directory and a free port
    port = free_port()
    log_path = tmp_path / "demo.log"
    command = cli_command(
        "demo", "--data-dir", str(tmp_path / "data"), "--port", str(port), "--speedup", "60",
        "--targets", "1", "--weather-unsafe", "none",
    )  # fmt: skip
    env = {key: value for key, value in os.environ.items() if not key.startswith("SCHEDULER_")}

    # when the demo runs
    with log_path.open("wb") as log:
        process = await asyncio.create_subprocess_exec(
            *command, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            deadline = time.monotonic() + 240
            while "log in as" not in log_path.read_text():
                assert process.returncode is None, log_path.read_text()
                assert time.monotonic() < deadline, log_path.read_text()
                await asyncio.sleep(0.5)
            banner = log_path.read_text()
            base_url = f"http://127.0.0.1:{port}"
            login = await graphql_http(
                base_url,
                LOGIN,
                email="astronomer@demo.example.org",
                password="clear skies tonight",
            )
            token = login["data"]["login"]["accessToken"]
            states: list[tuple[str, str]] = []
            while not states or any(state != "COMPLETED" for _, state in states):
                assert time.monotonic() < deadline, states
                await asyncio.sleep(1.0)
                body = await graphql_http(base_url, OBSERVATIONS, token=token)
                edges = body["data"]["observations"]["edges"]
                states = [(edge["node"]["name"], edge["node"]["state"]) for edge in edges]
        finally:
            process.send_signal(signal.SIGINT)
            exit_code = await asyncio.wait_for(process.wait(), 60)

    # then it printed where to go and who to be, the demo user saw its observation complete,
    # and Ctrl-C stopped everything cleanly
    assert f"GraphiQL:  http://127.0.0.1:{port}/graphql" in banner
    assert f"GUI:       http://127.0.0.1:{port}/" in banner
    assert "log in as  astronomer@demo.example.org / clear skies tonight" in banner
    assert [state for _, state in states] == ["COMPLETED"]
    assert exit_code == 0
