"""The GraphQL schema: root types and the limits every request is held to."""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator, Callable

import strawberry
from graphql import GraphQLError
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import (
    AddValidationRules,
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
    SchemaExtension,
)
from strawberry.schema.config import StrawberryConfig

from resolvers import (
    accounts,
    api_keys,
    frames,
    members,
    observations,
    observatories,
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
from schema.connection import Connection
from schema.frames import Frame, FrameEvent, FramePayload
from schema.members import (
    CreateUserPayload,
    SetObservatoryMemberPayload,
    SetOrganizationMemberPayload,
    SetProjectMemberPayload,
)
from schema.observations import Observation, ObservationEvent, ObservationPayload
from schema.observatories import Observatory, RegisterObservatoryPayload
from schema.organizations import CreateOrganizationPayload, Organization
from schema.projects import CreateProjectPayload
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

MAX_DEPTH = 10
MAX_ALIASES = 30
MAX_TOKENS = 5000


@strawberry.type
class Query:
    server_info: ServerInfo = strawberry.field(resolver=system.resolve_server_info)
    me: User | None = strawberry.field(
        resolver=accounts.me,
        description="The signed-in user (an API key's creator for a key); null when anonymous.",
    )
    api_keys: list[ApiKey] = strawberry.field(
        resolver=api_keys.api_keys,
        description="An organization's API keys, secrets never shown (its owner, members who "
        "manage members, site administrators).",
    )
    organizations: list[Organization] = strawberry.field(
        resolver=organizations.organizations,
        description="Organizations you belong to (all of them for a site administrator).",
    )
    observatories: list[Observatory] = strawberry.field(
        resolver=observatories.observatories, description="Observatories you may see."
    )
    observation: Observation | None = strawberry.field(
        resolver=observations.observation, description="Null when missing or not visible to you."
    )
    resolve_target: ResolveTargetPayload = strawberry.field(
        resolver=targets.resolve_target,
        description="Look a name up offline: your organization's library, then Messier/NGC/IC.",
    )
    library_targets: list[LibraryTarget] = strawberry.field(
        resolver=targets.library_targets,
        description="Your organization's saved targets whose name contains `search`.",
    )
    observation_templates: list[ObservationTemplate] = strawberry.field(
        resolver=templates.observation_templates, description="Templates of a project."
    )
    observations: Connection[Observation] = strawberry.field(
        resolver=observations.observations,
        description="Observations you may see, newest first.",
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
    create_reservation: ReservationPayload = strawberry.mutation(
        resolver=scheduling.create_reservation,
        description="Block an observatory's time (its administrators): no dispatch inside it.",
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


def build_schema(*, production: bool) -> strawberry.Schema:
    # Factories, so that every request gets fresh extension instances.
    extensions: list[Callable[[], SchemaExtension]] = [
        lambda: QueryDepthLimiter(max_depth=MAX_DEPTH),
        lambda: MaxAliasesLimiter(max_alias_count=MAX_ALIASES),
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        lambda: MaskErrors(should_mask_error=_is_unexpected),
    ]
    if production:
        extensions.append(lambda: AddValidationRules([NoSchemaIntrospectionCustomRule]))
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=extensions,
        config=StrawberryConfig(disable_field_suggestions=production),
    )
