"""The User document."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from beanie import Document, Indexed
from pydantic import Field


def utcnow() -> datetime:
    return datetime.now(UTC)


class User(Document):
    email: Annotated[str, Indexed(unique=True)]
    password_hash: str
    full_name: str = ""
    is_site_admin: bool = False
    is_active: bool = True
    created_at: datetime = Field(default_factory=utcnow)

    class Settings:
        name = "users"


def normalise_email(email: str) -> str:
    return email.strip().lower()
