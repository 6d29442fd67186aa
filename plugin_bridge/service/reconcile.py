"""`state_report`: the server's view of the run, the pure `reconcile()`, and its transitions."""

from __future__ import annotations

from datetime import timedelta

from beanie import PydanticObjectId

from domain.observations.observation import Observation
from domain.observations.states import ObservationState
from domain.observatories.live_status import publish_live_status, update_live_status
from plugin_bridge import messages as m
from plugin_bridge.core import commands as c
from plugin_bridge.core.effects import Applied, Outcome
from plugin_bridge.core.reconciliation import PluginReport, ServerView, reconcile
from plugin_bridge.service.context import BridgeContext
from plugin_bridge.service.runs import (
    Run,
    RunRefused,
    accepted,
    frames_of,
    latest_record,
    move,
    planned,
    run_of,
)
from plugin_bridge.service.work import observatory_of

S = ObservationState
HELD = frozenset({S.ASSIGNED, S.IN_PROGRESS, S.SUSPENDED, S.PAUSED, S.ACQUISITION_COMPLETE})


async def _server_run(command: c.Reconcile) -> Run | None:
    report = command.message
    if report.assignment_id is not None:
        try:
            return await run_of(command.observatory_id, report.assignment_id, active=False)
        except RunRefused:
            return None
    record = await latest_record(PydanticObjectId(command.observatory_id))
    if record is None:
        return None
    observation = await Observation.get(record.observation_id)
    if observation is None or observation.state not in HELD:
        return None
    run = Run(record, observation)
    return run if run.current else None


async def _view(run: Run) -> ServerView:
    latest = await latest_record(run.record.observatory_id)
    frames = await frames_of(run.record)
    counted = set(run.observation.accepted_frame_ids)
    return ServerView(
        assignment_id=str(run.record.id),
        state=run.observation.state,
        current=run.current and latest is not None and latest.id == run.record.id,
        exposures_planned=planned(run.observation),
        exposures_accepted=accepted(run.observation),
        frames_known=frozenset(frames),
        frames_accepted=frozenset(s for s, f in frames.items() if f.id in counted),
        must_end_by=max(run.record.until, run.record.start + timedelta(minutes=1)),
    )


async def reconcile_report(command: c.Reconcile, context: BridgeContext) -> Outcome:
    report = command.message
    run = await _server_run(command)
    now = context.now()
    view = await _view(run) if run is not None else None
    decision = reconcile(view, PluginReport.of(report), now)
    state = decision.observation_state
    if run is not None and decision.transitions:
        target = decision.transitions[-1]
        observation = await move(
            run,
            target,
            actor=f"observatory:{command.observatory_id}",
            reason=f"reconciled after reconnect: {decision.reason}",
            message_id=report.id,
            bus=context.bus,
        )
        state = observation.state
    observatory = await observatory_of(command.observatory_id)
    keeps = decision.kind in (m.DecisionKind.CONTINUE, m.DecisionKind.COMPLETE) and run is not None
    changes: dict[str, object] = (
        {
            "current_assignment_id": run.record.id,
            "current_observation_id": run.observation.id,
        }
        if keeps and run is not None
        else {"current_assignment_id": None, "current_observation_id": None, "progress": None}
    )
    if keeps and report.frames_captured:
        status = await update_live_status(
            observatory, changes, push={"captured_sequences": {"$each": report.frames_captured}}
        )
    else:
        status = await update_live_status(observatory, changes)
    await publish_live_status(context.bus, status, "assignment", decision.reason)
    shown = state if decision.assignment_id is not None else None
    reply = context.compose(
        m.Reconciliation,
        now,
        correlation_id=report.id,
        decision=decision.kind,
        assignment_id=decision.assignment_id,
        observation_state=shown.value if shown is not None else None,
        upload_sequences=list(decision.upload_sequences),
        reason=decision.reason,
    )
    return Applied({"decision": decision.kind.value}, (reply,))
