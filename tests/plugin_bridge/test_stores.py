"""The in-memory ports behave as the protocols promise; stored answers round-trip as JSON."""

from __future__ import annotations

import json

from plugin_bridge import messages as m
from plugin_bridge.core.stores import MemoryDedupStore, MemoryOutbox, StoredAnswer
from tests.plugin_bridge.harness import T0, counter, new_session


def test_a_stored_answer_round_trips_through_a_json_document() -> None:
    # given an ack with a reply, composed with enum values given as strings
    session = new_session(server_ids=counter("s"))
    no_work = session.compose(m.NoWork, T0, correlation_id="p-1", reason="busy", retry_after_s=30)
    ack = session.compose(m.Ack, T0, correlation_id="p-1", result={"dispatched": False})
    stored = StoredAnswer(ack, (no_work,))

    # when
    document = json.loads(json.dumps(stored.dump()))
    loaded = StoredAnswer.load(document)

    # then
    assert loaded == stored
    assert no_work.reason is m.NoWorkReason.BUSY


async def test_the_first_stored_answer_wins() -> None:
    session = new_session(server_ids=counter("s"))
    first = StoredAnswer(session.compose(m.Ack, T0, correlation_id="p-1"))
    second = StoredAnswer(session.compose(m.Ack, T0, correlation_id="p-1"))
    store = MemoryDedupStore()

    kept = [await store.put("obs", "p-1", first), await store.put("obs", "p-1", second)]

    assert kept == [first, first]
    assert await store.get("obs", "p-1") == first
    assert await store.get("other", "p-1") is None


async def test_the_outbox_keeps_first_sent_order_and_ignores_re_adds() -> None:
    session = new_session(server_ids=counter("s"))
    abort = session.compose(m.Abort, T0, assignment_id="a-1", reason="cancel", stop="immediately")
    order = session.compose(
        m.CalibrationOrder,
        T0,
        order_id="co-1",
        setup={"kind": "bias"},
        count=20,
        must_end_by=T0,
        use_dark_filter=False,
    )
    outbox = MemoryOutbox()

    await outbox.add("obs", abort)
    await outbox.add("obs", order)
    await outbox.add("obs", abort)

    assert await outbox.pending("obs") == [abort, order]
    assert await outbox.acknowledge("obs", abort.id) == abort
    assert await outbox.acknowledge("obs", abort.id) is None
    assert await outbox.pending("obs") == [order]
