"""Creating and finding projects."""

from __future__ import annotations

import re

from pymongo.errors import DuplicateKeyError

from domain.accounts.user import User
from domain.audit import record_audit, snapshot
from domain.errors import Conflict, FieldProblem, ValidationFailed
from domain.organizations.access import organization_for
from domain.organizations.organization import OrganizationPermission
from domain.projects.project import Project, ProjectType

_CODE = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,39}$")


def _validate(name: str, code: str, description: str, default_priority: int) -> list[FieldProblem]:
    problems = []
    if not 2 <= len(name.strip()) <= 100:
        problems.append(FieldProblem(("name",), "must be 2 to 100 characters"))
    if not _CODE.match(code):
        problems.append(
            FieldProblem(("code",), "must be 2 to 40 uppercase letters, digits or hyphens")
        )
    if len(description) > 1000:
        problems.append(FieldProblem(("description",), "must be at most 1000 characters"))
    if not 1 <= default_priority <= 10:
        problems.append(FieldProblem(("default_priority",), "must be from 1 to 10"))
    return problems


async def create_project(
    actor: User,
    *,
    organization_id: str,
    name: str,
    code: str,
    description: str = "",
    type: ProjectType = ProjectType.RESEARCH,
    default_priority: int = 5,
) -> Project:
    """Create a project in an organization; the creator owns it."""
    organization = await organization_for(
        actor, organization_id, OrganizationPermission.MANAGE_PROJECTS
    )
    problems = _validate(name, code, description, default_priority)
    if problems:
        raise ValidationFailed(problems)
    assert organization.id is not None
    assert actor.id is not None
    project = Project(
        organization_id=organization.id,
        name=name.strip(),
        code=code,
        description=description,
        type=type,
        owner_id=actor.id,
        default_priority=default_priority,
    )
    try:
        await project.insert()
    except DuplicateKeyError:
        raise Conflict(f"a project with code {code!r} exists") from None
    await record_audit(actor, "project", str(project.id), "create", after=snapshot(project))
    return project
