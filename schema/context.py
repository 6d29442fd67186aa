"""The typed per-request context every resolver receives."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import timedelta

from graphql import GraphQLError
from starlette.requests import Request
from starlette.websockets import WebSocket
from strawberry.types import Info as StrawberryInfo

from domain.accounts.principal import Principal
from domain.accounts.sessions import TokenPolicy, principal_for
from domain.accounts.throttle import LoginLimits, LoginThrottle
from domain.accounts.tokens import InvalidToken, issue_access_token
from domain.accounts.user import KeyScope, User
from schema.dataloaders import Loaders
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
    loaders: Loaders = field(default_factory=Loaders)
    _principal: Principal | None = field(default=None, init=False)
    _principal_resolved: bool = field(default=False, init=False)
    # Top-level fields resolve concurrently: the first resolves the credential, the rest wait.
    _principal_lock: asyncio.Lock = field(default_factory=asyncio.Lock, init=False)
    _refusal: str | None = field(default=None, init=False)
    _actor: User | None = field(default=None, init=False)

    def _bearer(self) -> str | None:
        header: object = self.request.headers.get("authorization")
        if header is None and self.connection_params is not None:
            header = self.connection_params.get("Authorization") or self.connection_params.get(
                "authorization"
            )
        if not isinstance(header, str) or not header.lower().startswith("bearer "):
            return None
        return header[7:].strip()

    async def principal(self) -> Principal | None:
        """Who is acting: a user (access token) or an API key; None when anonymous."""
        async with self._principal_lock:
            if not self._principal_resolved:
                credential = self._bearer()
                if credential is not None:
                    try:
                        self._principal = await principal_for(
                            credential, self.services.settings.resolved_secret_key()
                        )
                    except InvalidToken as error:
                        self._refusal = str(error)
                self._principal_resolved = True
        if self._refusal is not None:
            raise NotAuthenticated(self._refusal)
        return self._principal

    async def require_principal(self) -> Principal:
        principal = await self.principal()
        if principal is None:
            raise NotAuthenticated(
                "sign in first: send Authorization: Bearer <access token or API key>"
            )
        return principal

    async def viewer(self) -> User | None:
        """The signed-in person, or None (anonymous, or an API key: see `principal`)."""
        principal = await self.principal()
        return principal.user if principal is not None and not principal.is_api_key else None

    async def require_viewer(self) -> User:
        """The signed-in person; API keys are refused (FORBIDDEN) where a person is needed."""
        principal = await self.require_principal()
        if principal.is_api_key:
            raise GraphQLError(
                "API keys cannot do this; sign in as a person",
                extensions={"code": "FORBIDDEN"},
            )
        return principal.user

    async def require_actor(self) -> User:
        """Who acts: the signed-in person, or an API key's creator capped by the key's scope."""
        return self._actor_of(await self.require_principal())

    def actor_if_checked(self) -> User | None:
        """`require_actor()` without waiting: the actor once the credential has been checked
        (always so below a top-level field that required it); None before, or when anonymous."""
        if not self._principal_resolved or self._principal is None or self._refusal is not None:
            return None
        return self._actor_of(self._principal)

    def _actor_of(self, principal: Principal) -> User:
        if self._actor is None:  # one per request: the credential does not change within it
            self._actor = _acting_user(principal)
        return self._actor

    def client_address(self) -> str:
        """The direct peer's address (as uvicorn reports it) for per-address limits."""
        client = self.request.client
        return client.host if client is not None else "unknown"

    def token_policy(self) -> TokenPolicy:
        settings = self.services.settings
        return TokenPolicy(
            signing_key=settings.resolved_secret_key(),
            access_lifetime=timedelta(minutes=settings.access_token_minutes),
            refresh_lifetime=timedelta(days=settings.refresh_token_days),
        )

    def login_throttle(self) -> LoginThrottle:
        settings = self.services.settings
        limits = LoginLimits(
            failures_per_account=settings.login_failures_per_account,
            attempts_per_address=settings.login_attempts_per_address,
            window=timedelta(minutes=settings.login_window_minutes),
        )
        return LoginThrottle(self.services.redis, limits)

    def access_token_for(self, user: User) -> str:
        settings = self.services.settings
        return issue_access_token(
            str(user.id),
            settings.resolved_secret_key(),
            timedelta(minutes=settings.access_token_minutes),
        )


Info = StrawberryInfo[GraphQLContext, None]


def _acting_user(principal: Principal) -> User:
    if principal.api_key is None:
        return principal.user
    key = principal.api_key
    rights = {permission.value for permission in key.permissions} | {"read"}
    return principal.user.acting_through(KeyScope(key.organization_id, frozenset(rights), key.id))
