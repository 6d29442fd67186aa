"""Signing in and the site administrator bootstrap."""

from __future__ import annotations

import logging

from beanie import PydanticObjectId
from pymongo.errors import DuplicateKeyError

from domain.accounts.passwords import MIN_PASSWORD_LENGTH, hash_password, verify_password
from domain.accounts.user import User, normalise_email
from domain.audit import record_audit, snapshot
from domain.errors import Conflict, FieldProblem, ValidationFailed

log = logging.getLogger(__name__)

BOOTSTRAP_ACTOR = "system:bootstrap"
"""Who created the site administrator named by SCHEDULER_ADMIN_EMAIL, in the audit trail."""


def audited_user(user: User) -> dict[str, object]:
    """The account as the audit trail keeps it: never its password hash."""
    return snapshot(user, exclude={"password_hash"})


async def record_user_created(actor: str | User, user: User) -> None:
    await record_audit(actor, "user", str(user.id), "create", after=audited_user(user))


async def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, or None (same cost whether or not it exists)."""
    user = await User.find_one(User.email == normalise_email(email))
    valid = await verify_password(user.password_hash if user else None, password)
    if user is None or not valid or not user.is_active:
        return None
    return user


async def user_by_id(user_id: str) -> User | None:
    if not PydanticObjectId.is_valid(user_id):
        return None
    return await User.get(PydanticObjectId(user_id))


async def ensure_site_admin(email: str, password: str) -> User:
    """Create the site administrator once; an existing account is left as it is."""
    existing = await User.find_one(User.email == normalise_email(email))
    if existing is not None:
        return existing
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"the admin password needs at least {MIN_PASSWORD_LENGTH} characters")
    admin = User(
        email=normalise_email(email),
        password_hash=await hash_password(password),
        full_name="Site administrator",
        is_site_admin=True,
    )
    try:
        await admin.insert()
    except DuplicateKeyError:  # another API replica created it at the same moment
        created = await User.find_one(User.email == admin.email)
        assert created is not None
        return created
    await record_user_created(BOOTSTRAP_ACTOR, admin)
    log.info("created the site administrator", extra={"email": admin.email})
    return admin


async def create_site_admin(email: str, password: str, *, actor: str) -> User:
    """Create a new site administrator; Conflict when the email already has an account.

    `actor` names who did it in the audit trail (e.g. `system:cli`).
    """
    problems = []
    if "@" not in email.strip().strip("@"):
        problems.append(FieldProblem(("email",), "must be an email address"))
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(
            FieldProblem(("password",), f"must be at least {MIN_PASSWORD_LENGTH} characters")
        )
    if problems:
        raise ValidationFailed(problems)
    admin = User(
        email=normalise_email(email),
        password_hash=await hash_password(password),
        full_name="Site administrator",
        is_site_admin=True,
    )
    try:
        await admin.insert()
    except DuplicateKeyError:
        raise Conflict(f"an account with email {admin.email} exists") from None
    await record_user_created(actor, admin)
    log.info("created a site administrator", extra={"email": admin.email})
    return admin
