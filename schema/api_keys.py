"""API keys for scripted clients."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from domain.accounts.api_keys import ApiKey as ApiKeyDocument
from domain.accounts.api_keys import ApiKeyPermission as DomainApiKeyPermission
from schema.errors import Forbidden, NotFound, ValidationError
from schema.global_ids import global_id

ApiKeyPermission = strawberry.enum(
    DomainApiKeyPermission,
    description="What an API key may do in its organization, never more than its creator may "
    "do there at the moment of use. READ: see the organization's data. WRITE: everyday work "
    "on it (submit, edit, cancel observations); implies READ. MANAGE_*: the organization "
    "member permission of the same name; implies READ.",
)


@strawberry.type(
    description="A key a script sends as `Authorization: Bearer ssk_...`; acts for its "
    "creator, within one organization and its permissions. The secret is never shown again."
)
class ApiKey:
    id: strawberry.ID
    name: str
    prefix: str = strawberry.field(description="The visible start of the key, e.g. ssk_ab12cd34.")
    organization_id: strawberry.ID
    permissions: list[ApiKeyPermission]  # type: ignore[valid-type]
    created_by_id: strawberry.ID
    created_at: datetime
    last_used_at: datetime | None = strawberry.field(
        description="When the key was last used, to the minute."
    )
    revoked_at: datetime | None

    @classmethod
    def from_document(cls, api_key: ApiKeyDocument) -> ApiKey:
        return cls(
            id=global_id("ApiKey", api_key.id),
            name=api_key.name,
            prefix=api_key.prefix,
            organization_id=global_id("Organization", api_key.organization_id),
            permissions=sorted(api_key.permissions, key=list(DomainApiKeyPermission).index),
            created_by_id=global_id("User", api_key.created_by),
            created_at=api_key.created_at,
            last_used_at=api_key.last_used_at,
            revoked_at=api_key.revoked_at,
        )


@strawberry.type(description="The new key; `secret` is the whole key, shown this once only.")
class ApiKeyCreated:
    api_key: ApiKey
    secret: str


@strawberry.input
class CreateApiKeyInput:
    organization_id: strawberry.ID
    name: str
    permissions: list[ApiKeyPermission]  # type: ignore[valid-type]


@strawberry.input
class RevokeApiKeyInput:
    id: strawberry.ID


CreateApiKeyPayload = Annotated[
    ApiKeyCreated | ValidationError | Forbidden | NotFound,
    strawberry.union("CreateApiKeyPayload"),
]
RevokeApiKeyPayload = Annotated[
    ApiKey | Forbidden | NotFound, strawberry.union("RevokeApiKeyPayload")
]
