"""Thin resolver for maintenance mode: auth check -> domain call -> type."""

from __future__ import annotations

from domain.errors import DomainError
from domain.observatories import maintenance
from schema.context import Info
from schema.errors import error_result
from schema.maintenance import SetObservatoryMaintenanceInput, SetObservatoryMaintenancePayload
from schema.observatories import Observatory


async def set_observatory_maintenance(
    info: Info, input: SetObservatoryMaintenanceInput
) -> SetObservatoryMaintenancePayload:
    actor = await info.context.require_actor()
    try:
        changed = await maintenance.set_maintenance(
            actor,
            str(input.observatory_id),
            enabled=input.enabled,
            reason=input.reason,
            events=info.context.services.events,
        )
    except DomainError as error:
        return error_result(error)
    return Observatory.from_document(changed)
