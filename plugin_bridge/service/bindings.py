"""`apply`: run the domain service for one core command and report its outcome.

Each binding calls the same domain function the matching GraphQL mutation uses (lifecycle
`change_state`, dispatch `next_work`, `report_safety`, the registration and key services).
Expected refusals become `Rejected` with the protocol's error code; anything unexpected is
logged and answered `internal_error` (retryable: nothing was remembered).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from beanie import PydanticObjectId

from domain.errors import Conflict, DomainError, NotFound
from domain.observatories.live_status import publish_live_status, update_live_status
from domain.observatories.plugin_keys import promote_pending_key
from domain.observatories.registration import ObservatoryRegistration, key_delivered
from plugin_bridge import messages as m
from plugin_bridge.core import commands as c
from plugin_bridge.core.effects import Applied, Outcome, Rejected
from plugin_bridge.service import reconcile, reports, status, work
from plugin_bridge.service.context import BridgeContext
from plugin_bridge.service.runs import RunRefused, run_of

log = logging.getLogger(__name__)

Binding = Callable[[Any, BridgeContext], Awaitable[Outcome]]

BINDINGS: dict[type[c.AppliedCommand], Binding] = {
    c.Reconcile: reconcile.reconcile_report,
    c.RecordStatus: status.record_status,
    c.RequestWork: work.request_work,
    c.AcceptAssignment: reports.accept,
    c.RejectAssignment: reports.reject,
    c.RecordExposureStarted: reports.exposure_started,
    c.RecordExposureFinished: reports.exposure_finished,
    c.RecordFrameUploaded: reports.frame_uploaded,
    c.ReportProgress: reports.progress,
    c.CompleteAssignment: reports.complete,
    c.InterruptAssignment: reports.interrupted,
    c.ResumeAssignment: reports.resumed,
    c.FailAssignment: reports.failed,
    c.QueryCalibrationNeeds: status.calibration_needs,
    c.CompleteCalibration: status.calibration_report,
    c.RefuseCalibration: status.calibration_report,
    c.ForwardLogs: status.forward_logs,
}


async def apply(command: c.AppliedCommand, context: BridgeContext) -> Outcome:
    """The outcome of one acked plugin message."""
    try:
        outcome = await BINDINGS[type(command)](command, context)
    except RunRefused as refused:
        return refused.rejected
    except NotFound as error:
        return Rejected(m.ErrorCode.NOT_FOUND, f"no {error.what} {error.id}")
    except Conflict as error:
        return Rejected(m.ErrorCode.INVALID_TRANSITION, error.message)
    except DomainError as error:
        return Rejected(m.ErrorCode.INVALID_VALUE, str(error))
    except Exception:
        log.exception("applying %s failed", type(command).__name__)
        return Rejected(m.ErrorCode.INTERNAL_ERROR, "the server failed; resend later", True)
    if (
        isinstance(command, c.RequestWork)
        and isinstance(outcome, Applied)
        and "assignment_id" in outcome.result
    ):
        await _hold(command.observatory_id, str(outcome.result["assignment_id"]), context)
    return outcome


async def _hold(observatory_id: str, assignment_id: str, context: BridgeContext) -> None:
    """The observatory holds this assignment now (the heartbeat sweep finds it by this)."""
    observatory = await work.observatory_of(observatory_id)
    record = PydanticObjectId(assignment_id)
    found = await run_of(observatory_id, assignment_id, active=False)
    state = await update_live_status(
        observatory,
        {"current_assignment_id": record, "current_observation_id": found.observation.id},
    )
    await publish_live_status(context.bus, state, "assignment", "assigned")


async def command_acknowledged(command: c.CommandAcknowledged) -> None:
    """The plugin stored a server command: a delivered key becomes the only valid one."""
    pushed = command.command
    if isinstance(pushed, m.ApiKeyIssued):
        observatory = await work.observatory_of(command.observatory_id)
        if pushed.reason == "rotation":
            await promote_pending_key(observatory)
        else:
            registration = await ObservatoryRegistration.find_one(
                ObservatoryRegistration.observatory_id == observatory.id
            )
            if registration is not None and registration.id is not None:
                await key_delivered(registration.id)
