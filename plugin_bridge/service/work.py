"""`request_work`: the scheduling engine's `next_work`, answered by `assignment` or `no_work`."""

from __future__ import annotations

from datetime import datetime, timedelta

from beanie import PydanticObjectId

from domain.dispatch.dispatcher import Assignment, KeepRunning, WaitDecision, WaitReason, next_work
from domain.dispatch.record import DispatchRecord
from domain.observations.observation import Observation
from domain.observatories.live_status import live_status_of
from domain.observatories.observatory import Observatory
from plugin_bridge import messages as m
from plugin_bridge.core import commands as c
from plugin_bridge.core.effects import Applied, Outcome, Rejected
from plugin_bridge.service.context import BridgeContext
from plugin_bridge.service.runs import latest_record, next_sequence

NO_WORK_REASON: dict[WaitReason, m.NoWorkReason] = {
    WaitReason.MAINTENANCE: m.NoWorkReason.DISPATCH_DISABLED,
    WaitReason.DISPATCH_DISABLED: m.NoWorkReason.DISPATCH_DISABLED,
    WaitReason.UNSAFE: m.NoWorkReason.UNSAFE,
    WaitReason.SAFETY_UNKNOWN: m.NoWorkReason.UNSAFE,
    WaitReason.RESERVED: m.NoWorkReason.RESERVED,
}
MIN_RETRY_S = 10.0
MAX_RETRY_S = 600.0

AUTOFOCUS = {
    "mode": "plugin_managed",
    "initial": True,
    "time": {"enabled": True, "interval_minutes": 30},
    "temperature": {"enabled": False, "threshold_celsius": 2.0},
    "hfr": {"enabled": False, "increase_percentage": 5, "sample_size": 10},
    "filter_change": {"enabled": False},
    "exposures": {"enabled": False, "exposure_count": 10},
}
GUIDING = {"enabled": True, "required": False, "dithering": True}


async def request_work(command: c.RequestWork, context: BridgeContext) -> Outcome:
    observatory_id = PydanticObjectId(command.observatory_id)
    now = context.now()
    async with context.dispatch_slots:
        decision = await next_work(observatory_id, now, bus=context.bus)
    request = command.message
    if isinstance(decision, Assignment):
        assert decision.observation.id is not None
        record = await DispatchRecord.find_one(
            DispatchRecord.observatory_id == observatory_id,
            DispatchRecord.observation_id == decision.observation.id,
            sort=[("created_at", -1)],
        )
        assert record is not None
        reply = await assignment_message(record, decision.observation, request.id, context)
        return Applied({"assignment_id": str(record.id)}, (reply,))
    if isinstance(decision, KeepRunning):
        record = await latest_record(observatory_id)
        observation = await Observation.get(decision.observation_id)
        if record is None or observation is None:
            return Rejected(m.ErrorCode.INTERNAL_ERROR, "the running work vanished", True)
        reply = await assignment_message(record, observation, request.id, context)
        return Applied({"assignment_id": str(record.id)}, (reply,))
    return Applied({}, (no_work(decision, request.id, now, context),))


def no_work(
    decision: WaitDecision, correlation_id: str, now: datetime, context: BridgeContext
) -> m.NoWork:
    retry = MIN_RETRY_S
    if decision.until is not None:
        retry = (decision.until - now).total_seconds()
    return context.compose(
        m.NoWork,
        now,
        correlation_id=correlation_id,
        reason=NO_WORK_REASON.get(decision.reason, m.NoWorkReason.NOTHING_ELIGIBLE),
        retry_after_s=min(MAX_RETRY_S, max(MIN_RETRY_S, retry)),
        message=decision.detail[:1000],
    )


async def assignment_message(
    record: DispatchRecord, observation: Observation, correlation_id: str, context: BridgeContext
) -> m.Assignment:
    assert observation.id is not None
    first = await next_sequence(observation.id)
    status = await live_status_of(record.observatory_id)
    if status is not None and status.current_assignment_id == record.id:
        first = max([first, *(s + 1 for s in status.captured_sequences)])
    thresholds = observation.thresholds
    must_end_by = max(record.until, context.now() + timedelta(minutes=1))
    return context.compose(
        m.Assignment,
        context.now(),
        id=f"asg-{record.id}",
        correlation_id=correlation_id,
        assignment_id=str(record.id),
        observation_id=str(observation.id),
        observation_name=observation.name[:200] or "observation",
        observation_type=observation.type.value,
        priority=observation.priority,
        targets=[
            {
                "name": target.name,
                "ra_deg": target.ra_deg % 360.0,
                "dec_deg": target.dec_deg,
                "rotation_deg": target.rotation_deg,
                "exposures": [
                    {
                        "filter": exposure.filter,
                        "exposure_s": exposure.exposure_s,
                        "count": exposure.count,
                        "binning": exposure.binning,
                        "gain": exposure.gain,
                        "offset": exposure.offset,
                        "readout_mode": exposure.readout_mode,
                        "accepted": exposure.accepted,
                    }
                    for exposure in target.exposures
                ],
            }
            for target in observation.targets
        ],
        start_at=record.start if observation.type.value == "fixed_time" else None,
        must_end_by=must_end_by,
        first_sequence=first,
        autofocus=AUTOFOCUS,
        guiding=GUIDING,
        thresholds=thresholds.model_dump(),
    )


async def observatory_of(observatory_id: str) -> Observatory:
    found = await Observatory.get(PydanticObjectId(observatory_id))
    assert found is not None
    return found
