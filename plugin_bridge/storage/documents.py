"""The documents behind the durable session state: remembered answers and unacked commands."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from beanie import Document, Indexed
from pydantic import Field

from domain.accounts.user import utcnow


class PluginAnswer(Document):
    """The original answer to one applied plugin message, by (observatory, message id)."""

    observatory_id: str
    message_id: str
    answer: dict[str, Any]
    created_at: datetime = Field(default_factory=utcnow)

    class Settings:
        name = "plugin_answers"


class PluginCommand(Document):
    """A server command the plugin has not acknowledged yet."""

    key: Annotated[str, Indexed(unique=True)]
    observatory_id: str
    message_id: str
    command: dict[str, Any]
    created_at: datetime = Field(default_factory=utcnow)

    class Settings:
        name = "plugin_outbox"
        indexes = ([("observatory_id", 1), ("_id", 1)],)


BRIDGE_DOCUMENT_MODELS: list[type[Document]] = [PluginAnswer, PluginCommand]
