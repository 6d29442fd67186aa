"""Status reports, forwarded logs and calibration queries."""

from __future__ import annotations

import logging

from beanie import PydanticObjectId

from domain.dispatch.controls import report_safety
from domain.observatories.live_status import (
    publish_live_status,
    swap_live_status,
    update_live_status,
)
from domain.observatories.observatory import Safety
from plugin_bridge import messages as m
from plugin_bridge.core import commands as c
from plugin_bridge.core.effects import Applied, Outcome
from plugin_bridge.service.context import BridgeContext

log = logging.getLogger("science_scheduler.plugin")


async def record_status(command: c.RecordStatus, context: BridgeContext) -> Outcome:
    """Store the report on the observatory; its safety gates dispatch (as the core's rule)."""
    message = command.message
    observatory_id = PydanticObjectId(command.observatory_id)
    changes: dict[str, object] = {
        "operational_state": message.operational_state.value,
        "safety": message.safety.value,
        "operations_enabled": message.operations_enabled,
        "devices": {name: device.model_dump() for name, device in message.devices.items()},
        "telemetry": message.telemetry.model_dump(exclude_none=True),
        "last_seen": context.now(),
    }
    if message.equipment is not None:
        changes["equipment"] = message.equipment.model_dump()
    # One write in the common case: the status as it was comes back with the update, and
    # the observatory's safety (which gates dispatch) is written only when it changed.
    before, status = await swap_live_status(observatory_id, changes)
    if before is None or before.safety != message.safety.value:
        observatory = await report_safety(observatory_id, Safety(message.safety.value))
        if status is None:
            status = await update_live_status(observatory, changes)
    assert status is not None
    await publish_live_status(context.bus, status, "status")
    return Applied()


async def forward_logs(command: c.ForwardLogs, context: BridgeContext) -> Outcome:
    for entry in command.message.entries:
        log.info(
            "plugin log",
            extra={
                "observatory_id": command.observatory_id,
                "plugin_level": entry.level,
                "plugin_source": entry.source,
                "plugin_message": entry.message,
            },
        )
    return Applied({"stored": len(command.message.entries)})


async def calibration_needs(command: c.QueryCalibrationNeeds, context: BridgeContext) -> Outcome:
    """No calibration library yet: nothing is needed."""
    reply = context.compose(
        m.CalibrationNeeds, context.now(), correlation_id=command.message.id, needs=[]
    )
    return Applied({}, (reply,))


async def calibration_report(
    command: c.CompleteCalibration | c.RefuseCalibration, context: BridgeContext
) -> Outcome:
    return Applied()
