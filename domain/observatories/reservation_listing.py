"""Reading an observatory's reservations, batched over many observatories."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from beanie import PydanticObjectId, SortDirection

from domain.accounts.user import User
from domain.observatories.access import may_view
from domain.observatories.observatory import Observatory
from domain.observatories.reservation import Reservation
from domain.organizations.organization import Organization

MAX_LISTED = 200


def may_view_reservations(
    user: User, observatory: Observatory, organization: Organization | None
) -> bool:
    """Reservations are visible to everyone who may see the observatory."""
    return may_view(user, observatory, organization)


async def reservations_of(
    observatory_ids: Sequence[PydanticObjectId], ending_after: datetime | None
) -> dict[PydanticObjectId, list[Reservation]]:
    """Reservations of each observatory by start time (at most 200 each), in one query.

    With `ending_after`, only those that end later (current and coming ones).
    """
    query: dict[str, object] = {"observatory_id": {"$in": list(set(observatory_ids))}}
    if ending_after is not None:
        query["end"] = {"$gt": ending_after}
    found = (
        await Reservation.find(query)
        .sort([("start", SortDirection.ASCENDING), ("_id", SortDirection.ASCENDING)])
        .to_list()
    )
    grouped: dict[PydanticObjectId, list[Reservation]] = defaultdict(list)
    for reservation in found:
        if len(grouped[reservation.observatory_id]) < MAX_LISTED:
            grouped[reservation.observatory_id].append(reservation)
    return grouped
