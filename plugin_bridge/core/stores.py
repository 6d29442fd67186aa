"""Ports for the durable state of sessions: the dedup store and the outbox.

Both are keyed by observatory, so they survive reconnects and replicas. The in-memory
implementations here are for tests and for reading; the product uses durable ones.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Protocol

from plugin_bridge import messages as m


@dataclass(frozen=True)
class StoredAnswer:
    """The original answer to a plugin message: its ack or nack and the replies sent."""

    answer: m.Ack | m.Nack
    replies: tuple[m.ServerMessage, ...] = ()

    def dump(self) -> dict[str, Any]:
        """A JSON-compatible document for a durable store."""
        return {
            "answer": self.answer.model_dump(mode="json"),
            "replies": [reply.model_dump(mode="json") for reply in self.replies],
        }

    @classmethod
    def load(cls, document: dict[str, Any]) -> StoredAnswer:
        answer = m.server_message_adapter.validate_json(_json(document["answer"]))
        if not isinstance(answer, m.Ack | m.Nack):
            raise ValueError(f"a stored answer is an ack or nack, not {answer.type}")
        replies = tuple(
            m.server_message_adapter.validate_json(_json(reply)) for reply in document["replies"]
        )
        return cls(answer, replies)


def _json(document: Any) -> str:
    return json.dumps(document)


class DedupStore(Protocol):
    """Remembers the answer to each applied plugin message, by (observatory, message id)."""

    async def get(self, observatory_id: str, message_id: str) -> StoredAnswer | None: ...

    async def put(self, observatory_id: str, message_id: str, answer: StoredAnswer) -> StoredAnswer:
        """Store `answer` unless one is stored; return the stored one (first writer wins)."""
        ...


class Outbox(Protocol):
    """Server commands the plugin has not acked yet, in the order they were first sent."""

    async def add(self, observatory_id: str, command: m.ServerCommand) -> None:
        """Keep `command` until acked; adding an id that is present changes nothing."""
        ...

    async def acknowledge(self, observatory_id: str, message_id: str) -> m.ServerCommand | None:
        """Forget the command; return it, or None when it was not pending."""
        ...

    async def pending(self, observatory_id: str) -> list[m.ServerCommand]: ...


class MemoryDedupStore:
    def __init__(self) -> None:
        self.answers: dict[tuple[str, str], StoredAnswer] = {}

    async def get(self, observatory_id: str, message_id: str) -> StoredAnswer | None:
        return self.answers.get((observatory_id, message_id))

    async def put(self, observatory_id: str, message_id: str, answer: StoredAnswer) -> StoredAnswer:
        return self.answers.setdefault((observatory_id, message_id), answer)


class MemoryOutbox:
    def __init__(self) -> None:
        self.commands: dict[str, dict[str, m.ServerCommand]] = {}

    async def add(self, observatory_id: str, command: m.ServerCommand) -> None:
        self.commands.setdefault(observatory_id, {}).setdefault(command.id, command)

    async def acknowledge(self, observatory_id: str, message_id: str) -> m.ServerCommand | None:
        return self.commands.get(observatory_id, {}).pop(message_id, None)

    async def pending(self, observatory_id: str) -> list[m.ServerCommand]:
        return list(self.commands.get(observatory_id, {}).values())
