"""Loading a project for someone who needs a given project permission."""

from __future__ import annotations

from beanie import PydanticObjectId

from domain.access.permissions import ProjectPermission
from domain.access.resolve import project_permissions
from domain.accounts.user import User
from domain.errors import Forbidden, NotFound
from domain.organizations.organization import Organization
from domain.projects.project import Project


def object_id(value: str, what: str) -> PydanticObjectId:
    """The ObjectId in `value`, or NotFound (an id that cannot exist names nothing)."""
    if not PydanticObjectId.is_valid(value):
        raise NotFound(what, value)
    return PydanticObjectId(value)


async def project_for(user: User, project_id: str, needed: ProjectPermission) -> Project:
    """The project if `user` holds `needed` on it; NotFound when it is invisible to them."""
    project = await Project.get(object_id(project_id, "project"))
    if project is None:
        raise NotFound("project", project_id)
    organization = await Organization.get(project.organization_id)
    granted = project_permissions(user, project, organization)
    if ProjectPermission.VIEW not in granted:
        raise NotFound("project", project_id)
    if needed not in granted:
        raise Forbidden(f"you need the {needed.value} permission on project {project.code}")
    return project
