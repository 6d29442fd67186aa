"""The observatory's status report: connection, operational state, safety, equipment."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from plugin_bridge.messages.base import Envelope, Name, Strict


class OperationalState(StrEnum):
    READY = "ready"
    OBSERVING = "observing"
    WEATHER_HOLD = "weather_hold"
    SHUTDOWN = "shutdown"
    ERROR = "error"


class SafetyState(StrEnum):
    SAFE = "safe"
    UNSAFE = "unsafe"
    UNKNOWN = "unknown"


DeviceName = Annotated[str, StringConstraints(pattern=r"^[a-z_]{2,32}$")]


class Device(Strict):
    connected: bool
    name: Name | None = Field(default=None, description="Driver or model name.")


class Equipment(Strict):
    """The optical train as the host software knows it (read-only on the server)."""

    telescope: Name | None = None
    aperture_mm: float | None = Field(default=None, gt=0)
    focal_length_mm: float | None = Field(default=None, gt=0)
    camera: Name | None = None
    pixel_size_um: float | None = Field(default=None, gt=0)
    sensor_width_px: int | None = Field(default=None, gt=0)
    sensor_height_px: int | None = Field(default=None, gt=0)
    shutter: bool | None = Field(default=None, description="False for a shutterless camera.")
    filters: list[Name] = Field(default_factory=list)


class Telemetry(Strict):
    """Current readings; every field is optional."""

    camera_temperature_c: float | None = None
    cooler_power_percent: float | None = Field(default=None, ge=0, le=100)
    focuser_position: int | None = None
    focuser_temperature_c: float | None = None
    ambient_temperature_c: float | None = None
    humidity_percent: float | None = Field(default=None, ge=0, le=100)
    cloud_cover_percent: float | None = Field(default=None, ge=0, le=100)
    wind_speed_ms: float | None = Field(default=None, ge=0)
    sky_quality_mpsas: float | None = None
    cpu_percent: float | None = Field(default=None, ge=0, le=100)
    memory_percent: float | None = Field(default=None, ge=0, le=100)
    disk_free_gb: float | None = Field(default=None, ge=0)


class Status(Envelope):
    """Plugin -> server (acked): sent after `reconciliation`, on every change of state or
    safety, and at most once a minute with fresh telemetry."""

    type: Literal["status"]
    operational_state: OperationalState
    safety: SafetyState = Field(description="The safety device's verdict; unknown counts unsafe.")
    operations_enabled: bool = Field(description="The plugin's 'Enable Operations' switch.")
    devices: dict[DeviceName, Device] = Field(
        default_factory=dict, description="Connection per device: camera, mount, focuser, ..."
    )
    equipment: Equipment | None = Field(default=None, description="Sent when it changes.")
    telemetry: Telemetry = Field(default_factory=Telemetry)
