"""Target lookup by name and the organization's target library."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from domain.targets.catalogue import ResolvedTarget as ResolvedTargetModel
from domain.targets.coordinates import dec_to_dms, ra_to_hms
from domain.targets.library import LibraryTarget as LibraryTargetDocument
from schema.errors import Conflict, Forbidden, NotFound, ValidationError
from schema.global_ids import global_id


@strawberry.type(description="A name resolved offline to ICRS (J2000) coordinates.")
class ResolvedTarget:
    name: str
    ra_deg: float
    dec_deg: float
    ra_hms: str
    dec_dms: str
    object_type: str
    magnitude: float | None
    catalogue_ids: list[str]
    common_names: list[str]
    source: str = strawberry.field(description="library or OpenNGC.")

    @classmethod
    def from_model(cls, target: ResolvedTargetModel) -> ResolvedTarget:
        return cls(
            name=target.name,
            ra_deg=target.ra_deg,
            dec_deg=target.dec_deg,
            ra_hms=ra_to_hms(target.ra_deg),
            dec_dms=dec_to_dms(target.dec_deg),
            object_type=target.object_type,
            magnitude=target.magnitude,
            catalogue_ids=list(target.catalogue_ids),
            common_names=list(target.common_names),
            source=target.source,
        )


@strawberry.type(description="A target saved in an organization's library.")
class LibraryTarget:
    id: strawberry.ID
    name: str
    ra_deg: float
    dec_deg: float
    notes: str
    tags: list[str]
    priority: int | None
    created_at: datetime

    @classmethod
    def from_document(cls, target: LibraryTargetDocument) -> LibraryTarget:
        return cls(
            id=global_id("LibraryTarget", target.id),
            name=target.name,
            ra_deg=target.ra_deg,
            dec_deg=target.dec_deg,
            notes=target.notes,
            tags=list(target.tags),
            priority=target.priority,
            created_at=target.created_at,
        )


@strawberry.input
class SaveLibraryTargetInput:
    organization_id: strawberry.ID
    name: str
    ra: str = strawberry.field(description="Degrees, or hours as h:m:s.")
    dec: str = strawberry.field(description="Degrees, or d:m:s.")
    notes: str = ""
    tags: list[str] = strawberry.field(default_factory=list)
    priority: int | None = None


@strawberry.input
class DeleteLibraryTargetInput:
    organization_id: strawberry.ID
    id: strawberry.ID


@strawberry.type
class Deleted:
    id: strawberry.ID


SaveLibraryTargetPayload = Annotated[
    LibraryTarget | ValidationError | Conflict | Forbidden | NotFound,
    strawberry.union("SaveLibraryTargetPayload"),
]
DeleteLibraryTargetPayload = Annotated[
    Deleted | ValidationError | Conflict | Forbidden | NotFound,
    strawberry.union("DeleteLibraryTargetPayload"),
]
ResolveTargetPayload = Annotated[
    ResolvedTarget | ValidationError | Conflict | Forbidden | NotFound,
    strawberry.union("ResolveTargetPayload"),
]
