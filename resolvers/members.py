"""Thin resolvers for accounts made by administrators and for memberships."""

from __future__ import annotations

from domain.access import membership
from domain.accounts import admin
from domain.errors import DomainError
from schema.accounts import User
from schema.context import Info
from schema.errors import error_result
from schema.members import (
    CreateUserInput,
    CreateUserPayload,
    SetObservatoryMemberInput,
    SetObservatoryMemberPayload,
    SetOrganizationMemberInput,
    SetOrganizationMemberPayload,
    SetProjectMemberInput,
    SetProjectMemberPayload,
)
from schema.observatories import Observatory
from schema.organizations import Organization
from schema.projects import Project


async def create_user(info: Info, input: CreateUserInput) -> CreateUserPayload:
    actor = await info.context.require_viewer()
    try:
        user = await admin.create_user(
            actor,
            email=input.email,
            password=input.password,
            full_name=input.full_name,
            is_site_admin=input.is_site_admin,
        )
    except DomainError as error:
        return error_result(error)
    return User.from_document(user)


async def set_organization_member(
    info: Info, input: SetOrganizationMemberInput
) -> SetOrganizationMemberPayload:
    actor = await info.context.require_actor()
    try:
        organization = await membership.set_organization_member(
            actor, str(input.organization_id), str(input.user_id), set(input.permissions)
        )
    except DomainError as error:
        return error_result(error)
    return Organization.from_document(organization)


async def set_project_member(info: Info, input: SetProjectMemberInput) -> SetProjectMemberPayload:
    actor = await info.context.require_actor()
    try:
        project = await membership.set_project_member(
            actor, str(input.project_id), str(input.user_id), set(input.permissions)
        )
    except DomainError as error:
        return error_result(error)
    return Project.from_document(project)


async def set_observatory_member(
    info: Info, input: SetObservatoryMemberInput
) -> SetObservatoryMemberPayload:
    actor = await info.context.require_actor()
    try:
        observatory = await membership.set_observatory_member(
            actor, str(input.observatory_id), str(input.user_id), set(input.permissions)
        )
    except DomainError as error:
        return error_result(error)
    return Observatory.from_document(observatory)
