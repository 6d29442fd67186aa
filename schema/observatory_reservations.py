"""`Observatory.reservations`: batched over every observatory of a request."""

from __future__ import annotations

from beanie import PydanticObjectId

from domain.accounts.user import utcnow
from domain.observatories.reservation_listing import may_view_reservations
from schema.context import Info
from schema.scheduling import Reservation


async def observatory_reservations(
    info: Info, observatory_id: str, include_past: bool
) -> list[Reservation]:
    viewer = await info.context.require_actor()
    loaders = info.context.loaders
    key = PydanticObjectId(observatory_id)
    observatory = await loaders.observatory_by_id.load(key)
    if observatory is None:
        return []
    organization = await loaders.organization_by_id.load(observatory.organization_id)
    if not may_view_reservations(viewer, observatory, organization):
        return []
    loader = (
        loaders.reservations_by_observatory_id
        if include_past
        else loaders.current_reservations_by_observatory_id
    )
    now = utcnow()
    return [Reservation.from_document(r, now) for r in await loader.load(key)]
