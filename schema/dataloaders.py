"""Per-request DataLoaders: every reference is batched into one query per kind (no N+1)."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field

from beanie import Document, PydanticObjectId
from strawberry.dataloader import DataLoader

from domain.accounts.user import User, utcnow
from domain.observations.observation import Observation
from domain.observatories.live_status import ObservatoryLiveStatus
from domain.observatories.observatory import Observatory
from domain.observatories.reservation import Reservation
from domain.observatories.reservation_listing import reservations_of
from domain.organizations.organization import Organization
from domain.projects.listing import projects_by_organization
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
    live_status_by_observatory_id: DataLoader[PydanticObjectId, ObservatoryLiveStatus | None] = (
        field(default_factory=lambda: DataLoader(load_fn=_live_statuses))
    )
    observation_by_id: DataLoader[PydanticObjectId, Observation | None] = field(
        default_factory=lambda: _loader(Observation)
    )
    current_reservations_by_observatory_id: DataLoader[PydanticObjectId, list[Reservation]] = field(
        default_factory=lambda: DataLoader(load_fn=_current_reservations)
    )
    reservations_by_observatory_id: DataLoader[PydanticObjectId, list[Reservation]] = field(
        default_factory=lambda: DataLoader(load_fn=_all_reservations)
    )
    projects_by_organization_id: DataLoader[PydanticObjectId, list[Project]] = field(
        default_factory=lambda: DataLoader(load_fn=_projects_of_organizations)
    )
    built: dict[tuple[type, Hashable], object] = field(default_factory=dict)
    """GraphQL objects already built from these documents (see `schema.loaded.built_once`)."""


async def _live_statuses(ids: Sequence[PydanticObjectId]) -> list[ObservatoryLiveStatus | None]:
    found = await ObservatoryLiveStatus.find({"observatory_id": {"$in": list(set(ids))}}).to_list()
    by_id = {status.observatory_id: status for status in found}
    return [by_id.get(identifier) for identifier in ids]


async def _current_reservations(ids: Sequence[PydanticObjectId]) -> list[list[Reservation]]:
    grouped = await reservations_of(ids, ending_after=utcnow())
    return [grouped.get(identifier, []) for identifier in ids]


async def _all_reservations(ids: Sequence[PydanticObjectId]) -> list[list[Reservation]]:
    grouped = await reservations_of(ids, ending_after=None)
    return [grouped.get(identifier, []) for identifier in ids]


async def _projects_of_organizations(ids: Sequence[PydanticObjectId]) -> list[list[Project]]:
    grouped = await projects_by_organization(ids)
    return [grouped.get(identifier, []) for identifier in ids]
