"""Creating and cancelling reservations (observatory administrators)."""

from __future__ import annotations

from datetime import datetime

from beanie import PydanticObjectId, UpdateResponse

from domain.access.permissions import ObservatoryPermission
from domain.accounts.user import User, utcnow
from domain.audit import record_audit, snapshot
from domain.errors import Conflict, FieldProblem, NotFound, ValidationFailed
from domain.observatories.access import observatory_for
from domain.observatories.reservation import Reservation

MAX_RESERVATION_DAYS = 366


def _validate(
    title: str, purpose: str, contact: str, start: datetime, end: datetime
) -> list[FieldProblem]:
    problems = []
    for path, value in (("title", title), ("purpose", purpose), ("contact", contact)):
        if not 1 <= len(value.strip()) <= 200:
            problems.append(FieldProblem((path,), "must be 1 to 200 characters"))
    if start.tzinfo is None or end.tzinfo is None:
        problems.append(FieldProblem(("start",), "start and end need a time zone (UTC)"))
    elif end <= start:
        problems.append(FieldProblem(("end",), "must be after the start"))
    elif end <= utcnow():
        problems.append(FieldProblem(("end",), "the reservation is wholly in the past"))
    elif (end - start).days > MAX_RESERVATION_DAYS:
        problems.append(FieldProblem(("end",), f"at most {MAX_RESERVATION_DAYS} days long"))
    return problems


async def create_reservation(
    actor: User,
    *,
    observatory_id: str,
    title: str,
    purpose: str,
    contact: str,
    start: datetime,
    end: datetime,
) -> Reservation:
    """Block an observatory from `start` to `end` (UTC): nothing new is dispatched inside it."""
    observatory = await observatory_for(actor, observatory_id, ObservatoryPermission.ADMIN)
    problems = _validate(title, purpose, contact, start, end)
    if problems:
        raise ValidationFailed(problems)
    assert observatory.id is not None
    assert actor.id is not None
    reservation = Reservation(
        observatory_id=observatory.id,
        title=title.strip(),
        purpose=purpose.strip(),
        contact=contact.strip(),
        start=start,
        end=end,
        created_by=actor.id,
    )
    await reservation.insert()
    await record_audit(
        actor,
        "reservation",
        str(reservation.id),
        "create",
        after=snapshot(reservation),
    )
    return reservation


async def cancel_reservation(
    actor: User, reservation_id: str, reason: str, ended_at: datetime | None = None
) -> Reservation:
    """Cancel a reservation; an active one ends at `ended_at` (default now)."""
    reservation = (
        await Reservation.get(PydanticObjectId(reservation_id))
        if PydanticObjectId.is_valid(reservation_id)
        else None
    )
    if reservation is None:
        raise NotFound("reservation", reservation_id)
    try:
        await observatory_for(actor, str(reservation.observatory_id), ObservatoryPermission.ADMIN)
    except NotFound:
        raise NotFound("reservation", reservation_id) from None
    if not reason.strip():
        raise ValidationFailed([FieldProblem(("reason",), "say why it is cancelled")])
    if reservation.cancelled_at is not None:
        raise Conflict("the reservation is already cancelled")
    now = utcnow()
    if reservation.end <= now:
        raise Conflict("the reservation is already over")
    at = ended_at or now
    if at.tzinfo is None or at > reservation.end:
        raise ValidationFailed(
            [FieldProblem(("ended_at",), "must be a UTC time no later than the end")]
        )
    before = snapshot(reservation)
    updated = await Reservation.find_one({"_id": reservation.id, "cancelled_at": None}).update(
        {"$set": {"cancelled_at": at, "cancel_reason": reason.strip()}},
        response_type=UpdateResponse.NEW_DOCUMENT,
    )
    if not isinstance(updated, Reservation):
        raise Conflict("the reservation changed at the same moment; read it again and retry")
    await record_audit(
        actor,
        "reservation",
        str(reservation.id),
        "cancel",
        before=before,
        after=snapshot(updated),
    )
    return updated


async def reservations_between(
    observatory_id: PydanticObjectId, start: datetime, end: datetime
) -> list[Reservation]:
    """Reservations of an observatory that overlap [start, end], cancelled ones included."""
    found = await Reservation.find(
        Reservation.observatory_id == observatory_id,
        Reservation.end > start,
        Reservation.start < end,
    ).to_list()
    return sorted(found, key=lambda r: r.start)
