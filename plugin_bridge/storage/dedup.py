"""`MongoDedupStore`: answers kept in MongoDB, so duplicates survive reconnects and restarts."""

from __future__ import annotations

import hashlib

from pymongo.errors import DuplicateKeyError

from plugin_bridge.core.stores import StoredAnswer
from plugin_bridge.storage.documents import PluginAnswer


def answer_key(observatory_id: str, message_id: str) -> str:
    """The document id: one per (observatory, message id), so a second insert collides."""
    return hashlib.sha256(f"{observatory_id}\x00{message_id}".encode()).hexdigest()[:32]


class MongoDedupStore:
    async def get(self, observatory_id: str, message_id: str) -> StoredAnswer | None:
        raw = await PluginAnswer.get_pymongo_collection().find_one(
            {"_id": answer_key(observatory_id, message_id)}
        )
        return None if raw is None else StoredAnswer.load(raw["answer"])

    async def put(self, observatory_id: str, message_id: str, answer: StoredAnswer) -> StoredAnswer:
        document = PluginAnswer(
            observatory_id=observatory_id, message_id=message_id, answer=answer.dump()
        )
        raw = document.model_dump(mode="python", exclude={"id", "revision_id"})
        try:
            await PluginAnswer.get_pymongo_collection().insert_one(
                {"_id": answer_key(observatory_id, message_id), **raw}
            )
        except DuplicateKeyError:
            stored = await self.get(observatory_id, message_id)
            if stored is not None:
                return stored
            raise
        return answer
