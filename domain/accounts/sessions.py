"""Sessions: signing in and out, refreshing, changing the password, and reading credentials."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from domain.accounts import refresh_tokens
from domain.accounts.api_keys import authenticate_api_key, looks_like_api_key
from domain.accounts.passwords import MIN_PASSWORD_LENGTH, hash_password, verify_password
from domain.accounts.principal import Principal
from domain.accounts.service import authenticate, user_by_id
from domain.accounts.throttle import LoginThrottle
from domain.accounts.tokens import InvalidToken, issue_access_token, read_access_token
from domain.accounts.user import User
from domain.audit import record_audit
from domain.errors import DomainError, FieldProblem, ValidationFailed


class InvalidCredentials(DomainError):
    """Wrong email or password, or the account is disabled."""


@dataclass(frozen=True)
class TokenPolicy:
    signing_key: bytes
    access_lifetime: timedelta
    refresh_lifetime: timedelta


@dataclass(frozen=True)
class IssuedTokens:
    user: User
    access_token: str
    refresh_token: str
    access_expires_in: timedelta


async def _issue(user: User, policy: TokenPolicy, family_id: str | None = None) -> IssuedTokens:
    assert user.id is not None
    return IssuedTokens(
        user=user,
        access_token=issue_access_token(str(user.id), policy.signing_key, policy.access_lifetime),
        refresh_token=await refresh_tokens.issue_refresh_token(
            user.id, policy.refresh_lifetime, family_id
        ),
        access_expires_in=policy.access_lifetime,
    )


async def sign_in(
    email: str, password: str, *, address: str, throttle: LoginThrottle, policy: TokenPolicy
) -> IssuedTokens:
    """Check the credentials (if the throttle admits the attempt) and start a session.

    Raises TooManyAttempts before any password is checked, or InvalidCredentials. A sign-in
    is an audit entry of the user (`signed_in`, with the client address); failures are not
    (the throttle counts them).
    """
    admission = await throttle.admit(email, address)
    user = await authenticate(email, password)
    if user is None:
        raise InvalidCredentials()
    await throttle.succeeded(admission)
    issued = await _issue(user, policy)
    await record_audit(user, "user", str(user.id), "signed_in", after={"address": address})
    return issued


async def refresh(token: str, policy: TokenPolicy) -> IssuedTokens:
    """Exchange a live refresh token for new tokens in its family (InvalidRefreshToken else)."""
    used = await refresh_tokens.consume_refresh_token(token)
    user = await user_by_id(str(used.user_id))
    if user is None or not user.is_active:
        raise refresh_tokens.InvalidRefreshToken()
    return await _issue(user, policy, used.family_id)


async def sign_out(token: str) -> None:
    """End the session the refresh token belongs to (InvalidRefreshToken when unknown)."""
    user_id = str(await refresh_tokens.revoke_family_of(token))
    await record_audit(f"user:{user_id}", "user", user_id, "signed_out")


async def change_password(
    user: User,
    current_password: str,
    new_password: str,
    *,
    address: str,
    throttle: LoginThrottle,
    policy: TokenPolicy,
) -> IssuedTokens:
    """Set a new password, end every session of the user, and start a fresh one.

    Wrong current passwords count against the same limits as failed sign-ins.
    """
    if len(new_password) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(
            [FieldProblem(("newPassword",), f"must be at least {MIN_PASSWORD_LENGTH} characters")]
        )
    admission = await throttle.admit(user.email, address)
    if not await verify_password(user.password_hash, current_password):
        raise InvalidCredentials()
    await throttle.succeeded(admission)
    assert user.id is not None
    user.password_hash = await hash_password(new_password)
    await User.get_pymongo_collection().update_one(
        {"_id": user.id}, {"$set": {"password_hash": user.password_hash}}
    )
    await refresh_tokens.revoke_all_of_user(user.id)
    # The action only: password hashes never go into the audit trail.
    await record_audit(user, "user", str(user.id), "change_password")
    return await _issue(user, policy)


async def principal_for(credential: str, signing_key: bytes) -> Principal:
    """Who a bearer credential (an access token or an API key) stands for.

    Raises InvalidToken when it is malformed, expired, revoked or its user is gone.
    """
    if looks_like_api_key(credential):
        api_key = await authenticate_api_key(credential)
        if api_key is None:
            raise InvalidToken("the API key is unknown or revoked")
        creator = await user_by_id(str(api_key.created_by))
        if creator is None or not creator.is_active:
            raise InvalidToken("the API key's creator no longer has an active account")
        return Principal(user=creator, api_key=api_key)
    try:
        claims = read_access_token(credential, signing_key)
    except InvalidToken:
        raise InvalidToken("the access token is invalid or expired") from None
    user = await user_by_id(claims.user_id)
    if user is None or not user.is_active:
        raise InvalidToken("the access token's user no longer exists")
    return Principal(user=user)
