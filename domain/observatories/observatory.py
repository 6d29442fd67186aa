"""The Observatory document: location, horizon, equipment, controls and members."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from beanie import Document, Indexed, PydanticObjectId
from pydantic import BaseModel, Field

from domain.access.permissions import ObservatoryPermission
from domain.accounts.user import utcnow

ARCSEC_PER_RADIAN = 206_264.806


class Safety(StrEnum):
    """What the observatory's safety device last reported; unknown counts as unsafe."""

    SAFE = "safe"
    UNSAFE = "unsafe"
    UNKNOWN = "unknown"


class Location(BaseModel):
    latitude_deg: float
    longitude_deg: float
    elevation_m: float = 0.0
    timezone: str = "UTC"


class HorizonPoint(BaseModel):
    azimuth_deg: float
    altitude_deg: float


class Equipment(BaseModel):
    aperture_mm: float | None = None
    focal_length_mm: float | None = None
    pixel_size_um: float | None = None
    sensor_width_px: int | None = None
    sensor_height_px: int | None = None
    filters: list[str] = Field(default_factory=list)
    binning_modes: list[int] = Field(default_factory=lambda: [1])
    readout_modes: list[str] = Field(default_factory=list)

    @property
    def pixel_scale_arcsec(self) -> float | None:
        """Unbinned pixel scale in arcsec per pixel, from pixel size and focal length."""
        if not self.pixel_size_um or not self.focal_length_mm:
            return None
        return ARCSEC_PER_RADIAN * self.pixel_size_um * 1e-3 / self.focal_length_mm

    @property
    def field_of_view_arcmin(self) -> tuple[float, float] | None:
        scale = self.pixel_scale_arcsec
        if scale is None or not self.sensor_width_px or not self.sensor_height_px:
            return None
        return (scale * self.sensor_width_px / 60.0, scale * self.sensor_height_px / 60.0)


class ObservatoryMember(BaseModel):
    user_id: PydanticObjectId
    permissions: set[ObservatoryPermission] = Field(
        default_factory=lambda: {ObservatoryPermission.VIEW}
    )
    added_at: datetime = Field(default_factory=utcnow)


class Observatory(Document):
    organization_id: Annotated[PydanticObjectId, Indexed()]
    name: str
    code: Annotated[str, Indexed(unique=True)]
    description: str = ""
    location: Location
    horizon: list[HorizonPoint] = Field(default_factory=list)
    equipment: Equipment = Field(default_factory=Equipment)
    dispatch_enabled: bool = True
    maintenance: bool = False
    maintenance_reason: str = ""  # why, while in maintenance (domain/observatories/maintenance.py)
    maintenance_since: datetime | None = None
    safety: Safety = Safety.UNKNOWN  # reported by the plugin; see docs/scheduling.md
    api_key_prefix: Annotated[str, Indexed(unique=True)]
    api_key_hash: str
    members: list[ObservatoryMember] = Field(default_factory=list)
    created_by: PydanticObjectId
    created_at: datetime = Field(default_factory=utcnow)

    class Settings:
        name = "observatories"
        indexes = ("members.user_id",)

    def member(self, user_id: PydanticObjectId) -> ObservatoryMember | None:
        return next((m for m in self.members if m.user_id == user_id), None)
