"""Users and signing in."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from domain.accounts import throttle
from domain.accounts.sessions import IssuedTokens
from domain.accounts.user import User as UserDocument
from schema.errors import ValidationError
from schema.global_ids import global_id
from schema.node import Node


@strawberry.type(description="A person with an account.")
class User(Node):
    id: strawberry.ID
    email: str
    full_name: str
    is_site_admin: bool
    created_at: datetime

    @classmethod
    def from_document(cls, user: UserDocument) -> User:
        return cls(
            id=global_id("User", user.id),
            email=user.email,
            full_name=user.full_name,
            is_site_admin=user.is_site_admin,
            created_at=user.created_at,
        )


@strawberry.input
class LoginInput:
    email: str
    password: str


@strawberry.type(
    description="Signed in: send the access token as `Authorization: Bearer ...`; exchange the "
    "refresh token with `refreshToken` for new tokens before the access token expires."
)
class LoginSuccess:
    access_token: str
    expires_in: int = strawberry.field(description="Seconds until the access token expires.")
    refresh_token: str = strawberry.field(
        description="Opaque and single use; valid for 7 days (SCHEDULER_REFRESH_TOKEN_DAYS)."
    )
    user: User

    @classmethod
    def from_tokens(cls, tokens: IssuedTokens) -> LoginSuccess:
        return cls(
            access_token=tokens.access_token,
            expires_in=int(tokens.access_expires_in.total_seconds()),
            refresh_token=tokens.refresh_token,
            user=User.from_document(tokens.user),
        )


@strawberry.type(description="Wrong email or password, or the account is disabled.")
class InvalidCredentials:
    message: str


@strawberry.type(
    description="Too many sign-in attempts for this account or from this address; the "
    "password was not checked. Try again after `retryAfterSeconds`."
)
class TooManyAttempts:
    message: str
    retry_after_seconds: int

    @classmethod
    def from_domain(cls, refused: throttle.TooManyAttempts) -> TooManyAttempts:
        return cls(message=str(refused), retry_after_seconds=refused.retry_after_seconds)


@strawberry.type(
    description="The refresh token is unknown, expired, revoked or was already used; sign in "
    "again. Presenting a used token signs out every session that descends from it."
)
class InvalidToken:
    message: str


@strawberry.input
class RefreshTokenInput:
    refresh_token: str


@strawberry.input
class LogoutInput:
    refresh_token: str


@strawberry.type(description="The session of the refresh token has ended.")
class LoggedOut:
    message: str


@strawberry.input
class ChangePasswordInput:
    current_password: str
    new_password: str = strawberry.field(description="At least 8 characters.")


@strawberry.type(
    description="The password is changed and every other session has ended; continue with "
    "these new tokens."
)
class PasswordChanged:
    access_token: str
    expires_in: int
    refresh_token: str
    user: User

    @classmethod
    def from_tokens(cls, tokens: IssuedTokens) -> PasswordChanged:
        return cls(
            access_token=tokens.access_token,
            expires_in=int(tokens.access_expires_in.total_seconds()),
            refresh_token=tokens.refresh_token,
            user=User.from_document(tokens.user),
        )


LoginPayload = Annotated[
    LoginSuccess | InvalidCredentials | TooManyAttempts, strawberry.union("LoginPayload")
]
RefreshTokenPayload = Annotated[
    LoginSuccess | InvalidToken, strawberry.union("RefreshTokenPayload")
]
LogoutPayload = Annotated[LoggedOut | InvalidToken, strawberry.union("LogoutPayload")]
ChangePasswordPayload = Annotated[
    PasswordChanged | InvalidCredentials | TooManyAttempts | ValidationError,
    strawberry.union("ChangePasswordPayload"),
]
