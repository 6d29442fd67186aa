"""`science-scheduler users create-admin`, run as a real process against the real database."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from pymongo.database import Database

from tests.engines import cli_command

COMMAND = ["users", "create-admin", "--email", "Root@Example.org", "--password-stdin"]


def _run(
    args: list[str], env: dict[str, str], stdin: str, cwd: Path
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        cli_command(*args),
        input=stdin,
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _env(engine_env: dict[str, str]) -> dict[str, str]:
    return {**os.environ, **engine_env}


def test_creates_a_site_admin_from_a_script(
    engine_env: dict[str, str], database: Database[dict[str, Any]], tmp_path: Path
) -> None:
    # when
    result = _run(COMMAND, _env(engine_env), "a long admin password\n", tmp_path)

    # then
    assert (result.returncode, result.stdout, result.stderr) == (
        0,
        "created site administrator root@example.org\n",
        "",
    )
    admin = database["users"].find_one({"email": "root@example.org"})
    assert admin is not None
    assert admin["is_site_admin"] is True
    assert PasswordHasher().verify(admin["password_hash"], "a long admin password")


def test_an_existing_account_is_left_alone_and_the_command_fails(
    engine_env: dict[str, str], database: Database[dict[str, Any]], tmp_path: Path
) -> None:
    # given
    _run(COMMAND, _env(engine_env), "a long admin password\n", tmp_path)
    before = list(database["users"].find())

    # when
    result = _run(COMMAND, _env(engine_env), "another password\n", tmp_path)

    # then
    assert result.returncode == 1
    assert result.stderr == (
        "error: an account with email root@example.org exists; nothing was changed\n"
    )
    assert list(database["users"].find()) == before


def test_a_short_password_creates_nothing(
    engine_env: dict[str, str], database: Database[dict[str, Any]], tmp_path: Path
) -> None:
    # when
    result = _run(COMMAND, _env(engine_env), "short\n", tmp_path)

    # then
    assert result.returncode == 1
    assert result.stderr == (
        "error: password: must be at least 8 characters; nothing was created\n"
    )
    assert database["users"].count_documents({}) == 0


def test_without_a_database_url_it_says_what_to_set(tmp_path: Path) -> None:
    # given
    env = {k: v for k, v in os.environ.items() if "MONGODB" not in k}

    # when
    result = _run(COMMAND, env, "a long admin password\n", tmp_path)

    # then
    assert result.returncode == 1
    assert result.stderr == (
        "error: setting MONGODB_URL is not set; fix: set it to the server's database, or let "
        "`science-scheduler serve` create the admin from SCHEDULER_ADMIN_EMAIL and "
        "SCHEDULER_ADMIN_PASSWORD\n"
    )
