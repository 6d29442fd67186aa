"""`Observatory.reservations`: batched over every observatory of a request."""

from __future__ import annotations

from beanie import PydanticObjectId

from domain.accounts.user import utcnow
from domain.observatories.reservation import Reservation as ReservationDocument
from domain.observatories.reservation_listing import may_view_reservations
from resolvers.pagination import epoch_millis, paginate_sorted
from schema.connection import Connection
from schema.context import Info
from schema.scheduling import Reservation


async def observatory_reservations(
    info: Info, observatory_id: str, include_past: bool, first: int, after: str | None
) -> Connection[Reservation]:
    """By start time, then id (of the first 200 the loaders read)."""
    viewer = await info.context.require_actor()
    loaders = info.context.loaders
    key = PydanticObjectId(observatory_id)
    observatory = await loaders.observatory_by_id.load(key)
    found: list[ReservationDocument] = []
    if observatory is not None:
        organization = await loaders.organization_by_id.load(observatory.organization_id)
        if may_view_reservations(viewer, observatory, organization):
            loader = (
                loaders.reservations_by_observatory_id
                if include_past
                else loaders.current_reservations_by_observatory_id
            )
            found = await loader.load(key)
    now = utcnow()
    return paginate_sorted(
        found,
        key=lambda r: (epoch_millis(r.start), str(r.id)),
        first=first,
        after=after,
        to_node=lambda r: Reservation.from_document(r, now),
    )
