"""Observatories: registry, equipment and controls."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from beanie import PydanticObjectId

from domain.observatories.observatory import Equipment as EquipmentModel
from domain.observatories.observatory import HorizonPoint as HorizonPointModel
from domain.observatories.observatory import Location as LocationModel
from domain.observatories.observatory import Observatory as ObservatoryDocument
from domain.observatories.observatory import Safety
from schema.connection import Connection
from schema.context import Info
from schema.conversion import mirror
from schema.errors import Conflict, Forbidden, NotFound, ValidationError
from schema.global_ids import global_id, raw_id
from schema.node import Node

if TYPE_CHECKING:
    from schema.member_lists import ObservatoryMember
    from schema.observatory_status import ObservatoryLiveStatus
    from schema.scheduling import Reservation

strawberry.enum(Safety, name="Safety")


@strawberry.experimental.pydantic.type(model=LocationModel, all_fields=True)
class Location:
    pass


@strawberry.experimental.pydantic.input(model=LocationModel, all_fields=True)
class LocationInput:
    pass


@strawberry.experimental.pydantic.type(model=HorizonPointModel, all_fields=True)
class HorizonPoint:
    pass


@strawberry.experimental.pydantic.input(model=HorizonPointModel, all_fields=True)
class HorizonPointInput:
    pass


@strawberry.experimental.pydantic.input(model=EquipmentModel, all_fields=True)
class EquipmentInput:
    pass


@strawberry.type(description="Optics and camera; pixel scale and field of view are derived.")
class Equipment:
    aperture_mm: float | None
    focal_length_mm: float | None
    pixel_size_um: float | None
    sensor_width_px: int | None
    sensor_height_px: int | None
    filters: list[str]
    binning_modes: list[int]
    readout_modes: list[str]
    pixel_scale_arcsec: float | None = strawberry.field(
        description="Unbinned arcseconds per pixel: 206265 × pixel size / focal length."
    )
    field_of_view_arcmin: list[float] | None = strawberry.field(
        description="Width and height of the unbinned field in arcminutes."
    )

    @classmethod
    def from_model(cls, equipment: EquipmentModel) -> Equipment:
        fov = equipment.field_of_view_arcmin
        return cls(
            aperture_mm=equipment.aperture_mm,
            focal_length_mm=equipment.focal_length_mm,
            pixel_size_um=equipment.pixel_size_um,
            sensor_width_px=equipment.sensor_width_px,
            sensor_height_px=equipment.sensor_height_px,
            filters=list(equipment.filters),
            binning_modes=list(equipment.binning_modes),
            readout_modes=list(equipment.readout_modes),
            pixel_scale_arcsec=equipment.pixel_scale_arcsec,
            field_of_view_arcmin=list(fov) if fov else None,
        )


@strawberry.type(description="A telescope with a camera, somewhere on Earth.")
class Observatory(Node):
    id: strawberry.ID
    organization_id: strawberry.ID
    name: str
    code: str
    description: str
    location: Location
    horizon: list[HorizonPoint]
    equipment: Equipment
    dispatch_enabled: bool
    maintenance: bool = strawberry.field(
        description="Taken out of service by an operator: it is given no work."
    )
    maintenance_reason: str = strawberry.field(description="Why, while in maintenance.")
    maintenance_since: datetime | None = strawberry.field(
        description="When this maintenance began; null when in service."
    )
    safety: Safety = strawberry.field(
        description="What its safety device last reported; unknown counts as unsafe."
    )
    api_key_prefix: str = strawberry.field(description="The visible start of its API key.")
    created_at: datetime

    @strawberry.field(description="Its plugin link and last reports; null before it connected.")  # type: ignore[untyped-decorator]
    async def live_status(
        self, info: Info
    ) -> Annotated[ObservatoryLiveStatus, strawberry.lazy("schema.observatory_status")] | None:
        status = await info.context.loaders.live_status_by_observatory_id.load(
            PydanticObjectId(raw_id(self.id))
        )
        if status is None:
            return None
        from schema.observatory_status import ObservatoryLiveStatus as LiveStatus

        return LiveStatus.from_document(status)

    @strawberry.field(  # type: ignore[untyped-decorator]
        description="Its reservations by start time (then id): current and coming ones, or all "
        "of them with includePast (of the first 200)."
    )
    async def reservations(
        self, info: Info, include_past: bool = False, first: int = 50, after: str | None = None
    ) -> Connection[Annotated[Reservation, strawberry.lazy("schema.scheduling")]]:
        from schema.observatory_reservations import observatory_reservations

        return await observatory_reservations(info, raw_id(self.id), include_past, first, after)

    @strawberry.field(  # type: ignore[untyped-decorator]
        description="Its direct members in the order they were added (or last changed), and "
        "their permissions."
    )
    async def members(
        self, info: Info, first: int = 50, after: str | None = None
    ) -> Connection[Annotated[ObservatoryMember, strawberry.lazy("schema.member_lists")]]:
        from schema.member_lists import observatory_members

        return await observatory_members(info, raw_id(self.id), first, after)

    @classmethod
    def from_document(cls, observatory: ObservatoryDocument) -> Observatory:
        return cls(
            id=global_id("Observatory", observatory.id),
            organization_id=global_id("Organization", observatory.organization_id),
            name=observatory.name,
            code=observatory.code,
            description=observatory.description,
            location=mirror(Location, observatory.location),
            horizon=[mirror(HorizonPoint, p) for p in observatory.horizon],
            equipment=Equipment.from_model(observatory.equipment),
            dispatch_enabled=observatory.dispatch_enabled,
            maintenance=observatory.maintenance,
            maintenance_reason=observatory.maintenance_reason,
            maintenance_since=observatory.maintenance_since,
            safety=observatory.safety,
            api_key_prefix=observatory.api_key_prefix,
            created_at=observatory.created_at,
        )


@strawberry.input
class RegisterObservatoryInput:
    organization_id: strawberry.ID
    name: str
    code: str = strawberry.field(description="3–20 letters, digits, _ or -; unique.")
    location: LocationInput
    horizon: list[HorizonPointInput] = strawberry.field(default_factory=list)
    equipment: EquipmentInput | None = None
    description: str = ""


@strawberry.type(description="The registered observatory and its API key, shown only here.")
class RegisterObservatorySuccess:
    observatory: Observatory
    api_key: str


RegisterObservatoryPayload = Annotated[
    RegisterObservatorySuccess | ValidationError | Conflict | Forbidden | NotFound,
    strawberry.union("RegisterObservatoryPayload"),
]
