"""Thin resolvers for signing in and the current user."""

from __future__ import annotations

from domain.accounts.service import authenticate
from schema.accounts import InvalidCredentials, LoginInput, LoginPayload, LoginSuccess, User
from schema.context import Info


async def login(info: Info, input: LoginInput) -> LoginPayload:
    user = await authenticate(input.email, input.password)
    if user is None:
        return InvalidCredentials(message="wrong email or password, or the account is disabled")
    minutes = info.context.services.settings.access_token_minutes
    return LoginSuccess(
        access_token=info.context.access_token_for(user),
        expires_in=minutes * 60,
        user=User.from_document(user),
    )


async def me(info: Info) -> User | None:
    user = await info.context.viewer()
    return User.from_document(user) if user is not None else None
