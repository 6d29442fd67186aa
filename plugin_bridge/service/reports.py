"""What the plugin reports about a run: each report is one lifecycle step of the observation."""

from __future__ import annotations

from typing import Any

from beanie import PydanticObjectId

from domain.frames.frame import Frame
from domain.observations.completion import complete_if_uploaded
from domain.observations.states import ObservationState
from domain.observatories.live_status import (
    RunProgress,
    change_live_status,
    publish_live_status,
    record_progress,
    update_live_status,
)
from plugin_bridge import messages as m
from plugin_bridge.core import commands as c
from plugin_bridge.core.effects import Applied, Outcome, Rejected
from plugin_bridge.core.reconciliation import PARTIAL_FRACTION
from plugin_bridge.service.context import BridgeContext
from plugin_bridge.service.runs import (
    Run,
    accepted,
    move,
    planned,
    run_of,
)
from plugin_bridge.service.work import observatory_of

S = ObservationState
E = m.ErrorCode


def _actor(command: c.Command[Any]) -> str:
    return f"observatory:{command.observatory_id}"


def _state(run_state: ObservationState) -> dict[str, Any]:
    return {"observation_state": run_state.value}


async def _live(
    command: c.Command[Any], context: BridgeContext, kind: str, changes: dict[str, Any], **push: Any
) -> None:
    observatory_id = PydanticObjectId(command.observatory_id)
    status = await change_live_status(observatory_id, changes, push=push or None)
    if status is None:
        observatory = await observatory_of(command.observatory_id)
        status = await update_live_status(observatory, changes, push=push or None)
    await publish_live_status(context.bus, status, kind)


async def accept(command: c.AcceptAssignment, context: BridgeContext) -> Outcome:
    run = await run_of(command.observatory_id, command.message.assignment_id)
    await _live(
        command,
        context,
        "assignment",
        {
            "current_assignment_id": run.record.id,
            "current_observation_id": run.observation.id,
            "captured_sequences": [],
            "progress": None,
        },
    )
    return Applied()


async def reject(command: c.RejectAssignment, context: BridgeContext) -> Outcome:
    message = command.message
    run = await run_of(command.observatory_id, message.assignment_id)
    observation = await move(
        run,
        S.PENDING,
        actor=_actor(command),
        reason=f"rejected by the observatory: {message.reason}",
        message_id=message.id,
        bus=context.bus,
    )
    await _clear_current(command, context)
    return Applied(_state(observation.state))


async def exposure_started(command: c.RecordExposureStarted, context: BridgeContext) -> Outcome:
    message = command.message
    run = await run_of(command.observatory_id, message.assignment_id)
    if run.observation.state == S.ASSIGNED:
        await move(
            run,
            S.IN_PROGRESS,
            actor=_actor(command),
            reason=f"exposure {message.sequence} started",
            message_id=message.id,
            bus=context.bus,
        )
    await _live(
        command,
        context,
        "progress",
        {
            "current_assignment_id": run.record.id,
            "current_observation_id": run.observation.id,
            "progress": RunProgress(
                phase="exposing", target_index=message.target_index, message=message.filter
            ).model_dump(),
        },
    )
    return Applied()


async def exposure_finished(command: c.RecordExposureFinished, context: BridgeContext) -> Outcome:
    message = command.message
    run = await run_of(command.observatory_id, message.assignment_id)
    if message.outcome != "captured":
        return Applied()
    await _live(command, context, "progress", {}, captured_sequences=message.sequence)
    ticket = context.compose(
        m.UploadTicket,
        context.now(),
        correlation_id=message.id,
        assignment_id=str(run.record.id),
        observation_id=str(run.observation.id),
        sequence=message.sequence,
        url=(
            f"{context.upload_url}?observation={run.observation.id}"
            f"&assignment={run.record.id}&sequence={message.sequence}"
        ),
        max_bytes=context.max_upload_bytes,
        sha256=message.sha256,
    )
    return Applied({}, (ticket,))


async def frame_uploaded(command: c.RecordFrameUploaded, context: BridgeContext) -> Outcome:
    message = command.message
    run = await run_of(command.observatory_id, message.assignment_id, active=False)
    frame = (
        await Frame.get(PydanticObjectId(message.frame_id))
        if PydanticObjectId.is_valid(message.frame_id)
        else None
    )
    if frame is None or frame.assignment_id != run.record.id or frame.sequence != message.sequence:
        text = f"no frame {message.frame_id} of sequence {message.sequence} in this assignment"
        return Rejected(E.NOT_FOUND, text)
    await _complete_if_uploaded(run, command, context)
    return Applied({"frame_id": message.frame_id})


async def progress(command: c.ReportProgress, context: BridgeContext) -> Outcome:
    """Kept on the live status; one conditional write when it is the run the observatory
    holds (the common case, at up to one report per observatory every 10 s)."""
    message = command.message
    report = RunProgress(
        phase=message.phase.value,
        target_index=message.target_index,
        frames_captured=message.frames_captured,
        percent=message.percent,
        time_remaining_s=message.time_remaining_s,
        message=message.message,
    )
    if PydanticObjectId.is_valid(message.assignment_id):
        held = await record_progress(
            PydanticObjectId(command.observatory_id),
            PydanticObjectId(message.assignment_id),
            report,
            context.now(),
        )
        if held is not None:
            await publish_live_status(context.bus, held, "progress")
            return Applied()
    run = await run_of(command.observatory_id, message.assignment_id)
    await _live(
        command,
        context,
        "progress",
        {
            "current_assignment_id": run.record.id,
            "current_observation_id": run.observation.id,
            "progress": report.model_dump(),
            "last_seen": context.now(),
        },
    )
    return Applied()


async def complete(command: c.CompleteAssignment, context: BridgeContext) -> Outcome:
    message = command.message
    run = await run_of(command.observatory_id, message.assignment_id)
    observation = await move(
        run,
        S.ACQUISITION_COMPLETE,
        actor=_actor(command),
        reason="every planned frame captured",
        message_id=message.id,
        bus=context.bus,
    )
    await _live(
        command, context, "progress", {}, captured_sequences={"$each": message.frames_captured}
    )
    state = await _complete_if_uploaded(Run(run.record, observation), command, context)
    return Applied(_state(state))


async def _complete_if_uploaded(
    run: Run, command: c.Command[Any], context: BridgeContext
) -> ObservationState:
    """acquisition_complete -> completed once every captured frame of the run is uploaded
    (the rule the upload endpoint applies too)."""
    observation = await complete_if_uploaded(
        run.record, run.observation, actor=_actor(command), bus=context.bus
    )
    return observation.state


async def interrupted(command: c.InterruptAssignment, context: BridgeContext) -> Outcome:
    message = command.message
    run = await run_of(command.observatory_id, message.assignment_id, active=False)
    if not run.active:  # after an abort for a cancel, say: nothing regresses
        await _clear_current(command, context)
        return Applied(_state(run.observation.state))
    reason = m.InterruptReason(message.reason)
    text = f"interrupted by the observatory ({reason.value}) {message.message}".strip()
    if reason in (m.InterruptReason.WEATHER, m.InterruptReason.SAFETY):
        target = S.SUSPENDED
    elif reason is m.InterruptReason.USER:
        target = S.PAUSED
    else:
        counted = accepted(run.observation) + len(set(message.frames_captured))
        enough = counted >= PARTIAL_FRACTION * planned(run.observation)
        ended = reason is m.InterruptReason.TIME_LIMIT
        target = S.PARTIALLY_COMPLETED if ended and enough else S.PENDING
    if run.observation.state == S.ASSIGNED and target in (S.SUSPENDED, S.PAUSED):
        target = S.PENDING
    observation = await move(
        run, target, actor=_actor(command), reason=text, message_id=message.id, bus=context.bus
    )
    if target not in (S.SUSPENDED, S.PAUSED):
        await _clear_current(command, context)
    return Applied(_state(observation.state))


async def resumed(command: c.ResumeAssignment, context: BridgeContext) -> Outcome:
    message = command.message
    run = await run_of(command.observatory_id, message.assignment_id)
    observation = await move(
        run,
        S.IN_PROGRESS,
        actor=_actor(command),
        reason="resumed by the observatory",
        message_id=message.id,
        bus=context.bus,
    )
    return Applied(_state(observation.state))


async def failed(command: c.FailAssignment, context: BridgeContext) -> Outcome:
    message = command.message
    run = await run_of(command.observatory_id, message.assignment_id)
    observation = await move(
        run,
        S.FAILED,
        actor=_actor(command),
        reason=f"failed at the observatory: {message.error} {message.message}".strip(),
        message_id=message.id,
        bus=context.bus,
    )
    await _clear_current(command, context)
    return Applied(_state(observation.state))


async def _clear_current(command: c.Command[Any], context: BridgeContext) -> None:
    await _live(
        command,
        context,
        "assignment",
        {"current_assignment_id": None, "current_observation_id": None, "progress": None},
    )
