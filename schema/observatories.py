"""Observatories: registry, equipment and controls."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from domain.observatories.observatory import Equipment as EquipmentModel
from domain.observatories.observatory import HorizonPoint as HorizonPointModel
from domain.observatories.observatory import Location as LocationModel
from domain.observatories.observatory import Observatory as ObservatoryDocument
from domain.observatories.observatory import Safety
from schema.errors import Conflict, Forbidden, NotFound, ValidationError

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
class Observatory:
    id: strawberry.ID
    organization_id: strawberry.ID
    name: str
    code: str
    description: str
    location: Location
    horizon: list[HorizonPoint]
    equipment: Equipment
    dispatch_enabled: bool
    maintenance: bool
    safety: Safety = strawberry.field(
        description="What its safety device last reported; unknown counts as unsafe."
    )
    api_key_prefix: str = strawberry.field(description="The visible start of its API key.")
    created_at: datetime

    @classmethod
    def from_document(cls, observatory: ObservatoryDocument) -> Observatory:
        return cls(
            id=strawberry.ID(str(observatory.id)),
            organization_id=strawberry.ID(str(observatory.organization_id)),
            name=observatory.name,
            code=observatory.code,
            description=observatory.description,
            location=Location.from_pydantic(observatory.location),
            horizon=[HorizonPoint.from_pydantic(p) for p in observatory.horizon],
            equipment=Equipment.from_model(observatory.equipment),
            dispatch_enabled=observatory.dispatch_enabled,
            maintenance=observatory.maintenance,
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
