"""The typed per-request context every resolver receives."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from graphql import GraphQLError
from starlette.requests import Request
from starlette.websockets import WebSocket
from strawberry.types import Info as StrawberryInfo

from domain.accounts.service import user_by_id
from domain.accounts.tokens import InvalidToken, issue_access_token, read_access_token
from domain.accounts.user import User
from science_scheduler.services import Services


class NotAuthenticated(GraphQLError):
    """The request carries no valid credentials (a top-level error, code UNAUTHENTICATED)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, extensions={"code": "UNAUTHENTICATED"})


@dataclass
class GraphQLContext:
    request: Request | WebSocket
    services: Services
    connection_params: dict[str, object] | None = None
    _viewer: User | None = field(default=None, init=False)
    _viewer_resolved: bool = field(default=False, init=False)

    def _bearer(self) -> str | None:
        header: object = self.request.headers.get("authorization")
        if header is None and self.connection_params is not None:
            header = self.connection_params.get("Authorization") or self.connection_params.get(
                "authorization"
            )
        if not isinstance(header, str) or not header.lower().startswith("bearer "):
            return None
        return header[7:].strip()

    async def viewer(self) -> User | None:
        """The signed-in user, or None for an anonymous request."""
        if not self._viewer_resolved:
            self._viewer_resolved = True
            token = self._bearer()
            if token is not None:
                try:
                    claims = read_access_token(token, self.services.settings.resolved_secret_key())
                except InvalidToken:
                    raise NotAuthenticated("the access token is invalid or expired") from None
                user = await user_by_id(claims.user_id)
                if user is None or not user.is_active:
                    raise NotAuthenticated("the access token's user no longer exists")
                self._viewer = user
        return self._viewer

    async def require_viewer(self) -> User:
        user = await self.viewer()
        if user is None:
            raise NotAuthenticated("sign in first: send Authorization: Bearer <access token>")
        return user

    def access_token_for(self, user: User) -> str:
        settings = self.services.settings
        return issue_access_token(
            str(user.id),
            settings.resolved_secret_key(),
            timedelta(minutes=settings.access_token_minutes),
        )


Info = StrawberryInfo[GraphQLContext, None]
