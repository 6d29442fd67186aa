"""`science-scheduler users ...`: account chores run from a shell against the database."""

from __future__ import annotations

import asyncio
import getpass
import sys
from typing import TextIO

from beanie import init_beanie
from pymongo import AsyncMongoClient

from domain.accounts.service import create_site_admin
from domain.documents import DOCUMENT_MODELS
from domain.errors import Conflict, ValidationFailed
from science_scheduler.services import EngineNotConfigured
from science_scheduler.settings import Settings

_SERVER_SELECTION_TIMEOUT_MS = 5000
CLI_ACTOR = "system:cli"
"""Who created accounts from a shell, in the audit trail."""


class CommandFailed(Exception):
    """The command could not do its work; the message is one line for the user."""


def read_credentials(email: str | None, password_stdin: bool, stdin: TextIO) -> tuple[str, str]:
    """The email and password from the flags, or asked for (the password twice, hidden)."""
    if email is None:
        if password_stdin:
            raise CommandFailed("--password-stdin needs --email")
        email = input("Email: ").strip()
    if password_stdin:
        return email, stdin.readline().rstrip("\r\n")
    password = getpass.getpass("Password: ")
    if getpass.getpass("Password again: ") != password:
        raise CommandFailed("the two passwords differ; nothing was created")
    return email, password


def _require_mongodb_url(settings: Settings) -> str:
    if settings.mongodb_url is None:
        raise EngineNotConfigured(
            "setting MONGODB_URL is not set; fix: set it to the server's database, or let "
            "`science-scheduler serve` create the admin from SCHEDULER_ADMIN_EMAIL and "
            "SCHEDULER_ADMIN_PASSWORD"
        )
    return settings.mongodb_url


async def _create_admin(settings: Settings, email: str, password: str) -> str:
    mongo: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(
        _require_mongodb_url(settings),
        tz_aware=True,
        serverSelectionTimeoutMS=_SERVER_SELECTION_TIMEOUT_MS,
    )
    try:
        await init_beanie(
            database=mongo[settings.mongodb_database], document_models=DOCUMENT_MODELS
        )
        admin = await create_site_admin(email, password, actor=CLI_ACTOR)
    except Conflict as conflict:
        raise CommandFailed(f"{conflict.message}; nothing was changed") from None
    except ValidationFailed as failure:
        raise CommandFailed(f"{failure}; nothing was created") from None
    finally:
        await mongo.close()
    return admin.email


def create_admin(settings: Settings, email: str | None, password_stdin: bool) -> None:
    """Create a site administrator; exit non-zero when the account exists or input is bad."""
    _require_mongodb_url(settings)  # before asking anything
    try:
        email, password = read_credentials(email, password_stdin, sys.stdin)
        created = asyncio.run(_create_admin(settings, email, password))
    except CommandFailed as failure:
        sys.exit(f"error: {failure}")
    print(f"created site administrator {created}")
