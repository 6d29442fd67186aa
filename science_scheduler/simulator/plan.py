"""The exposures an assignment asks for, in order (pure)."""

from __future__ import annotations

from dataclasses import dataclass

from plugin_bridge import messages as m


@dataclass(frozen=True)
class Slot:
    """One frame to capture: target `target_index`, exposure set `exposure_index`."""

    target_index: int
    exposure_index: int
    target: m.AssignedTarget
    exposure: m.PlannedExposure


def slots(assignment: m.Assignment) -> list[Slot]:
    """Every frame still to capture: per target and set, `count - accepted` of them."""
    planned: list[Slot] = []
    for target_index, target in enumerate(assignment.targets):
        for exposure_index, exposure in enumerate(target.exposures):
            remaining = max(exposure.count - exposure.accepted, 0)
            planned += [Slot(target_index, exposure_index, target, exposure)] * remaining
    return planned


def filters(assignment: m.Assignment) -> set[str]:
    return {exposure.filter for target in assignment.targets for exposure in target.exposures}
