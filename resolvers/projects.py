"""Thin resolvers for projects."""

from __future__ import annotations

from domain.errors import DomainError
from domain.projects import service
from schema.context import Info
from schema.errors import error_result
from schema.projects import CreateProjectInput, CreateProjectPayload, Project


async def create_project(info: Info, input: CreateProjectInput) -> CreateProjectPayload:
    actor = await info.context.require_actor()
    try:
        project = await service.create_project(
            actor,
            organization_id=str(input.organization_id),
            name=input.name,
            code=input.code,
            description=input.description,
            type=input.type,
            default_priority=input.default_priority,
        )
    except DomainError as error:
        return error_result(error)
    return Project.from_document(project)
