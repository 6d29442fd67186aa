"""Saving an observation's plan as a template and creating observations from templates."""

from __future__ import annotations

from domain.access.permissions import ProjectPermission
from domain.accounts.user import User
from domain.audit import record_audit, snapshot
from domain.errors import FieldProblem, NotFound, ValidationFailed
from domain.events import EventBus
from domain.observations.observation import ExposureSet, Observation
from domain.observations.request import ObservationRequest, TargetRequest
from domain.observations.service import create_observation, observation_for
from domain.projects.access import object_id, project_for
from domain.templates.template import ObservationTemplate


async def save_template(actor: User, observation_id: str, name: str) -> ObservationTemplate:
    """Keep an observation's plan (targets, exposures, constraints...) under a name."""
    source = await observation_for(actor, observation_id)
    await project_for(actor, str(source.project_id), ProjectPermission.USE)
    if not 1 <= len(name.strip()) <= 200:
        raise ValidationFailed([FieldProblem(("name",), "must be 1 to 200 characters")])
    assert actor.id is not None
    template = ObservationTemplate(
        organization_id=source.organization_id,
        project_id=source.project_id,
        name=name.strip(),
        created_by=actor.id,
        type=source.type,
        priority=source.priority,
        targets=[target.without_progress() for target in source.targets],
        constraints=source.constraints,
        thresholds=source.thresholds,
        type_settings=source.type_settings,
        eligible_observatory_ids=source.eligible_observatory_ids,
        notes=source.notes,
    )
    await template.insert()
    await record_audit(
        actor,
        "observation_template",
        str(template.id),
        "create",
        after=snapshot(template),
    )
    return template


async def templates_of_project(actor: User, project_id: str) -> list[ObservationTemplate]:
    project = await project_for(actor, project_id, ProjectPermission.VIEW)
    return (
        await ObservationTemplate.find(ObservationTemplate.project_id == project.id)
        .sort("name")
        .to_list()
    )


async def observe_from_template(
    actor: User, template_id: str, name: str | None, submit: bool, bus: EventBus
) -> Observation:
    """A new observation with the template's plan, validated and permitted like any other."""
    template = await ObservationTemplate.get(object_id(template_id, "template"))
    if template is None:
        raise NotFound("template", template_id)
    await project_for(actor, str(template.project_id), ProjectPermission.VIEW)
    request = ObservationRequest(
        project_id=str(template.project_id),
        name=name or template.name,
        targets=[
            TargetRequest(
                name=target.name,
                ra=repr(target.ra_deg),
                dec=repr(target.dec_deg),
                rotation_deg=target.rotation_deg,
                exposures=[
                    ExposureSet(**e.model_dump(exclude={"accepted"})) for e in target.exposures
                ],
            )
            for target in template.targets
        ],
        type=template.type,
        priority=template.priority,
        constraints=template.constraints,
        thresholds=template.thresholds,
        type_settings=template.type_settings,
        eligible_observatory_ids=[str(i) for i in template.eligible_observatory_ids],
        notes=template.notes,
        submit=submit,
    )
    return await create_observation(actor, request, bus)
