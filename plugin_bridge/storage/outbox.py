"""`MongoOutbox`: unacked server commands in MongoDB, resent in their order after reconnect.

The API key an `api_key_issued` carries is stored sealed (`domain.sealing`), never in
plaintext, and unsealed when the command is read back to be sent.
"""

from __future__ import annotations

import logging

from bson import ObjectId
from pymongo.errors import DuplicateKeyError

from domain import sealing
from plugin_bridge import messages as m
from plugin_bridge.storage.dedup import answer_key
from plugin_bridge.storage.documents import PluginCommand

log = logging.getLogger(__name__)


def _at_rest(command: m.ServerCommand) -> dict[str, object]:
    stored: dict[str, object] = command.model_dump(mode="json")
    if isinstance(command, m.ApiKeyIssued):
        stored["api_key"] = sealing.seal(command.api_key)
    return stored


def _loaded(raw: dict[str, object]) -> m.ServerCommand | None:
    """The stored command; None (logged) for a key sealed under a secret key since changed."""
    try:
        return _load(raw)
    except sealing.SealError:
        log.error("a stored api_key_issued cannot be unsealed (secret key changed?); dropped")
        return None


def _load(raw: dict[str, object]) -> m.ServerCommand:
    if raw.get("type") == "api_key_issued" and isinstance(raw.get("api_key"), str):
        raw = raw | {"api_key": sealing.unseal(str(raw["api_key"]))}
    command = m.server_message_adapter.validate_python(raw, strict=False)
    if not m.is_command(command):
        raise ValueError(f"{command.type} is not a server command")
    return command  # type: ignore[return-value]


class MongoOutbox:
    async def add(self, observatory_id: str, command: m.ServerCommand) -> None:
        collection = PluginCommand.get_pymongo_collection()
        key = answer_key(observatory_id, command.id)
        if await collection.find_one({"key": key}, {"_id": 1}) is not None:
            return
        try:
            await collection.insert_one(
                {
                    "_id": ObjectId(),
                    "key": key,
                    "observatory_id": observatory_id,
                    "message_id": command.id,
                    "command": _at_rest(command),
                }
            )
        except DuplicateKeyError:
            return

    async def acknowledge(self, observatory_id: str, message_id: str) -> m.ServerCommand | None:
        raw = await PluginCommand.get_pymongo_collection().find_one_and_delete(
            {"key": answer_key(observatory_id, message_id)}
        )
        return None if raw is None else _loaded(raw["command"])

    async def pending(self, observatory_id: str) -> list[m.ServerCommand]:
        cursor = (
            PluginCommand.get_pymongo_collection()
            .find({"observatory_id": observatory_id})
            .sort("_id", 1)
        )
        loaded = [_loaded(raw["command"]) async for raw in cursor]
        return [command for command in loaded if command is not None]
