"""`hello`: authenticate by observatory API key, or record a registration request."""

from __future__ import annotations

from beanie import PydanticObjectId

from domain.observatories.live_status import publish_live_status, update_live_status
from domain.observatories.observatory import Location, Observatory
from domain.observatories.plugin_keys import PluginAuthenticationFailed, authenticate_plugin
from domain.observatories.registration import (
    ObservatoryRegistration,
    RegistrationStatus,
    request_registration,
)
from plugin_bridge import messages as m
from plugin_bridge.core import commands as c
from plugin_bridge.core.effects import Authenticated, AuthRefused, HelloOutcome, RegistrationPending
from plugin_bridge.service.context import BridgeContext


async def authenticate(
    command: c.Authenticate, session_id: str, context: BridgeContext
) -> HelloOutcome:
    hello = command.hello
    assert hello.api_key is not None
    try:
        observatory = await authenticate_plugin(hello.api_key, hello.fingerprint)
    except PluginAuthenticationFailed as failure:
        return AuthRefused(m.ErrorCode(failure.refusal.value), failure.message)
    await record_connected(str(observatory.id), session_id, hello, command.clock_offset_s, context)
    return Authenticated(str(observatory.id))


async def record_connected(
    observatory_id: str,
    session_id: str,
    hello: m.Hello,
    clock_offset_s: float,
    context: BridgeContext,
) -> None:
    """The observatory's plugin is connected through `session_id` now."""
    observatory = await Observatory.get(PydanticObjectId(observatory_id))
    assert observatory is not None
    status = await update_live_status(
        observatory,
        {
            "connected": True,
            "session_id": session_id,
            "last_seen": context.now(),
            "offline_since": None,
            "offline_reason": None,
            "interrupted_at": None,
            "plugin_version": hello.plugin_version,
            "host_software": hello.host_software,
            "clock_offset_s": clock_offset_s,
        },
    )
    await publish_live_status(context.bus, status, "connection", "connected")


async def register(command: c.Register) -> tuple[HelloOutcome, ObservatoryRegistration]:
    hello = command.hello
    details = hello.registration
    assert details is not None
    registration = await request_registration(
        code=details.code,
        name=details.name,
        contact_email=details.contact_email,
        contact_name=details.contact_name,
        description=details.description,
        location=Location(
            latitude_deg=details.latitude_deg,
            longitude_deg=details.longitude_deg,
            elevation_m=details.elevation_m,
        ),
        fingerprint=hello.fingerprint,
        organization_hint=details.organization_hint,
    )
    if registration.status is RegistrationStatus.REJECTED:
        refused = AuthRefused(m.ErrorCode.REGISTRATION_REJECTED, registration.reason or "refused")
        return refused, registration
    return RegistrationPending(str(registration.id)), registration
