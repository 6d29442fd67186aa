"""Accounts created by site administrators."""

from __future__ import annotations

import re

from pymongo.errors import DuplicateKeyError

from domain.accounts.passwords import MIN_PASSWORD_LENGTH, hash_password
from domain.accounts.service import record_user_created
from domain.accounts.user import User, normalise_email
from domain.errors import Conflict, FieldProblem, Forbidden, ValidationFailed

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


async def create_user(
    actor: User, *, email: str, password: str, full_name: str = "", is_site_admin: bool = False
) -> User:
    """Create an account (site administrators only); the password is stored as argon2id."""
    if not actor.is_site_admin or actor.key_scope is not None:
        raise Forbidden("only site administrators, signed in as themselves, create accounts")
    problems = []
    if not _EMAIL.match(email.strip()):
        problems.append(FieldProblem(("email",), "is not an email address"))
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(
            FieldProblem(("password",), f"needs at least {MIN_PASSWORD_LENGTH} characters")
        )
    if len(full_name) > 200:
        problems.append(FieldProblem(("full_name",), "must be at most 200 characters"))
    if problems:
        raise ValidationFailed(problems)
    user = User(
        email=normalise_email(email),
        password_hash=await hash_password(password),
        full_name=full_name.strip(),
        is_site_admin=is_site_admin,
    )
    try:
        await user.insert()
    except DuplicateKeyError:
        raise Conflict(f"an account with email {user.email!r} exists") from None
    await record_user_created(actor, user)
    return user
