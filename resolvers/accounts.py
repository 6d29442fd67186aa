"""Thin resolvers for signing in and out, tokens, passwords and the current user."""

from __future__ import annotations

from domain import errors
from domain.accounts import sessions
from domain.accounts.refresh_tokens import InvalidRefreshToken
from domain.accounts.throttle import TooManyAttempts as Throttled
from schema.accounts import (
    ChangePasswordInput,
    ChangePasswordPayload,
    InvalidCredentials,
    InvalidToken,
    LoggedOut,
    LoginInput,
    LoginPayload,
    LoginSuccess,
    LogoutInput,
    LogoutPayload,
    PasswordChanged,
    RefreshTokenInput,
    RefreshTokenPayload,
    TooManyAttempts,
    User,
)
from schema.context import Info
from schema.errors import ValidationError

_WRONG_CREDENTIALS = "wrong email or password, or the account is disabled"
_INVALID_REFRESH = "the refresh token is unknown, expired, revoked or already used; sign in again"


async def login(info: Info, input: LoginInput) -> LoginPayload:
    context = info.context
    try:
        tokens = await sessions.sign_in(
            input.email,
            input.password,
            address=context.client_address(),
            throttle=context.login_throttle(),
            policy=context.token_policy(),
        )
    except Throttled as refused:
        return TooManyAttempts.from_domain(refused)
    except sessions.InvalidCredentials:
        return InvalidCredentials(message=_WRONG_CREDENTIALS)
    return LoginSuccess.from_tokens(tokens)


async def refresh_token(info: Info, input: RefreshTokenInput) -> RefreshTokenPayload:
    try:
        tokens = await sessions.refresh(input.refresh_token, info.context.token_policy())
    except InvalidRefreshToken:
        return InvalidToken(message=_INVALID_REFRESH)
    return LoginSuccess.from_tokens(tokens)


async def logout(input: LogoutInput) -> LogoutPayload:
    try:
        await sessions.sign_out(input.refresh_token)
    except InvalidRefreshToken:
        return InvalidToken(message=_INVALID_REFRESH)
    return LoggedOut(message="signed out: the refresh token and its successors are revoked")


async def change_password(info: Info, input: ChangePasswordInput) -> ChangePasswordPayload:
    context = info.context
    user = await context.require_viewer()
    try:
        tokens = await sessions.change_password(
            user,
            input.current_password,
            input.new_password,
            address=context.client_address(),
            throttle=context.login_throttle(),
            policy=context.token_policy(),
        )
    except errors.ValidationFailed as failure:
        return ValidationError.from_domain(failure)
    except Throttled as refused:
        return TooManyAttempts.from_domain(refused)
    except sessions.InvalidCredentials:
        return InvalidCredentials(message="the current password is wrong")
    return PasswordChanged.from_tokens(tokens)


async def me(info: Info) -> User | None:
    principal = await info.context.principal()
    return User.from_document(principal.user) if principal is not None else None
