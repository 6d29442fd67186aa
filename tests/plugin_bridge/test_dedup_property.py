"""Property: however duplicates interleave, each message is applied once and every copy is
answered with the same result."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from plugin_bridge.core.effects import Applied, Apply, Effect
from plugin_bridge.core.stores import MemoryDedupStore, MemoryOutbox
from tests.plugin_bridge.harness import T0, Plugin, counter, new_session, ready, sent

# A schedule: which message (0-4) each frame carries, and whether the domain answers the
# pending applications right after that frame.
schedules = st.lists(
    st.tuples(st.integers(min_value=0, max_value=4), st.booleans()), min_size=1, max_size=30
)


async def run(schedule: list[tuple[int, bool]]) -> tuple[list[str], dict[str, set[str]]]:
    dedup, outbox = MemoryDedupStore(), MemoryOutbox()
    session = new_session(dedup, outbox)
    plugin = Plugin(counter("plg"))
    await ready(session, plugin)
    applied: list[str] = []
    acks: dict[str, set[str]] = {}
    waiting: list[str] = []

    def note(effects: list[Effect]) -> None:
        for effect in effects:
            if isinstance(effect, Apply) and effect.message_id is not None:
                applied.append(effect.message_id)
                waiting.append(effect.message_id)
        for message in sent(effects):
            if message["type"] == "ack":
                acks.setdefault(message["correlation_id"], set()).add(
                    f"{message['id']}:{message['result']}"
                )

    for step, (which, answer) in enumerate(schedule):
        now = T0 + timedelta(seconds=step)
        text, _ = plugin.frame("request_work", now, id=f"msg-{which}")
        note(await session.receive(text, now))
        if answer:
            for message_id in waiting[:]:
                waiting.remove(message_id)
                note(await session.applied(message_id, Applied({"n": message_id}), now))
    return applied, acks


@settings(max_examples=60, deadline=None)
@given(schedules)
def test_any_interleaving_of_duplicates_applies_each_message_once(
    schedule: list[tuple[int, bool]],
) -> None:
    applied, acks = asyncio.run(run(schedule))

    assert sorted(applied) == sorted(set(applied))
    assert set(applied) == {f"msg-{which}" for which, _ in schedule}
    assert all(len(answers) == 1 for answers in acks.values())
    assert all(answers == {next(iter(answers))} for answers in acks.values())
