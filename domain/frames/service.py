"""Finding frames for a person, reprocessing them and overriding their grade."""

from __future__ import annotations

from beanie import PydanticObjectId

from domain.access.permissions import ProjectPermission
from domain.accounts.user import User
from domain.audit import record_audit
from domain.errors import Conflict, FieldProblem, Forbidden, NotFound, ValidationFailed
from domain.events import EventBus
from domain.frames.counting import matching_exposure_set, settle_count
from domain.frames.frame import Frame, FrameState, Step, StoredGrade
from domain.frames.processing import publish_frame_event, restart
from domain.frames.queue import StepQueue
from domain.observations.observation import Observation
from domain.organizations.access import organization_for
from domain.organizations.organization import OrganizationPermission
from domain.projects.access import object_id, project_for

_MAX_REASON = 500


async def _check(user: User, frame: Frame, needed: ProjectPermission) -> None:
    """Project permission for frames of an observation; organization membership otherwise."""
    if frame.project_id is not None:
        await project_for(user, str(frame.project_id), needed)
        return
    manage = None if needed is ProjectPermission.VIEW else OrganizationPermission.MANAGE_PROJECTS
    await organization_for(user, str(frame.organization_id), manage)


async def frame_for(user: User, frame_id: str, needed: ProjectPermission) -> Frame:
    """The frame if `user` holds `needed` on it; NotFound when it is invisible to them."""
    frame = await Frame.get(object_id(frame_id, "frame"))
    if frame is None:
        raise NotFound("frame", frame_id)
    try:
        await _check(user, frame, ProjectPermission.VIEW)
    except NotFound:
        raise NotFound("frame", frame_id) from None
    if needed is not ProjectPermission.VIEW:
        await _check(user, frame, needed)
    return frame


async def may_see(user: User, frame: Frame) -> bool:
    try:
        await _check(user, frame, ProjectPermission.VIEW)
    except (NotFound, Forbidden):
        return False
    return True


async def observation_frames_query(user: User, observation_id: str) -> dict[str, object]:
    """The filter of an observation's frames (NotFound when the observation is invisible)."""
    observation = await Observation.get(object_id(observation_id, "observation"))
    if observation is None:
        raise NotFound("observation", observation_id)
    try:
        await project_for(user, str(observation.project_id), ProjectPermission.VIEW)
    except (NotFound, Forbidden):
        raise NotFound("observation", observation_id) from None
    return {"observation_id": observation.id}


async def reprocess_frame(user: User, frame_id: str, queue: StepQueue, bus: EventBus) -> Frame:
    """Run the whole pipeline again (USE on the frame's project)."""
    frame = await frame_for(user, frame_id, ProjectPermission.USE)
    if frame.state is FrameState.PROCESSING:
        raise Conflict("the frame is still being processed; reprocess it when it has finished")
    restarted = await restart(frame, bus)
    await queue.enqueue(restarted, Step.INGEST)
    await record_audit(
        user,
        "frame",
        frame_id,
        "reprocess",
        before={"state": frame.state.value, "generation": frame.generation},
        after={"state": restarted.state.value, "generation": restarted.generation},
        organization_id=str(frame.organization_id),
    )
    return restarted


async def override_grade(
    user: User, frame_id: str, accepted: bool, reason: str, bus: EventBus
) -> Frame:
    """Accept or reject a graded frame by hand (EDIT); the exposure counts follow."""
    frame = await frame_for(user, frame_id, ProjectPermission.EDIT)
    if not reason.strip() or len(reason) > _MAX_REASON:
        raise ValidationFailed(
            [FieldProblem(("reason",), f"give a reason of 1 to {_MAX_REASON} characters")]
        )
    if frame.grade is None or frame.observation_id is None:
        raise Conflict("only a graded frame of an observation can have its grade overridden")
    observation = await Observation.get(frame.observation_id)
    if observation is None:
        raise NotFound("observation", str(frame.observation_id))
    ref = frame.grade.exposure_set or matching_exposure_set(observation, frame)
    await settle_count(frame, frame.grade.exposure_set, ref if accepted else None)
    before = frame.grade.model_dump()
    grade = StoredGrade(
        accepted=accepted,
        reasons=frame.grade.reasons,
        overridden_by=f"user:{user.id}",
        override_reason=reason.strip(),
        exposure_set=ref,
    )
    await Frame.get_pymongo_collection().update_one(
        {"_id": frame.id}, {"$set": {"grade": grade.model_dump()}}
    )
    frame.grade = grade
    await record_audit(
        user,
        "frame",
        frame_id,
        "override_grade",
        before=before,
        after=grade.model_dump(),
    )
    await publish_frame_event(bus, frame, "grade_overridden", step=None)
    return frame


def frame_id_of(value: str) -> PydanticObjectId:
    return object_id(value, "frame")
