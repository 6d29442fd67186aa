"""An observatory's live status (its plugin link), registrations from plugins, key rotation."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, cast

import strawberry
from strawberry.scalars import JSON

from domain.observatories.live_status import ObservatoryLiveStatus as LiveStatusDocument
from domain.observatories.live_status import RunProgress as RunProgressModel
from domain.observatories.registration import ObservatoryRegistration as RegistrationDocument
from domain.observatories.registration import RegistrationStatus
from schema.errors import Conflict, Forbidden, NotFound, ValidationError
from schema.global_ids import global_id, optional_global_id
from schema.observatories import Location, Observatory

strawberry.enum(RegistrationStatus, name="ObservatoryRegistrationStatus")


@strawberry.type(description="Where the running observation is, as the plugin last reported.")
class RunProgress:
    phase: str = strawberry.field(
        description="waiting_start, slewing, centering, autofocus, guiding, exposing, ..."
    )
    target_index: int
    frames_captured: int
    percent: float
    time_remaining_s: float | None
    message: str
    reported_at: datetime

    @classmethod
    def from_model(cls, progress: RunProgressModel) -> RunProgress:
        return cls(
            phase=progress.phase,
            target_index=progress.target_index,
            frames_captured=progress.frames_captured,
            percent=progress.percent,
            time_remaining_s=progress.time_remaining_s,
            message=progress.message,
            reported_at=progress.at,
        )


@strawberry.type(description="The observatory's plugin link and what it last reported.")
class ObservatoryLiveStatus:
    connected: bool
    last_seen_at: datetime | None
    offline_since: datetime | None
    operational_state: str | None = strawberry.field(
        description="ready, observing, weather_hold, shutdown or error."
    )
    safety: str | None = strawberry.field(description="safe, unsafe or unknown.")
    operations_enabled: bool | None
    plugin_version: str | None
    host_software: str | None
    clock_offset_s: float | None
    current_observation_id: strawberry.ID | None
    current_assignment_id: strawberry.ID | None
    progress: RunProgress | None
    devices: JSON
    telemetry: JSON
    equipment: JSON | None
    fingerprint_enrolled: bool = strawberry.field(
        description="A machine is enrolled for its key; another one is refused until an admin "
        "resets the fingerprint (resetObservatoryFingerprint)."
    )

    @classmethod
    def from_document(cls, status: LiveStatusDocument) -> ObservatoryLiveStatus:
        return cls(
            connected=status.connected,
            last_seen_at=status.last_seen,
            offline_since=status.offline_since,
            operational_state=status.operational_state,
            safety=status.safety,
            operations_enabled=status.operations_enabled,
            plugin_version=status.plugin_version,
            host_software=status.host_software,
            clock_offset_s=status.clock_offset_s,
            current_observation_id=optional_global_id("Observation", status.current_observation_id),
            current_assignment_id=optional_global_id("Assignment", status.current_assignment_id),
            progress=RunProgress.from_model(status.progress) if status.progress else None,
            devices=cast(JSON, status.devices),
            telemetry=cast(JSON, status.telemetry),
            equipment=cast(JSON, status.equipment),
            fingerprint_enrolled=status.fingerprint is not None,
        )


@strawberry.type(description="A change of an observatory's link, state, safety, work or progress.")
class ObservatoryEvent:
    observatory_id: strawberry.ID
    kind: str = strawberry.field(
        description="connection, status, assignment, progress, key_rotated or maintenance."
    )
    connected: bool | None = strawberry.field(
        description="Whether the plugin is connected; null on maintenance events."
    )
    maintenance: bool | None = strawberry.field(
        description="On maintenance events: whether the observatory is now in maintenance."
    )
    operational_state: str | None
    safety: str | None
    current_observation_id: strawberry.ID | None
    progress_percent: float | None
    progress_phase: str | None
    frames_captured: int | None
    detail: str
    occurred_at: datetime


@strawberry.type(description="A new observatory's request from its plugin, awaiting an admin.")
class ObservatoryRegistration:
    id: strawberry.ID
    code: str
    name: str
    contact_email: str
    contact_name: str | None
    description: str
    location: Location
    organization_hint: str | None
    status: RegistrationStatus
    observatory_id: strawberry.ID | None
    created_at: datetime

    @classmethod
    def from_document(cls, registration: RegistrationDocument) -> ObservatoryRegistration:
        return cls(
            id=global_id("ObservatoryRegistration", registration.id),
            code=registration.code,
            name=registration.name,
            contact_email=registration.contact_email,
            contact_name=registration.contact_name,
            description=registration.description,
            location=Location.from_pydantic(registration.location),
            organization_hint=registration.organization_hint,
            status=registration.status,
            observatory_id=optional_global_id("Observatory", registration.observatory_id),
            created_at=registration.created_at,
        )


@strawberry.input
class ApproveObservatoryRegistrationInput:
    registration_id: strawberry.ID
    organization_id: strawberry.ID = strawberry.field(
        description="The organization the observatory joins (you need MANAGE_OBSERVATORIES)."
    )


@strawberry.input
class RejectObservatoryRegistrationInput:
    registration_id: strawberry.ID
    organization_id: strawberry.ID
    reason: str = ""


@strawberry.input
class RotateObservatoryKeyInput:
    observatory_id: strawberry.ID


@strawberry.type(
    description="The observatory registered from the request; its plugin gets the key."
)
class ApproveObservatoryRegistrationSuccess:
    observatory: Observatory


@strawberry.type(description="A new observatory API key, shown only here; the plugin gets it too.")
class RotateObservatoryKeySuccess:
    observatory: Observatory
    api_key: str


ApproveObservatoryRegistrationPayload = Annotated[
    ApproveObservatoryRegistrationSuccess | ValidationError | Conflict | Forbidden | NotFound,
    strawberry.union("ApproveObservatoryRegistrationPayload"),
]
RejectObservatoryRegistrationPayload = Annotated[
    ObservatoryRegistration | ValidationError | Conflict | Forbidden | NotFound,
    strawberry.union("RejectObservatoryRegistrationPayload"),
]
RotateObservatoryKeyPayload = Annotated[
    RotateObservatoryKeySuccess | ValidationError | Conflict | Forbidden | NotFound,
    strawberry.union("RotateObservatoryKeyPayload"),
]
