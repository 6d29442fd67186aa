"""The audit trail as the API shows it."""

from __future__ import annotations

from datetime import datetime
from typing import cast

import strawberry
from strawberry.scalars import JSON

from domain.audit import AuditEntry as AuditEntryDocument
from schema.global_ids import global_id, optional_global_id, public_actor


def entity_type_name(entity: str) -> str:
    """The GraphQL type an audited entity's ids name: `library_target` -> `LibraryTarget`."""
    return "".join(part.capitalize() for part in entity.split("_"))


@strawberry.type(
    description="One change of an entity: who made it, when, and what it was "
    "before and after (secrets, key material and password hashes are never kept)."
)
class AuditEntry:
    at: datetime
    actor: str = strawberry.field(
        description="`user:<User id>`, `observatory:<Observatory id>`, `system` or "
        "`system:<what>` (`system:cli` for `science-scheduler users`, `system:bootstrap` for "
        "the administrator made from SCHEDULER_ADMIN_EMAIL)."
    )
    api_key_id: strawberry.ID | None = strawberry.field(
        description="The API key the user acted through; null when they acted as themselves."
    )
    entity: str = strawberry.field(
        description="organization, project, observatory, reservation, observation, frame, "
        "observation_template, library_target, api_key, observatory_registration or user."
    )
    entity_id: strawberry.ID
    action: str = strawberry.field(
        description="create, update, delete, revoke, approve, reject, state:<new state>, "
        "signed_in, signed_out, change_password, set_member, rotate_key, reprocess, ..."
    )
    before: JSON | None = strawberry.field(
        description="What changed, as it was (null for a creation); ids inside are database ids."
    )
    after: JSON | None = strawberry.field(
        description="What changed, as it became (null for a deletion)."
    )

    @classmethod
    def from_document(cls, entry: AuditEntryDocument) -> AuditEntry:
        return cls(
            at=entry.at,
            actor=public_actor(entry.actor),
            api_key_id=optional_global_id("ApiKey", entry.api_key_id),
            entity=entry.entity,
            entity_id=global_id(entity_type_name(entry.entity), entry.entity_id),
            action=entry.action,
            before=cast(JSON, entry.before),
            after=cast(JSON, entry.after),
        )
