"""Per-request DataLoaders: every reference is batched into one query per kind (no N+1)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from beanie import Document, PydanticObjectId
from strawberry.dataloader import DataLoader

from domain.accounts.user import User
from domain.observatories.observatory import Observatory
from domain.organizations.organization import Organization
from domain.projects.project import Project


def _loader[DocumentType: Document](
    model: type[DocumentType],
) -> DataLoader[PydanticObjectId, DocumentType | None]:
    async def load(ids: Sequence[PydanticObjectId]) -> list[DocumentType | None]:
        found = await model.find({"_id": {"$in": list(set(ids))}}).to_list()
        by_id = {document.id: document for document in found}
        return [by_id.get(identifier) for identifier in ids]

    return DataLoader(load_fn=load)


@dataclass
class Loaders:
    project_by_id: DataLoader[PydanticObjectId, Project | None] = field(
        default_factory=lambda: _loader(Project)
    )
    observatory_by_id: DataLoader[PydanticObjectId, Observatory | None] = field(
        default_factory=lambda: _loader(Observatory)
    )
    organization_by_id: DataLoader[PydanticObjectId, Organization | None] = field(
        default_factory=lambda: _loader(Organization)
    )
    user_by_id: DataLoader[PydanticObjectId, User | None] = field(
        default_factory=lambda: _loader(User)
    )
