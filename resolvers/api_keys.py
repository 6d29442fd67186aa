"""Thin resolvers for API keys."""

from __future__ import annotations

import strawberry
from graphql import GraphQLError

from domain import errors
from domain.accounts import api_keys as service
from domain.accounts.api_keys import ApiKey as ApiKeyDocument
from domain.accounts.api_keys import ApiKeyPermission
from resolvers.pagination import paginate
from schema.api_keys import (
    ApiKey,
    ApiKeyCreated,
    CreateApiKeyInput,
    CreateApiKeyPayload,
    RevokeApiKeyInput,
    RevokeApiKeyPayload,
)
from schema.connection import Connection
from schema.context import Info
from schema.errors import Forbidden, NotFound, ValidationError


def _not_found(missing: errors.NotFound) -> NotFound:
    return NotFound(message=f"no {missing.what} {missing.id!r} visible to you")


async def create_api_key(info: Info, input: CreateApiKeyInput) -> CreateApiKeyPayload:
    principal = await info.context.require_principal()
    permissions: set[ApiKeyPermission] = set(input.permissions)
    try:
        api_key, secret = await service.create_api_key(
            principal, str(input.organization_id), input.name, permissions
        )
    except errors.ValidationFailed as failure:
        return ValidationError.from_domain(failure)
    except errors.Forbidden as refused:
        return Forbidden(message=refused.message)
    except errors.NotFound as missing:
        return _not_found(missing)
    return ApiKeyCreated(api_key=ApiKey.from_document(api_key), secret=secret)


async def revoke_api_key(info: Info, input: RevokeApiKeyInput) -> RevokeApiKeyPayload:
    principal = await info.context.require_principal()
    try:
        api_key = await service.revoke_api_key(principal, str(input.id))
    except errors.Forbidden as refused:
        return Forbidden(message=refused.message)
    except errors.NotFound as missing:
        return _not_found(missing)
    return ApiKey.from_document(api_key)


async def api_keys(
    info: Info, organization_id: strawberry.ID, first: int = 50, after: str | None = None
) -> Connection[ApiKey]:
    """The organization's keys, oldest first; `first` is at most 100."""
    principal = await info.context.require_principal()
    try:
        query = await service.api_keys_query(principal, str(organization_id))
    except errors.NotFound as missing:
        raise GraphQLError(_not_found(missing).message, extensions={"code": "NOT_FOUND"}) from None
    except errors.Forbidden as refused:
        raise GraphQLError(refused.message, extensions={"code": "FORBIDDEN"}) from None
    return await paginate(
        ApiKeyDocument,
        query,
        first=first,
        after=after,
        newest_first=False,
        to_node=ApiKey.from_document,
    )
