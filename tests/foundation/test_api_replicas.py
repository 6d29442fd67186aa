"""Any number of API processes serve subscriptions: events cross between them through Redis."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.engines import free_port, running_cli, wait_for_http
from tests.graphql_client import graphql_http, subscription

ADMIN = {"SCHEDULER_ADMIN_EMAIL": "root@example.org", "SCHEDULER_ADMIN_PASSWORD": "s3cret-enough"}
LOGIN = """mutation ($email: String!, $password: String!) {
  login(input: {email: $email, password: $password}) { ... on LoginSuccess { accessToken } }
}"""
SYSTEM_EVENTS = "subscription { systemEvents { kind message } }"


async def test_an_event_published_by_one_api_process_reaches_a_subscriber_on_another(
    engine_env: dict[str, str], tmp_path: Path
) -> None:
    # given: API process B with an administrator subscribed to system events
    port_b, port_a = free_port(), free_port()
    env = {**engine_env, **ADMIN}
    with running_cli(["api", "--port", str(port_b)], env, tmp_path / "b.log"):
        wait_for_http(f"http://127.0.0.1:{port_b}/readyz", status=503)  # up; no worker here
        login = await graphql_http(
            f"http://127.0.0.1:{port_b}",
            LOGIN,
            email=ADMIN["SCHEDULER_ADMIN_EMAIL"],
            password=ADMIN["SCHEDULER_ADMIN_PASSWORD"],
        )
        token = login["data"]["login"]["accessToken"]
        async with subscription(
            f"ws://127.0.0.1:{port_b}/graphql", SYSTEM_EVENTS, token=token
        ) as events:
            # when: API process A starts, which it announces through its own event bus
            with running_cli(["api", "--port", str(port_a)], env, tmp_path / "a.log") as a:
                message = await asyncio.wait_for(events.next_message(), timeout=30)

                # then
                assert message["type"] == "next", message
                assert message["payload"]["data"]["systemEvents"] == {
                    "kind": "api_started",
                    "message": f"API process {a.pid} started",
                }


async def test_system_events_are_refused_to_anonymous_subscribers(
    engine_env: dict[str, str], tmp_path: Path
) -> None:
    # given
    port = free_port()
    with running_cli(["api", "--port", str(port)], engine_env, tmp_path / "api.log"):
        wait_for_http(f"http://127.0.0.1:{port}/readyz", status=503)

        # when
        async with subscription(f"ws://127.0.0.1:{port}/graphql", SYSTEM_EVENTS) as events:
            message = await asyncio.wait_for(events.next_message(), timeout=10)

        # then
        assert message["type"] == "next"
        assert message["payload"]["data"] is None
        assert message["payload"]["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
