"""The projects of an organization that a person may see."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from beanie import PydanticObjectId

from domain.access.permissions import ProjectPermission
from domain.access.resolve import project_permissions
from domain.accounts.user import User
from domain.organizations.organization import Organization
from domain.projects.project import Project


async def projects_of_organization(user: User, organization_id: str) -> list[Project]:
    """Projects of the organization on which `user` holds VIEW, by name; empty if none.

    An unknown organization, or one `user` cannot reach, has no visible projects (a direct
    project member who is not in the organization still sees that project).
    """
    if not PydanticObjectId.is_valid(organization_id):
        return []
    wanted = PydanticObjectId(organization_id)
    organization = await Organization.get(wanted)
    if organization is None:
        return []
    found = await Project.find(Project.organization_id == wanted).sort("name").to_list()
    return visible_projects(user, found, organization)


def visible_projects(
    user: User, projects: list[Project], organization: Organization | None
) -> list[Project]:
    """Those of `projects` (all of one organization) on which `user` holds VIEW."""
    return [
        project
        for project in projects
        if ProjectPermission.VIEW in project_permissions(user, project, organization)
    ]


async def projects_by_organization(
    organization_ids: Sequence[PydanticObjectId],
) -> dict[PydanticObjectId, list[Project]]:
    """Every project of each organization, by name, in one query."""
    found = (
        await Project.find({"organization_id": {"$in": list(set(organization_ids))}})
        .sort("name")
        .to_list()
    )
    grouped: dict[PydanticObjectId, list[Project]] = defaultdict(list)
    for project in found:
        grouped[project.organization_id].append(project)
    return grouped
