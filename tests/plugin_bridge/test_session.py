"""PluginSession without a network: frames in, exact effects out."""

from __future__ import annotations

import json
from typing import Any

import pytest

from plugin_bridge import messages as m
from plugin_bridge.core import commands as c
from plugin_bridge.core.effects import (
    Applied,
    Apply,
    Authenticated,
    AuthRefused,
    Close,
    Effect,
    InterruptForLostHeartbeat,
    MarkOffline,
    RegistrationPending,
    Rejected,
    Send,
)
from plugin_bridge.core.session import SessionConfig, SessionPhase
from plugin_bridge.core.stores import MemoryDedupStore, MemoryOutbox
from tests.plugin_bridge.harness import (
    OBSERVATORY,
    T0,
    Plugin,
    counter,
    later,
    new_session,
    ready,
    sent,
)

CC = m.CloseCode


def nack_of(effects: list[Effect]) -> dict[str, object]:
    (message,) = sent(effects)
    assert message["type"] == "nack"
    return {k: message[k] for k in ("correlation_id", "code", "retryable", "details", "message")}


async def test_hello_is_applied_then_welcome_carries_the_session_settings() -> None:
    # given a fresh session and a hello sent 2.5 s before the server's clock
    session = new_session()
    plugin = Plugin(counter("plg"))
    text, hello_id = plugin.hello(later(-2.5))

    # when it arrives and the domain authenticates the key
    applying = await session.receive(text, T0)
    (apply,) = applying
    answered = await session.hello_answered(Authenticated(OBSERVATORY), T0)

    # then the domain was asked once, and the welcome answers the hello
    assert isinstance(apply, Apply)
    assert isinstance(apply.command, c.Authenticate)
    assert apply.message_id == hello_id
    assert apply.command.clock_offset_s == 2.5
    assert sent(answered) == [
        {
            "id": "srv-0002",
            "seq": 1,
            "ts": "2026-11-24T22:00:00Z",
            "correlation_id": hello_id,
            "type": "welcome",
            "protocol": "ss-plugin.v1",
            "session_id": "srv-0001",
            "observatory_id": OBSERVATORY,
            "server_version": "0.1.0",
            "min_plugin_version": "1.2.0",
            "server_time": "2026-11-24T22:00:00Z",
            "clock_offset_s": 2.5,
            "heartbeat_interval_s": 30.0,
            "heartbeat_timeout_s": 90.0,
            "max_message_bytes": 262144,
            "upload_url": "/uploads/frames",
        }
    ]
    assert session.phase is SessionPhase.AUTHENTICATED


async def test_state_report_makes_the_session_ready() -> None:
    session = new_session()
    plugin = Plugin(counter("plg"))

    effects = await ready(session, plugin)

    assert [message["type"] for message in sent(effects)] == ["ack", "reconciliation"]
    assert session.phase is SessionPhase.READY


async def test_malformed_json_is_nacked_and_nothing_applied() -> None:
    # given a ready session
    session = new_session()
    await ready(session, Plugin(counter("plg")))

    # when
    effects = await session.receive('{"id": "x", "seq": 3,', T0)

    # then
    assert all(not isinstance(effect, Apply) for effect in effects)
    assert nack_of(effects) == {
        "correlation_id": None,
        "code": "malformed_json",
        "retryable": False,
        "details": {},
        "message": "not a JSON text",
    }
    assert session.phase is SessionPhase.READY


async def test_json_that_is_not_an_object_is_malformed() -> None:
    session = new_session()
    await ready(session, Plugin(counter("plg")))

    effects = await session.receive("[1, 2]", T0)

    assert nack_of(effects)["code"] == "malformed_json"


async def test_unknown_type_is_nacked_with_its_id() -> None:
    session = new_session()
    plugin = Plugin(counter("plg"))
    await ready(session, plugin)
    text, message_id = plugin.frame("teleport", T0)

    effects = await session.receive(text, T0)

    assert nack_of(effects) == {
        "correlation_id": message_id,
        "code": "unknown_type",
        "retryable": False,
        "details": {"type": "teleport"},
        "message": "unknown type 'teleport'",
    }


async def test_a_server_only_type_from_the_plugin_is_unknown() -> None:
    session = new_session()
    plugin = Plugin(counter("plg"))
    await ready(session, plugin)
    text, _ = plugin.frame("no_work", T0, reason="busy", retry_after_s=60)

    effects = await session.receive(text, T0)

    assert nack_of(effects)["message"] == "no_work is sent by the server only"


async def test_schema_violation_lists_each_field_and_applies_nothing() -> None:
    # given a request_work with an extra field and a naive timestamp
    session = new_session()
    plugin = Plugin(counter("plg"))
    await ready(session, plugin)
    text, message_id = plugin.frame("progress", T0, assignment_id="a-1", percent=140, colour=1)

    # when
    effects = await session.receive(text, T0)

    # then
    assert all(not isinstance(effect, Apply) for effect in effects)
    assert nack_of(effects) == {
        "correlation_id": message_id,
        "code": "schema_violation",
        "retryable": False,
        "details": {
            "errors": [
                {"loc": "phase", "error": "Field required"},
                {"loc": "target_index", "error": "Field required"},
                {"loc": "frames_captured", "error": "Field required"},
                {"loc": "percent", "error": "Input should be less than or equal to 100"},
                {"loc": "colour", "error": "Extra inputs are not permitted"},
            ]
        },
        "message": "progress is invalid",
    }


async def test_strict_types_refuse_coercion() -> None:
    session = new_session()
    plugin = Plugin(counter("plg"))
    await ready(session, plugin)
    text, _ = plugin.frame(
        "progress",
        T0,
        assignment_id="a-1",
        phase="exposing",
        target_index="0",
        frames_captured=1,
        percent=10,
    )

    effects = await session.receive(text, T0)

    assert nack_of(effects)["details"] == {
        "errors": [{"loc": "target_index", "error": "Input should be a valid integer"}]
    }


async def test_unsupported_protocol_in_hello_is_refused_and_closed() -> None:
    session = new_session()
    plugin = Plugin(counter("plg"))
    text, hello_id = plugin.hello(T0, protocol="ss-plugin.v2")

    effects = await session.receive(text, T0)

    assert nack_of(effects[:1]) == {
        "correlation_id": hello_id,
        "code": "unsupported_protocol",
        "retryable": False,
        "details": {"supported": ["ss-plugin.v1"]},
        "message": "this server speaks ss-plugin.v1",
    }
    assert effects[1:] == [Close(CC.UNSUPPORTED_PROTOCOL, "this server speaks ss-plugin.v1")]
    assert session.phase is SessionPhase.CLOSED


def test_a_handshake_without_the_subprotocol_is_closed() -> None:
    session = new_session()

    assert session.start(None, T0) == [
        Close(CC.UNSUPPORTED_PROTOCOL, "offer subprotocol ss-plugin.v1")
    ]
    assert new_session().start("ss-plugin.v1", T0) == []
    assert m.select_subprotocol(["ss-plugin.v0", "ss-plugin.v1"]) == "ss-plugin.v1"
    assert m.select_subprotocol(["graphql-transport-ws"]) is None


async def test_an_outdated_plugin_is_refused_with_the_minimum() -> None:
    session = new_session(config=SessionConfig(min_plugin_version="4.0.11"))
    text, hello_id = Plugin(counter("plg")).hello(T0, plugin_version="4.0.9.0")

    effects = await session.receive(text, T0)

    reason = "plugin 4.0.9.0 is below the minimum 4.0.11"
    assert nack_of(effects[:1]) == {
        "correlation_id": hello_id,
        "code": "plugin_outdated",
        "retryable": False,
        "details": {"minimum": "4.0.11"},
        "message": reason,
    }
    assert effects[1:] == [Close(CC.PLUGIN_OUTDATED, reason)]


def test_plugin_versions_compare_numerically() -> None:
    parse = m.PluginVersion.parse
    assert parse("4.0.11.0") == parse("4.0.11")
    assert parse("4.0.9") < parse("4.0.11") < parse("4.1")
    with pytest.raises(ValueError, match="not a version"):
        parse("4.0-beta")


@pytest.mark.parametrize(
    ("code", "close"),
    [
        (m.ErrorCode.INVALID_API_KEY, CC.AUTHENTICATION_FAILED),
        (m.ErrorCode.API_KEY_EXPIRED, CC.AUTHENTICATION_FAILED),
        (m.ErrorCode.API_KEY_REVOKED, CC.API_KEY_REVOKED),
        (m.ErrorCode.FINGERPRINT_MISMATCH, CC.FINGERPRINT_MISMATCH),
        (m.ErrorCode.REGISTRATION_REJECTED, CC.REGISTRATION_REJECTED),
    ],
)
async def test_a_refused_key_is_nacked_and_closed(code: m.ErrorCode, close: m.CloseCode) -> None:
    # given
    session = new_session()
    text, hello_id = Plugin(counter("plg")).hello(T0)
    await session.receive(text, T0)

    # when the domain refuses the credentials
    effects = await session.hello_answered(AuthRefused(code, "refused"), T0)

    # then nothing is applied and no observatory is attached to the session
    assert nack_of(effects[:1])["code"] == code.value
    assert nack_of(effects[:1])["correlation_id"] == hello_id
    assert effects[1:] == [Close(close, "refused")]
    assert session.observatory_id is None


async def test_hello_without_key_or_registration_is_refused() -> None:
    session = new_session()
    text, _ = Plugin(counter("plg")).hello(T0, api_key=None)

    effects = await session.receive(text, T0)

    assert nack_of(effects[:1])["code"] == "authentication_required"
    assert effects[1:] == [
        Close(CC.AUTHENTICATION_FAILED, "send api_key, or registration for a new observatory")
    ]


async def test_anything_before_hello_closes_with_protocol_error() -> None:
    session = new_session()
    text, message_id = Plugin(counter("plg")).frame("request_work", T0)

    effects = await session.receive(text, T0)

    assert nack_of(effects[:1])["code"] == "unexpected_message"
    assert nack_of(effects[:1])["correlation_id"] == message_id
    assert effects[1:] == [Close(CC.PROTOCOL_ERROR, "hello first")]


async def test_work_before_reconciliation_is_not_ready() -> None:
    session = new_session()
    plugin = Plugin(counter("plg"))
    text, _ = plugin.hello(T0)
    await session.receive(text, T0)
    await session.hello_answered(Authenticated(OBSERVATORY), T0)
    text, message_id = plugin.frame("request_work", T0)

    effects = await session.receive(text, T0)

    assert nack_of(effects) == {
        "correlation_id": message_id,
        "code": "not_ready",
        "retryable": True,
        "details": {},
        "message": "send state_report after welcome and wait for reconciliation",
    }


async def test_a_second_hello_is_unexpected() -> None:
    session = new_session()
    plugin = Plugin(counter("plg"))
    await ready(session, plugin)
    text, _ = plugin.hello(T0)

    effects = await session.receive(text, T0)

    assert nack_of(effects)["code"] == "unexpected_message"
    assert session.phase is SessionPhase.READY


async def test_oversize_frame_closes_and_applies_nothing() -> None:
    session = new_session()
    plugin = Plugin(counter("plg"))
    await ready(session, plugin)
    entry = {"at": "2026-11-24T22:00:00Z", "level": "info", "source": "host", "message": "x" * 3900}
    text, _ = plugin.frame("log", T0, entries=[entry] * 70)

    effects = await session.receive(text, T0)

    assert len(text.encode()) > m.MAX_MESSAGE_BYTES
    assert effects == [
        Close(CC.MESSAGE_TOO_BIG, "messages are at most 262144 bytes"),
        MarkOffline(OBSERVATORY, T0, "message_too_big"),
    ]


async def test_a_flood_closes_on_the_first_message_over_the_bucket() -> None:
    # given a bucket of 60 refilled at 10/s: the 2 set-up frames at T0 leave 58 tokens,
    # and by T0 + 0.5 s it is full again (58 + 5, capped at 60)
    session = new_session()
    plugin = Plugin(counter("plg"))
    await ready(session, plugin)
    results = []

    # when 62 heartbeats arrive at T0 + 0.5 s
    for _ in range(62):
        text, _ = plugin.frame("heartbeat", later(0.5))
        results.append(await session.receive(text, later(0.5)))

    # then the 61st is refused with the flood close code, and the session reads no more
    closes = [i for i, effects in enumerate(results) if any(isinstance(e, Close) for e in effects)]
    assert closes == [60]
    assert results[60] == [
        Close(CC.RATE_LIMITED, "too many messages"),
        MarkOffline(OBSERVATORY, later(0.5), "rate_limited"),
    ]
    assert results[61] == []


async def test_a_duplicate_gets_the_original_answer_and_is_applied_once() -> None:
    # given a request_work applied with an assignment as reply
    dedup, outbox = MemoryDedupStore(), MemoryOutbox()
    session = new_session(dedup, outbox)
    plugin = Plugin(counter("plg"))
    await ready(session, plugin)
    text, request_id = plugin.frame("request_work", T0)
    (apply,) = await session.receive(text, T0)
    no_work = session.compose(
        m.NoWork, T0, correlation_id=request_id, reason=m.NoWorkReason.DAYLIGHT, retry_after_s=600
    )
    first = await session.applied(request_id, Applied({"dispatched": False}, (no_work,)), T0)

    # when the same message (same id) arrives again
    again, _ = plugin.frame("request_work", later(1), id=request_id)
    second = await session.receive(again, later(1))

    # then the domain is not asked again and the same answer (same ids) comes back
    assert isinstance(apply, Apply)
    assert all(isinstance(effect, Send) for effect in second)
    strip = [{k: v for k, v in msg.items() if k != "seq"} for msg in sent(first)]
    assert [{k: v for k, v in msg.items() if k != "seq"} for msg in sent(second)] == strip
    assert [msg["seq"] for msg in sent(first)] == [4, 5]
    assert [msg["seq"] for msg in sent(second)] == [6, 7]
    assert strip[0]["result"] == {"dispatched": False}


async def test_a_status_is_acked_without_an_answer_record_and_a_duplicate_once() -> None:
    # given a ready session
    dedup = MemoryDedupStore()
    session = new_session(dedup)
    plugin = Plugin(counter("plg"))
    await ready(session, plugin)
    fields: dict[str, Any] = {
        "operational_state": "ready",
        "safety": "safe",
        "operations_enabled": True,
    }
    text, status_id = plugin.frame("status", T0, **fields)

    # when it is applied, then arrives again with the same id on the same connection
    (apply,) = await session.receive(text, T0)
    first = await session.applied(status_id, Applied(), T0)
    again, _ = plugin.frame("status", later(1), id=status_id, **fields)
    second = await session.receive(again, later(1))

    # then both copies get the same ack, the domain was asked once, nothing was stored
    assert isinstance(apply, Apply)
    assert [msg["id"] for msg in sent(second)] == [msg["id"] for msg in sent(first)]
    assert sent(second)[0]["type"] == "ack"
    assert all(isinstance(effect, Send) for effect in second)
    assert await dedup.get(OBSERVATORY, status_id) is None


async def test_a_duplicate_while_the_first_is_being_applied_waits_for_it() -> None:
    session = new_session()
    plugin = Plugin(counter("plg"))
    await ready(session, plugin)
    text, message_id = plugin.frame("request_work", T0)
    await session.receive(text, T0)

    again, _ = plugin.frame("request_work", T0, id=message_id)

    assert await session.receive(again, T0) == []
    answers = await session.applied(message_id, Applied({"dispatched": False}), later(1))
    assert [(msg["type"], msg["correlation_id"]) for msg in sent(answers)] == [
        ("ack", message_id),
        ("ack", message_id),
    ]
    assert sent(answers)[0]["id"] == sent(answers)[1]["id"]  # the same stored answer


async def test_a_duplicate_after_reconnect_is_answered_from_the_store() -> None:
    # given an exposure_finished applied in a session that then dropped
    dedup, outbox = MemoryDedupStore(), MemoryOutbox()
    first = new_session(dedup, outbox)
    plugin = Plugin(counter("plg"))
    await ready(first, plugin)
    text, message_id = plugin.frame(
        "exposure_finished", T0, assignment_id="a-1", sequence=3, outcome="failed"
    )
    await first.receive(text, T0)
    await first.applied(message_id, Rejected(m.ErrorCode.ASSIGNMENT_NOT_ACTIVE, "aborted"), T0)
    first.connection_lost(later(5))

    # when the plugin resends it on a new connection
    second = new_session(dedup, outbox, now=later(10), server_ids=counter("srv2"))
    plugin2 = Plugin(counter("plg2"))
    await ready(second, plugin2, later(10))
    resent, _ = plugin2.frame(
        "exposure_finished",
        later(11),
        id=message_id,
        assignment_id="a-1",
        sequence=3,
        outcome="failed",
    )
    effects = await second.receive(resent, later(11))

    # then the original nack (with its original id) answers it, and nothing is applied
    (nack,) = sent(effects)
    assert nack["id"] == "srv-0005"
    assert nack["code"] == "assignment_not_active"
    assert nack["correlation_id"] == message_id


async def test_a_retryable_refusal_is_not_remembered() -> None:
    session = new_session()
    plugin = Plugin(counter("plg"))
    await ready(session, plugin)
    text, message_id = plugin.frame("request_work", T0)
    await session.receive(text, T0)
    refused = await session.applied(
        message_id, Rejected(m.ErrorCode.INTERNAL_ERROR, "db down", True), T0
    )

    again, _ = plugin.frame("request_work", later(2), id=message_id)
    effects = await session.receive(again, later(2))

    assert nack_of(refused)["retryable"] is True
    (apply,) = effects
    assert isinstance(apply, Apply)
    assert isinstance(apply.command, c.RequestWork)


async def test_a_seq_not_above_the_previous_closes_the_session() -> None:
    session = new_session()
    plugin = Plugin(counter("plg"))
    await ready(session, plugin)
    plugin.seq = 1  # the next frame repeats seq 2

    text, _ = plugin.frame("heartbeat", T0)
    effects = await session.receive(text, T0)

    assert effects == [
        Close(CC.SEQUENCE_ERROR, "seq 2 after 2"),
        MarkOffline(OBSERVATORY, T0, "sequence_error"),
    ]


async def test_gaps_in_seq_are_allowed() -> None:
    session = new_session()
    plugin = Plugin(counter("plg"))
    await ready(session, plugin)
    plugin.seq = 40

    text, message_id = plugin.frame("heartbeat", T0)
    (reply,) = sent(await session.receive(text, T0))

    assert reply["type"] == "heartbeat"
    assert reply["correlation_id"] == message_id


async def test_unacked_commands_are_resent_in_order_with_their_ids_after_reconnect() -> None:
    # given two commands pushed and never acked, then the link drops
    dedup, outbox = MemoryDedupStore(), MemoryOutbox()
    first = new_session(dedup, outbox)
    await ready(first, Plugin(counter("plg")))
    abort = first.compose(
        m.Abort, T0, assignment_id="a-1", reason=m.AbortReason.PREEMPTION, stop="immediately"
    )
    order = first.compose(
        m.CalibrationOrder,
        T0,
        order_id="co-1",
        setup={"kind": "dark", "exposure_s": 60.0},
        count=10,
        must_end_by=later(3600),
        use_dark_filter=False,
    )
    pushed = [*await first.push(abort, T0), *await first.push(order, T0)]
    first.connection_lost(later(1))

    # when the plugin reconnects and is reconciled
    second = new_session(dedup, outbox, now=later(20), server_ids=counter("srv2"))
    effects = await ready(second, Plugin(counter("plg2")), later(20))

    # then both come again after the reconciliation, in order, same ids, new seqs
    assert [(msg["type"], msg["id"], msg["seq"]) for msg in sent(pushed)] == [
        ("abort", abort.id, 4),
        ("calibration_order", order.id, 5),
    ]
    assert [(msg["type"], msg["id"], msg["seq"]) for msg in sent(effects)] == [
        ("ack", "srv2-0004", 2),
        ("reconciliation", "srv2-0003", 3),
        ("abort", abort.id, 4),
        ("calibration_order", order.id, 5),
    ]


async def test_an_acked_command_is_not_resent() -> None:
    dedup, outbox = MemoryDedupStore(), MemoryOutbox()
    session = new_session(dedup, outbox)
    plugin = Plugin(counter("plg"))
    await ready(session, plugin)
    abort = session.compose(
        m.Abort, T0, assignment_id="a-1", reason=m.AbortReason.CANCEL, stop="immediately"
    )
    await session.push(abort, T0)
    text, _ = plugin.frame("ack", T0, correlation_id=abort.id)

    effects = await session.receive(text, T0)

    assert effects == [Apply(c.CommandAcknowledged(OBSERVATORY, abort), None)]
    assert await outbox.pending(OBSERVATORY) == []


async def test_a_nacked_command_is_reported_to_the_domain() -> None:
    outbox = MemoryOutbox()
    session = new_session(outbox=outbox)
    plugin = Plugin(counter("plg"))
    await ready(session, plugin)
    abort = session.compose(
        m.Abort, T0, assignment_id="a-9", reason=m.AbortReason.CANCEL, stop="immediately"
    )
    await session.push(abort, T0)
    text, _ = plugin.frame(
        "nack",
        T0,
        correlation_id=abort.id,
        code="unknown_assignment",
        message="no a-9",
        retryable=False,
    )

    (effect,) = await session.receive(text, T0)

    assert isinstance(effect, Apply)
    assert isinstance(effect.command, c.CommandRefused)
    assert effect.command.nack.code is m.ErrorCode.UNKNOWN_ASSIGNMENT
    assert await outbox.pending(OBSERVATORY) == []


async def test_heartbeat_timeout_marks_offline_then_grace_interrupts_once() -> None:
    # given a ready session whose last message arrived at T0 + 10 s
    session = new_session()
    plugin = Plugin(counter("plg"))
    await ready(session, plugin)
    text, _ = plugin.frame("heartbeat", later(10))
    await session.receive(text, later(10))

    # when time passes
    before = session.tick(later(99.9))
    timeout = session.tick(later(100))
    waiting = session.tick(later(399.9))
    grace = session.tick(later(400))
    after = session.tick(later(900))

    # then
    assert before == []
    assert timeout == [
        MarkOffline(OBSERVATORY, later(10), "heartbeat_timeout"),
        Close(CC.HEARTBEAT_TIMEOUT, "no heartbeat"),
    ]
    assert waiting == []
    assert grace == [InterruptForLostHeartbeat(OBSERVATORY, later(100))]
    assert after == []


async def test_a_dropped_connection_interrupts_after_the_grace() -> None:
    session = new_session()
    await ready(session, Plugin(counter("plg")))

    lost = session.connection_lost(later(30))

    assert lost == [MarkOffline(OBSERVATORY, T0, "connection_lost")]
    assert session.tick(later(329)) == []
    assert session.tick(later(330)) == [InterruptForLostHeartbeat(OBSERVATORY, later(30))]


async def test_a_replaced_session_never_interrupts() -> None:
    session = new_session()
    await ready(session, Plugin(counter("plg")))
    session.connection_lost(later(30))

    replaced = session.replaced(later(40))

    assert replaced == []
    assert session.tick(later(1000)) == []


async def test_no_hello_within_the_timeout_closes() -> None:
    session = new_session()

    assert session.tick(later(9.9)) == []
    assert session.tick(later(10)) == [Close(CC.HELLO_TIMEOUT, "no hello")]


async def test_goodbye_closes_normally_and_marks_offline() -> None:
    session = new_session()
    plugin = Plugin(counter("plg"))
    await ready(session, plugin)
    text, _ = plugin.frame("goodbye", later(5), reason="shutdown")

    effects = await session.receive(text, later(5))

    goodbye = m.Goodbye.model_validate_json(text)
    assert effects == [
        Apply(c.RecordGoodbye(OBSERVATORY, goodbye), None),
        MarkOffline(OBSERVATORY, later(5), "goodbye"),
        Close(CC.NORMAL, "goodbye"),
    ]


async def test_registration_waits_for_approval_then_the_key_and_welcome_follow() -> None:
    # given a hello with registration details and no key
    outbox = MemoryOutbox()
    session = new_session(outbox=outbox)
    plugin = Plugin(counter("plg"))
    registration = {
        "code": "ridge-01",
        "name": "Ridge Observatory",
        "contact_email": "ops@ridge.example",
        "latitude_deg": 44.5,
        "longitude_deg": -110.2,
    }
    text, hello_id = plugin.hello(T0, api_key=None, registration=registration)

    # when the domain records it as pending, and an admin approves it later
    (apply,) = await session.receive(text, T0)
    pending = await session.hello_answered(RegistrationPending("reg-1"), T0)
    key = session.compose(
        m.ApiKeyIssued,
        later(600),
        reason="registration_approved",
        observatory_id=OBSERVATORY,
        api_key="sso_0123456789abcdef",
    )
    pushed = await session.push(key, later(600))
    ack, _ = plugin.frame("ack", later(601), correlation_id=key.id)
    acked = await session.receive(ack, later(601))

    # then
    assert isinstance(apply.command, c.Register)  # type: ignore[union-attr]
    assert [msg["type"] for msg in sent(pending)] == ["registration_pending"]
    assert sent(pending)[0]["correlation_id"] == hello_id
    assert [msg["type"] for msg in sent(pushed)] == ["api_key_issued"]
    assert acked[0] == Apply(c.CommandAcknowledged(OBSERVATORY, key), None)
    assert [msg["type"] for msg in sent(acked)] == ["welcome"]
    assert session.phase is SessionPhase.AUTHENTICATED
    assert await outbox.pending(OBSERVATORY) == []


async def test_a_rejected_registration_nacks_the_hello_and_closes() -> None:
    # given a session waiting for an admin to approve its registration
    session = new_session()
    plugin = Plugin(counter("plg"))
    registration = {
        "code": "ridge-01",
        "name": "Ridge Observatory",
        "contact_email": "ops@ridge.example",
        "latitude_deg": 44.5,
        "longitude_deg": -110.2,
    }
    text, hello_id = plugin.hello(T0, api_key=None, registration=registration)
    await session.receive(text, T0)
    await session.hello_answered(RegistrationPending("reg-1"), T0)

    # when the admin rejects it
    refusal = AuthRefused(m.ErrorCode.REGISTRATION_REJECTED, "rejected by an administrator")
    effects = session.registration_rejected(refusal, later(60))
    again = session.registration_rejected(refusal, later(61))

    # then the hello is nacked, the socket closed once, and no observatory attached
    assert nack_of(effects[:1])["code"] == "registration_rejected"
    assert nack_of(effects[:1])["correlation_id"] == hello_id
    assert effects[1:] == [Close(CC.REGISTRATION_REJECTED, "rejected by an administrator")]
    assert again == []
    assert session.phase is SessionPhase.CLOSED
    assert session.observatory_id is None


async def test_rejecting_a_session_not_awaiting_approval_does_nothing() -> None:
    # given a session authenticated with a key
    session = new_session()
    text, _ = Plugin(counter("plg")).hello(T0)
    await session.receive(text, T0)
    await session.hello_answered(Authenticated(OBSERVATORY), T0)

    # when a rejection arrives for it
    refusal = AuthRefused(m.ErrorCode.REGISTRATION_REJECTED, "rejected")
    effects = session.registration_rejected(refusal, later(1))

    # then
    assert effects == []
    assert session.phase is SessionPhase.AUTHENTICATED


async def test_every_message_kind_maps_to_its_command() -> None:
    # given a ready session
    session = new_session()
    plugin = Plugin(counter("plg"))
    await ready(session, plugin)

    # when a status arrives
    text, message_id = plugin.frame(
        "status", T0, operational_state="weather_hold", safety="unsafe", operations_enabled=True
    )
    (apply,) = await session.receive(text, T0)

    # then
    assert apply == Apply(
        c.RecordStatus(OBSERVATORY, m.Status.model_validate_json(text)), message_id
    )
    assert json.loads(text)["safety"] == "unsafe"


async def test_a_second_hello_before_the_answer_is_not_applied_twice() -> None:
    session = new_session()
    plugin = Plugin(counter("plg"))
    text, _ = plugin.hello(T0)
    await session.receive(text, T0)
    again, again_id = plugin.hello(T0)

    effects = await session.receive(again, T0)

    assert nack_of(effects)["code"] == "unexpected_message"
    assert nack_of(effects)["correlation_id"] == again_id


async def test_a_resent_state_report_is_answered_from_the_store_and_readies_the_session() -> None:
    # given a state report applied on a connection that dropped before its answer arrived
    dedup, outbox = MemoryDedupStore(), MemoryOutbox()
    first = new_session(dedup, outbox)
    plugin = Plugin(counter("plg"))
    text, _ = plugin.hello(T0)
    await first.receive(text, T0)
    await first.hello_answered(Authenticated(OBSERVATORY), T0)
    report, report_id = plugin.frame("state_report", T0, assignment_id=None)
    await first.receive(report, T0)
    reply = first.compose(
        m.Reconciliation,
        T0,
        correlation_id=report_id,
        decision=m.DecisionKind.IDLE,
        assignment_id=None,
        observation_state=None,
        reason="no assignment on either side",
    )
    first.connection_lost(T0)
    await first.applied(report_id, Applied(replies=(reply,)), T0)

    # when the plugin resends the same report on a new connection
    second = new_session(dedup, outbox, server_ids=counter("srv2"))
    plugin2 = Plugin(counter("plg2"))
    text, _ = plugin2.hello(later(5))
    await second.receive(text, later(5))
    await second.hello_answered(Authenticated(OBSERVATORY), later(5))
    again, _ = plugin2.frame("state_report", later(5), id=report_id, assignment_id=None)
    effects = await second.receive(again, later(5))

    # then the original answer comes back and the session is ready
    assert [(msg["type"], msg["id"]) for msg in sent(effects)] == [
        ("ack", "srv-0004"),
        ("reconciliation", reply.id),
    ]
    assert second.phase is SessionPhase.READY


async def test_while_the_hello_is_checked_heartbeats_are_answered_and_work_waits() -> None:
    # given a hello the domain has not answered yet, 20 s after the handshake
    session = new_session()
    plugin = Plugin(counter("plg"))
    text, _ = plugin.hello(T0)
    await session.receive(text, T0)
    heartbeat, heartbeat_id = plugin.frame("heartbeat", later(20))
    work, work_id = plugin.frame("request_work", later(20))

    # when
    beat = await session.receive(heartbeat, later(20))
    waiting = await session.receive(work, later(20))
    timed = session.tick(later(20))

    # then no hello timeout, the heartbeat is answered and the work request is not ready
    assert [(msg["type"], msg["correlation_id"]) for msg in sent(beat)] == [
        ("heartbeat", heartbeat_id)
    ]
    assert nack_of(waiting)["code"] == "not_ready"
    assert nack_of(waiting)["correlation_id"] == work_id
    assert timed == []
    assert session.phase is SessionPhase.CONNECTING
