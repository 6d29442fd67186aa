"""Users and signing in."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from domain.accounts.user import User as UserDocument


@strawberry.type(description="A person with an account.")
class User:
    id: strawberry.ID
    email: str
    full_name: str
    is_site_admin: bool
    created_at: datetime

    @classmethod
    def from_document(cls, user: UserDocument) -> User:
        return cls(
            id=strawberry.ID(str(user.id)),
            email=user.email,
            full_name=user.full_name,
            is_site_admin=user.is_site_admin,
            created_at=user.created_at,
        )


@strawberry.input
class LoginInput:
    email: str
    password: str


@strawberry.type(description="Signed in: send the access token as `Authorization: Bearer ...`.")
class LoginSuccess:
    access_token: str
    expires_in: int = strawberry.field(description="Seconds until the access token expires.")
    user: User


@strawberry.type(description="Wrong email or password, or the account is disabled.")
class InvalidCredentials:
    message: str


LoginPayload = Annotated[LoginSuccess | InvalidCredentials, strawberry.union("LoginPayload")]
