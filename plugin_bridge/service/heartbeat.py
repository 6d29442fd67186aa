"""A lost plugin link: offline at once, its run interrupted after the grace period.

Several API replicas may have served the observatory, so before interrupting the database's
last-seen time is checked: a link seen after it went offline here (a reconnect through
another replica) is alive, and nothing is interrupted.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from beanie import PydanticObjectId

from domain.accounts.user import utcnow
from domain.events import EventBus
from domain.observations.observation import Observation
from domain.observatories.live_status import (
    ObservatoryLiveStatus,
    live_status_of,
    publish_live_status,
    update_live_status,
)
from domain.observatories.observatory import Observatory
from plugin_bridge.service.runs import latest_record, release

log = logging.getLogger(__name__)


async def mark_offline(
    observatory_id: str, session_id: str, last_seen: datetime, reason: str, bus: EventBus
) -> None:
    """The link is gone (unless a newer session of the observatory took over)."""
    observatory = await Observatory.get(PydanticObjectId(observatory_id))
    if observatory is None:
        return
    assert observatory.id is not None
    status = await live_status_of(observatory.id)
    if status is not None and status.session_id not in (None, session_id):
        return
    updated = await update_live_status(
        observatory,
        {
            "connected": False,
            "offline_since": utcnow(),
            "offline_reason": reason,
            "last_seen": max(last_seen, status.last_seen)
            if status and status.last_seen
            else last_seen,
        },
    )
    await publish_live_status(bus, updated, "connection", reason)


async def interrupt_lost_link(
    observatory_id: str, offline_since: datetime, grace: timedelta, bus: EventBus
) -> bool:
    """Interrupt the observatory's run if its link stayed down for `grace`; True if it did."""
    status = await live_status_of(PydanticObjectId(observatory_id))
    if status is None or status.connected or status.interrupted_at is not None:
        return False
    seen = status.last_seen or offline_since
    if seen > offline_since or utcnow() - max(seen, status.offline_since or seen) < grace:
        return False
    record = await latest_record(status.observatory_id)
    if record is not None:
        observation = await Observation.get(record.observation_id)
        if observation is not None and observation.assigned_observatory_id == status.observatory_id:
            assert observation.id is not None
            await release(
                observation.id,
                f"observatory:{observatory_id}",
                f"the observatory's link was lost for more than {grace.total_seconds():g} s",
                bus,
            )
    observatory = await Observatory.get(status.observatory_id)
    if observatory is None:
        return False
    updated = await update_live_status(
        observatory,
        {
            "interrupted_at": utcnow(),
            "current_assignment_id": None,
            "current_observation_id": None,
            "progress": None,
        },
    )
    await publish_live_status(bus, updated, "assignment", "interrupted after the grace period")
    return True


async def sweep_lost_links(
    silence: timedelta, grace: timedelta, bus: EventBus, served_here: set[str]
) -> int:
    """Links no replica serves any more (e.g. after a restart): offline, then interrupted.

    `served_here` are the observatories whose sockets this process holds (their sessions'
    own heartbeat monitors decide for them).
    """
    now = utcnow()
    stale = ObservatoryLiveStatus.find({"connected": True, "last_seen": {"$lt": now - silence}})
    async for status in stale:
        assert status.last_seen is not None
        if str(status.observatory_id) in served_here:
            continue
        await mark_offline(
            str(status.observatory_id),
            status.session_id or "",
            status.last_seen,
            "heartbeat_timeout",
            bus,
        )
    interrupted = 0
    lost = ObservatoryLiveStatus.find(
        {
            "connected": False,
            "interrupted_at": None,
            "current_assignment_id": {"$ne": None},
            "offline_since": {"$lt": now - grace},
        }
    )
    async for status in lost:
        assert status.offline_since is not None
        if await interrupt_lost_link(str(status.observatory_id), status.offline_since, grace, bus):
            interrupted += 1
    return interrupted
