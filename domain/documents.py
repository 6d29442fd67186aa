"""Every Beanie document model, so the app and the worker initialise the same set."""

from __future__ import annotations

from beanie import Document

from domain.accounts.api_keys import ApiKey
from domain.accounts.refresh_tokens import RefreshToken
from domain.accounts.user import User
from domain.audit import AuditEntry, UsageEvent
from domain.dispatch.record import DispatchRecord
from domain.frames.frame import Frame
from domain.observations.observation import Observation
from domain.observatories.live_status import ObservatoryLiveStatus
from domain.observatories.observatory import Observatory
from domain.observatories.registration import ObservatoryRegistration
from domain.observatories.reservation import Reservation
from domain.organizations.organization import Organization
from domain.projects.project import Project
from domain.targets.library import LibraryTarget
from domain.templates.template import ObservationTemplate

DOCUMENT_MODELS: list[type[Document]] = [
    User,
    RefreshToken,
    ApiKey,
    Organization,
    Project,
    Observatory,
    Reservation,
    Observation,
    Frame,
    DispatchRecord,
    LibraryTarget,
    ObservationTemplate,
    AuditEntry,
    UsageEvent,
    ObservatoryLiveStatus,
    ObservatoryRegistration,
]
