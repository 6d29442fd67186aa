"""Turning a requested target (a name, or typed coordinates) into ICRS degrees."""

from __future__ import annotations

from beanie import PydanticObjectId

from domain.errors import FieldProblem
from domain.observations.observation import Target
from domain.observations.request import TargetRequest
from domain.targets.catalogue import TargetNotFound
from domain.targets.coordinates import CoordinateParseError, parse_dec, parse_ra
from domain.targets.library import resolve_target_name


async def resolve_target_request(
    organization_id: PydanticObjectId, request: TargetRequest, path: tuple[str, ...]
) -> Target | list[FieldProblem]:
    """Coordinates when both are given, else the name through the library and the catalogue."""
    name = request.name.strip()
    if request.ra is not None or request.dec is not None:
        problems: list[FieldProblem] = []
        if request.ra is None or request.dec is None:
            missing = "ra" if request.ra is None else "dec"
            return [FieldProblem((*path, missing), "give both ra and dec, or neither")]
        try:
            ra_deg = parse_ra(request.ra)
        except CoordinateParseError as error:
            problems.append(FieldProblem((*path, "ra"), error.message))
        try:
            dec_deg = parse_dec(request.dec)
        except CoordinateParseError as error:
            problems.append(FieldProblem((*path, "dec"), error.message))
        if problems:
            return problems
        if not name:
            return [FieldProblem((*path, "name"), "name the target")]
        return Target(
            name=name,
            ra_deg=ra_deg,
            dec_deg=dec_deg,
            rotation_deg=request.rotation_deg,
            resolved_by="coordinates",
            exposures=request.exposures,
        )
    try:
        resolved = await resolve_target_name(organization_id, name)
    except TargetNotFound as error:
        hint = f"; did you mean {', '.join(error.suggestions)}?" if error.suggestions else ""
        return [
            FieldProblem(
                (*path, "name"),
                f"no target called {name!r} in your library or the Messier/NGC/IC catalogues"
                f" (give ra and dec instead){hint}",
            )
        ]
    return Target(
        name=name,
        ra_deg=resolved.ra_deg,
        dec_deg=resolved.dec_deg,
        rotation_deg=request.rotation_deg,
        resolved_by=resolved.source,
        exposures=request.exposures,
    )
