"""The client state machine on its own: frames and time in, effects out."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from plugin_bridge import messages as m
from science_scheduler.simulator.client import ClientConfig, Phase, PluginClient
from science_scheduler.simulator.effects import CloseSocket, Effect, Send, StartExposure, Stop
from tests.simulator.link import T0, counter, new_state
from tests.simulator.server import AUTOFOCUS, GUIDING

WELCOME = {
    "id": "s-1",
    "seq": 1,
    "ts": "2026-11-24T22:00:00Z",
    "correlation_id": "p-0001",
    "type": "welcome",
    "protocol": "ss-plugin.v1",
    "session_id": "sess-1",
    "observatory_id": "obs-7",
    "server_version": "0.1.0",
    "min_plugin_version": "1.0.0",
    "server_time": "2026-11-24T22:00:00Z",
    "clock_offset_s": 0.0,
    "heartbeat_interval_s": 30.0,
    "heartbeat_timeout_s": 90.0,
    "max_message_bytes": 262144,
    "upload_url": "/uploads/frames",
}


def assignment(message_id: str = "s-9", filter_name: str = "L", **fields: Any) -> str:
    body = {
        "id": message_id,
        "seq": 5,
        "ts": "2026-11-24T22:00:00Z",
        "correlation_id": None,
        "type": "assignment",
        "assignment_id": "asg-1",
        "observation_id": "ob-1",
        "observation_name": "M 42",
        "observation_type": "flexible",
        "priority": 5,
        "targets": [
            {
                "name": "M 42",
                "ra_deg": 83.82,
                "dec_deg": -5.39,
                "exposures": [{"filter": filter_name, "exposure_s": 60.0, "count": 2}],
            }
        ],
        "must_end_by": "2026-11-25T02:00:00Z",
        "first_sequence": 4,
        "autofocus": AUTOFOCUS,
        "guiding": GUIDING,
        "thresholds": {},
    }
    return json.dumps(body | fields)


def sent(effects: list[Effect]) -> list[dict[str, Any]]:
    return [json.loads(effect.text) for effect in effects if isinstance(effect, Send)]


def ready_client(**config: Any) -> PluginClient:
    client = PluginClient(
        ClientConfig(capabilities=m.Capabilities(filters=["L"]), **config),
        new_state(),
        new_id=counter("p"),
    )
    client.connected(T0)
    client.receive(json.dumps(WELCOME), T0)
    reconciliation = {
        "id": "s-2",
        "seq": 2,
        "ts": "2026-11-24T22:00:00Z",
        "correlation_id": "p-0002",
        "type": "reconciliation",
        "decision": "idle",
        "assignment_id": None,
        "observation_state": None,
        "upload_sequences": [],
        "reason": "no assignment on either side",
    }
    client.receive(json.dumps(reconciliation), T0)
    assert client.phase is Phase.READY
    return client


def test_hello_carries_the_version_key_fingerprint_and_capabilities() -> None:
    client = PluginClient(
        ClientConfig(plugin_version="4.0.11", capabilities=m.Capabilities(filters=["L", "Ha"])),
        new_state(),
        new_id=counter("p"),
    )

    (hello,) = sent(client.connected(T0))

    assert hello["type"] == "hello"
    assert hello["seq"] == 1
    assert hello["protocol"] == "ss-plugin.v1"
    assert hello["plugin_version"] == "4.0.11"
    assert hello["api_key"] == new_state().api_key
    assert hello["fingerprint"] == m.Hello.model_validate_json(json.dumps(hello)).fingerprint
    assert len(hello["fingerprint"]) == len("sha256:") + 64
    assert hello["capabilities"]["filters"] == ["L", "Ha"]


def test_unknown_fields_from_a_newer_server_are_ignored() -> None:
    client = PluginClient(ClientConfig(), new_state(), new_id=counter("p"))
    client.connected(T0)

    effects = client.receive(json.dumps(WELCOME | {"new_field_of_v1_1": True}), T0)

    (report,) = sent(effects)
    assert report["type"] == "state_report"
    assert client.phase is Phase.AUTHENTICATED


def test_a_command_received_twice_is_acked_twice_and_run_once() -> None:
    client = ready_client()

    first = sent(client.receive(assignment(), T0))
    again = sent(client.receive(assignment(), T0 + timedelta(seconds=1)))

    assert [f["type"] for f in first][:2] == ["ack", "assignment_accepted"]
    assert [(f["type"], f["correlation_id"]) for f in again] == [("ack", "s-9")]


def test_an_assignment_numbers_frames_from_first_sequence() -> None:
    client = ready_client()

    effects = client.receive(assignment(), T0)

    (start,) = [effect for effect in effects if isinstance(effect, StartExposure)]
    assert start.job.sequence == 4
    started = [f for f in sent(effects) if f["type"] == "exposure_started"]
    assert [f["sequence"] for f in started] == [4]


def test_an_assignment_with_a_filter_the_wheel_lacks_is_rejected() -> None:
    client = ready_client()

    effects = sent(client.receive(assignment(filter_name="OIII"), T0))

    assert [(f["type"], f.get("reason")) for f in effects] == [
        ("ack", None),
        ("assignment_rejected", "unsupported_filter"),
    ]
    assert client.state.run is None


def test_no_exposure_starts_that_cannot_end_before_must_end_by() -> None:
    client = ready_client()

    effects = sent(client.receive(assignment(must_end_by="2026-11-24T22:01:00Z"), T0))

    interrupted = [f for f in effects if f["type"] == "assignment_interrupted"]
    assert [(f["reason"], f["frames_captured"]) for f in interrupted] == [("time_limit", [])]
    assert not [f for f in effects if f["type"] == "exposure_started"]


def test_unacked_messages_are_listed_and_resent_in_order_with_their_ids_and_ts() -> None:
    # given a run whose reports were never acked when the link dropped
    client = ready_client()
    client.receive(assignment(), T0)
    unacked = [dict(item) for item in client.state.outgoing]
    assert [f["type"] for f in unacked] == [
        "status",
        "assignment_accepted",
        "exposure_started",
        "progress",
    ]
    client.connection_lost(None, T0 + timedelta(seconds=5))

    # when it reconnects
    client.connected(T0 + timedelta(seconds=6))
    (report,) = sent(client.receive(json.dumps(WELCOME), T0 + timedelta(seconds=6)))
    reconciled = {
        "id": "s-3",
        "seq": 2,
        "ts": "2026-11-24T22:00:06Z",
        "correlation_id": report["id"],
        "type": "reconciliation",
        "decision": "continue",
        "assignment_id": "asg-1",
        "observation_state": "in_progress",
        "upload_sequences": [],
        "reason": "carry on",
    }
    resent = sent(client.receive(json.dumps(reconciled), T0 + timedelta(seconds=6)))

    # then the report listed them, and they went again first, same ids and ts, new seq
    assert report["unacked_message_ids"] == [f["id"] for f in unacked]
    again = resent[: len(unacked)]
    assert [(f["id"], f["ts"]) for f in again] == [(f["id"], f["ts"]) for f in unacked]
    assert [f["seq"] for f in resent] == list(range(3, 3 + len(resent)))


def test_a_silent_server_is_left_after_60_s_without_a_heartbeat_answer() -> None:
    client = ready_client()

    effects: list[Effect] = []
    for second in range(0, 100, 5):
        effects += client.tick(T0 + timedelta(seconds=second))

    assert any(isinstance(effect, CloseSocket) for effect in effects)


def test_close_codes_decide_between_reconnecting_and_stopping() -> None:
    outcomes: dict[int | None, tuple[bool, float]] = {}
    for code in (None, 1012, 4008, 4010, 4011, 4013, 4003, 4012):
        client = ready_client()
        effects = client.connection_lost(code, T0)
        outcomes[code] = (any(isinstance(e, Stop) for e in effects), client.reconnect_wait_s)

    assert outcomes == {
        None: (False, 0.0),
        1012: (False, 0.0),
        4008: (False, 0.0),
        4010: (False, 10.0),
        4011: (False, 0.0),
        4013: (False, 0.0),
        4003: (True, 0.0),
        4012: (True, 0.0),
    }
