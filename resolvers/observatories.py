"""Thin resolvers for the observatory registry."""

from __future__ import annotations

from domain.errors import DomainError
from domain.observatories import service
from domain.observatories.observatory import Equipment as EquipmentModel
from resolvers.pagination import by_name, paginate_sorted
from schema.connection import Connection
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


async def observatories(
    info: Info, first: int = 50, after: str | None = None
) -> Connection[Observatory]:
    """Observatories you may see by name (then id); `first` is at most 100."""
    viewer = await info.context.require_actor()
    return paginate_sorted(
        await service.observatories_visible_to(viewer),
        key=by_name,
        first=first,
        after=after,
        to_node=Observatory.from_document,
    )
