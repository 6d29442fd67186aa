"""The GraphQL schema: root types and the limits every request is held to."""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator, Callable

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaskErrors, SchemaExtension
from strawberry.schema.config import StrawberryConfig

from resolvers import (
    accounts,
    api_keys,
    audit,
    frames,
    listing,
    members,
    node,
    observation_update,
    observations,
    observatories,
    observatory_maintenance,
    observatory_status,
    observatory_update,
    organizations,
    projects,
    scheduling,
    system,
    targets,
    templates,
)
from schema.accounts import (
    ChangePasswordPayload,
    LoginPayload,
    LogoutPayload,
    RefreshTokenPayload,
    User,
)
from schema.api_keys import ApiKey, CreateApiKeyPayload, RevokeApiKeyPayload
from schema.audit import AuditEntry
from schema.connection import Connection
from schema.frames import Frame, FrameEvent, FramePayload
from schema.global_ids import GLOBAL_ID_SCALAR
from schema.limits import limit_extensions
from schema.maintenance import SetObservatoryMaintenancePayload
from schema.members import (
    CreateUserPayload,
    SetObservatoryMemberPayload,
    SetOrganizationMemberPayload,
    SetProjectMemberPayload,
)
from schema.node import Node
from schema.observations import Observation, ObservationEvent, ObservationPayload
from schema.observatories import Observatory, RegisterObservatoryPayload
from schema.observatory_status import (
    ApproveObservatoryRegistrationPayload,
    ObservatoryEvent,
    ObservatoryRegistration,
    RejectObservatoryRegistrationPayload,
    RotateObservatoryKeyPayload,
)
from schema.observatory_update import ResetObservatoryFingerprintPayload, UpdateObservatoryPayload
from schema.organizations import CreateOrganizationPayload, Organization
from schema.projects import CreateProjectPayload, Project
from schema.scheduling import (
    NightPlan,
    ReservationPayload,
    SchedulingExplanation,
    SetDispatchEnabledPayload,
    TargetVisibility,
)
from schema.system import ServerInfo, SystemEvent
from schema.targets import (
    DeleteLibraryTargetPayload,
    LibraryTarget,
    ResolveTargetPayload,
    SaveLibraryTargetPayload,
)
from schema.templates import ObservationTemplate, SaveObservationTemplatePayload

log = logging.getLogger("science_scheduler.graphql")


@strawberry.type
class Query:
    server_info: ServerInfo = strawberry.field(resolver=system.resolve_server_info)
    node: Node | None = strawberry.field(
        resolver=node.node,
        description="Any object by its global id (organizations, projects, observatories, "
        "observations, frames and yourself); null when missing or not visible to you.",
    )
    me: User | None = strawberry.field(
        resolver=accounts.me,
        description="The signed-in user (an API key's creator for a key); null when anonymous.",
    )
    api_keys: Connection[ApiKey] = strawberry.field(
        resolver=api_keys.api_keys,
        description="An organization's API keys, oldest first, secrets never shown (its owner, "
        "members who manage members, site administrators).",
    )
    organizations: Connection[Organization] = strawberry.field(
        resolver=organizations.organizations,
        description="Organizations you belong to (all of them for a site administrator), by name.",
    )
    observatories: Connection[Observatory] = strawberry.field(
        resolver=observatories.observatories, description="Observatories you may see, by name."
    )
    observatory: Observatory | None = strawberry.field(
        resolver=listing.observatory, description="Null when missing or not visible to you."
    )
    projects: Connection[Project] = strawberry.field(
        resolver=listing.projects,
        description="Projects of an organization that you may see, by name (empty when none).",
    )
    recent_frames: Connection[Frame] = strawberry.field(
        resolver=listing.recent_frames,
        description="Frames of every observation you may see, newest first.",
    )
    observatory_registrations: Connection[ObservatoryRegistration] = strawberry.field(
        resolver=observatory_status.observatory_registrations,
        description="Pending registrations sent by new observatories' plugins, oldest first (for "
        "admins who may manage an organization's observatories).",
    )
    observation: Observation | None = strawberry.field(
        resolver=observations.observation, description="Null when missing or not visible to you."
    )
    resolve_target: ResolveTargetPayload = strawberry.field(
        resolver=targets.resolve_target,
        description="Look a name up offline: your organization's library, then Messier/NGC/IC.",
    )
    library_targets: Connection[LibraryTarget] = strawberry.field(
        resolver=targets.library_targets,
        description="Your organization's saved targets whose name contains `search` (any "
        "case): those that start with it first, each group by name.",
    )
    observation_templates: Connection[ObservationTemplate] = strawberry.field(
        resolver=templates.observation_templates, description="Templates of a project, by name."
    )
    observations: Connection[Observation] = strawberry.field(
        resolver=observations.observations,
        description="Observations you may see, newest first unless `orderBy` says otherwise.",
    )
    frame: Frame | None = strawberry.field(
        resolver=frames.frame, description="Null when missing or not visible to you."
    )
    frames: Connection[Frame] = strawberry.field(
        resolver=frames.frames, description="An observation's frames, oldest first."
    )
    target_visibility: TargetVisibility | None = strawberry.field(
        resolver=scheduling.target_visibility,
        description="Altitude, azimuth, airmass, Moon and Sun of an ICRS direction (degrees) "
        "from an observatory, start to end (at most 14 days, 5000 steps).",
    )
    night_plan: NightPlan | None = strawberry.field(
        resolver=scheduling.night_plan,
        description="What dispatch would run over a night (see NightPlan for the span).",
    )
    scheduling_explanation: SchedulingExplanation | None = strawberry.field(
        resolver=scheduling.scheduling_explanation,
        description="Why an observation runs or waits now, per eligible observatory.",
    )
    audit_trail: Connection[AuditEntry] = strawberry.field(
        resolver=audit.audit_trail,
        description="Every change of one entity, newest first: for site administrators, an "
        "organization's owner and members who manage its members (for the organization's "
        "things), and you (for your own account); empty for anyone else.",
    )


@strawberry.type
class Mutation:
    login: LoginPayload = strawberry.mutation(
        resolver=accounts.login,
        description="Sign in; throttled per account and per client address.",
    )
    refresh_token: RefreshTokenPayload = strawberry.mutation(
        resolver=accounts.refresh_token,
        description="Exchange a refresh token (single use) for new access and refresh tokens.",
    )
    logout: LogoutPayload = strawberry.mutation(
        resolver=accounts.logout, description="End the session a refresh token belongs to."
    )
    change_password: ChangePasswordPayload = strawberry.mutation(
        resolver=accounts.change_password,
        description="Change your password; every other session ends.",
    )
    create_api_key: CreateApiKeyPayload = strawberry.mutation(
        resolver=api_keys.create_api_key,
        description="Create an API key for an organization; its secret is shown this once only.",
    )
    revoke_api_key: RevokeApiKeyPayload = strawberry.mutation(
        resolver=api_keys.revoke_api_key, description="Revoke an API key at once."
    )
    create_organization: CreateOrganizationPayload = strawberry.mutation(
        resolver=organizations.create_organization,
        description="Create an organization; you become its owner.",
    )
    create_user: CreateUserPayload = strawberry.mutation(
        resolver=members.create_user, description="Create an account (site administrators)."
    )
    set_organization_member: SetOrganizationMemberPayload = strawberry.mutation(
        resolver=members.set_organization_member,
        description="Add a member or replace their permissions (needs MANAGE_MEMBERS).",
    )
    set_project_member: SetProjectMemberPayload = strawberry.mutation(
        resolver=members.set_project_member,
        description="Add a project member or replace their permissions (needs MANAGE_MEMBERS).",
    )
    set_observatory_member: SetObservatoryMemberPayload = strawberry.mutation(
        resolver=members.set_observatory_member,
        description="Add an observatory member or replace their permissions (needs ADMIN).",
    )
    create_project: CreateProjectPayload = strawberry.mutation(
        resolver=projects.create_project,
        description="Create a project in an organization; you become its owner.",
    )
    register_observatory: RegisterObservatoryPayload = strawberry.mutation(
        resolver=observatories.register_observatory,
        description="Register an observatory; its API key is in the payload, this once only.",
    )
    create_observation: ObservationPayload = strawberry.mutation(
        resolver=observations.create_observation,
        description="Create an observation (pending, or a draft with submit: false).",
    )
    update_observation: ObservationPayload = strawberry.mutation(
        resolver=observation_update.update_observation,
        description="Replace a draft's plan (same rules as createObservation); Conflict once "
        "it was submitted.",
    )
    submit_observation: ObservationPayload = strawberry.mutation(
        resolver=observations.submit_observation, description="Submit a draft for scheduling."
    )
    cancel_observation: ObservationPayload = strawberry.mutation(
        resolver=observations.cancel_observation, description="Cancel an unfinished observation."
    )
    reprocess_frame: FramePayload = strawberry.mutation(
        resolver=frames.reprocess_frame,
        description="Run a frame's whole pipeline again (USE on its project).",
    )
    override_frame_grade: FramePayload = strawberry.mutation(
        resolver=frames.override_frame_grade,
        description="Accept or reject a graded frame by hand (EDIT on its project).",
    )
    save_library_target: SaveLibraryTargetPayload = strawberry.mutation(
        resolver=targets.save_library_target,
        description="Save a target in your organization's library (any member).",
    )
    delete_library_target: DeleteLibraryTargetPayload = strawberry.mutation(
        resolver=targets.delete_library_target,
        description="Remove a library target (needs MANAGE_PROJECTS in the organization).",
    )
    save_observation_template: SaveObservationTemplatePayload = strawberry.mutation(
        resolver=templates.save_observation_template,
        description="Save an observation's plan as a template of its project.",
    )
    create_observation_from_template: ObservationPayload = strawberry.mutation(
        resolver=templates.create_observation_from_template,
        description="A new observation with a template's plan.",
    )
    resubmit_observation: ObservationPayload = strawberry.mutation(
        resolver=observations.resubmit_observation,
        description="A new pending observation copied from a finished one.",
    )
    set_dispatch_enabled: SetDispatchEnabledPayload = strawberry.mutation(
        resolver=scheduling.set_dispatch_enabled,
        description="Switch dispatch on or off for an observatory (operators); off means "
        "nothing new is assigned, running work may finish.",
    )
    set_observatory_maintenance: SetObservatoryMaintenancePayload = strawberry.mutation(
        resolver=observatory_maintenance.set_observatory_maintenance,
        description="Take an observatory out of service with a reason, or back (operators); "
        "in maintenance it is given no work.",
    )
    create_reservation: ReservationPayload = strawberry.mutation(
        resolver=scheduling.create_reservation,
        description="Block an observatory's time (its administrators): no dispatch inside it.",
    )
    approve_observatory_registration: ApproveObservatoryRegistrationPayload = strawberry.mutation(
        resolver=observatory_status.approve_observatory_registration,
        description="Register the requesting observatory in an organization; its plugin "
        "receives the API key over its socket.",
    )
    reject_observatory_registration: RejectObservatoryRegistrationPayload = strawberry.mutation(
        resolver=observatory_status.reject_observatory_registration,
        description="Refuse a registration request; the waiting plugin is told and closed.",
    )
    update_observatory: UpdateObservatoryPayload = strawberry.mutation(
        resolver=observatory_update.update_observatory,
        description="Change an observatory's location, horizon mask or equipment (its admins).",
    )
    reset_observatory_fingerprint: ResetObservatoryFingerprintPayload = strawberry.mutation(
        resolver=observatory_update.reset_observatory_fingerprint,
        description="Forget the machine enrolled for an observatory's key (its admins): the next "
        "plugin to connect with the key enrolls its own.",
    )
    rotate_observatory_key: RotateObservatoryKeyPayload = strawberry.mutation(
        resolver=observatory_status.rotate_observatory_key,
        description="Issue a new observatory API key (its admins); the plugin receives it, and "
        "the old key stops working once the plugin acknowledges the new one.",
    )
    cancel_reservation: ReservationPayload = strawberry.mutation(
        resolver=scheduling.cancel_reservation,
        description="Cancel a reservation; an active one ends at endedAt (default now).",
    )


@strawberry.type
class Subscription:
    system_events: AsyncGenerator[SystemEvent] = strawberry.subscription(
        resolver=system.subscribe_system_events,
        description="Events about the server itself, as they happen (site administrators).",
    )
    observation_events: AsyncGenerator[ObservationEvent] = strawberry.subscription(
        resolver=observations.observation_events,
        description="State changes of observations you may see, optionally of one project.",
    )
    observatory_events: AsyncGenerator[ObservatoryEvent] = strawberry.subscription(
        resolver=observatory_status.observatory_events,
        description="Live changes of observatories you may see: plugin connection, operational "
        "state, safety, current observation and progress.",
    )
    frame_events: AsyncGenerator[FrameEvent] = strawberry.subscription(
        resolver=frames.frame_events,
        description="Pipeline progress of frames you may see, optionally of one observation.",
    )


def _is_unexpected(error: GraphQLError) -> bool:
    """Mask only errors raised by our code, never the client's own query errors."""
    original = error.original_error
    if original is None or isinstance(original, GraphQLError):
        return False
    log.error("unexpected error in a resolver", exc_info=original)
    return True


class _SchemaWithoutSuggestions(strawberry.Schema):
    """Errors name no alternatives: strawberry's `disable_field_suggestions` strips only the
    suggestions for fields, not those for arguments, types and enum values."""

    @staticmethod
    def remove_field_suggestion(error: GraphQLError) -> None:
        if " Did you mean " in error.message:
            error.message = error.message.split(" Did you mean ")[0].strip()


def build_schema(*, production: bool) -> strawberry.Schema:
    # Factories, so that every request gets fresh extension instances.
    extensions: list[Callable[[], SchemaExtension]] = [
        *limit_extensions(production=production),
        lambda: MaskErrors(should_mask_error=_is_unexpected),
    ]
    schema_class = _SchemaWithoutSuggestions if production else strawberry.Schema
    return schema_class(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=extensions,
        config=StrawberryConfig(
            disable_field_suggestions=production, scalar_map={strawberry.ID: GLOBAL_ID_SCALAR}
        ),
    )
