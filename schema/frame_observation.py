"""`Frame.observation`, batched through the request's DataLoaders."""

from __future__ import annotations

from beanie import PydanticObjectId

from domain.access.permissions import ProjectPermission
from domain.access.resolve import project_permissions
from schema.context import Info
from schema.global_ids import raw_id
from schema.observations import Observation


async def frame_observation(info: Info, observation_id: str | None) -> Observation | None:
    """The observation (by its global id) if the viewer may see its project; null otherwise."""
    if observation_id is None:
        return None
    viewer = await info.context.require_actor()
    loaders = info.context.loaders
    observation = await loaders.observation_by_id.load(PydanticObjectId(raw_id(observation_id)))
    if observation is None:
        return None
    project = await loaders.project_by_id.load(observation.project_id)
    if project is None:
        return None
    organization = await loaders.organization_by_id.load(project.organization_id)
    if ProjectPermission.VIEW not in project_permissions(viewer, project, organization):
        return None
    return Observation.from_document(observation)
