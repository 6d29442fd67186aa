"""The GraphQL schema: root types and the limits every request is held to."""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator, Callable

import strawberry
from graphql import GraphQLError
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import (
    AddValidationRules,
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
    SchemaExtension,
)
from strawberry.schema.config import StrawberryConfig

from resolvers import accounts, organizations, system
from schema.accounts import LoginPayload, User
from schema.organizations import CreateOrganizationPayload, Organization
from schema.system import ServerInfo, SystemEvent

log = logging.getLogger("science_scheduler.graphql")

MAX_DEPTH = 10
MAX_ALIASES = 30
MAX_TOKENS = 5000


@strawberry.type
class Query:
    server_info: ServerInfo = strawberry.field(resolver=system.resolve_server_info)
    me: User | None = strawberry.field(
        resolver=accounts.me, description="The signed-in user; null when anonymous."
    )
    organizations: list[Organization] = strawberry.field(
        resolver=organizations.organizations,
        description="Organizations you belong to (all of them for a site administrator).",
    )


@strawberry.type
class Mutation:
    login: LoginPayload = strawberry.mutation(resolver=accounts.login)
    create_organization: CreateOrganizationPayload = strawberry.mutation(
        resolver=organizations.create_organization,
        description="Create an organization; you become its owner.",
    )


@strawberry.type
class Subscription:
    system_events: AsyncGenerator[SystemEvent] = strawberry.subscription(
        resolver=system.subscribe_system_events,
        description="Events about the server itself, as they happen (site administrators).",
    )


def _is_unexpected(error: GraphQLError) -> bool:
    """Mask only errors raised by our code, never the client's own query errors."""
    original = error.original_error
    if original is None or isinstance(original, GraphQLError):
        return False
    log.error("unexpected error in a resolver", exc_info=original)
    return True


def build_schema(*, production: bool) -> strawberry.Schema:
    # Factories, so that every request gets fresh extension instances.
    extensions: list[Callable[[], SchemaExtension]] = [
        lambda: QueryDepthLimiter(max_depth=MAX_DEPTH),
        lambda: MaxAliasesLimiter(max_alias_count=MAX_ALIASES),
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        lambda: MaskErrors(should_mask_error=_is_unexpected),
    ]
    if production:
        extensions.append(lambda: AddValidationRules([NoSchemaIntrospectionCustomRule]))
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=extensions,
        config=StrawberryConfig(disable_field_suggestions=production),
    )
