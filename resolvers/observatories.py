"""Thin resolvers for the observatory registry."""

from __future__ import annotations

from domain.errors import DomainError
from domain.observatories import service
from domain.observatories.observatory import Equipment as EquipmentModel
from schema.context import Info
from schema.errors import error_result
from schema.observatories import (
    Observatory,
    RegisterObservatoryInput,
    RegisterObservatoryPayload,
    RegisterObservatorySuccess,
)


async def register_observatory(
    info: Info, input: RegisterObservatoryInput
) -> RegisterObservatoryPayload:
    actor = await info.context.require_actor()
    try:
        registered = await service.register_observatory(
            actor,
            organization_id=str(input.organization_id),
            name=input.name,
            code=input.code,
            location=input.location.to_pydantic(),
            horizon=[point.to_pydantic() for point in input.horizon],
            equipment=input.equipment.to_pydantic() if input.equipment else EquipmentModel(),
            description=input.description,
        )
    except DomainError as error:
        return error_result(error)
    return RegisterObservatorySuccess(
        observatory=Observatory.from_document(registered.observatory), api_key=registered.api_key
    )


async def observatories(info: Info) -> list[Observatory]:
    viewer = await info.context.require_actor()
    return [Observatory.from_document(o) for o in await service.observatories_visible_to(viewer)]
