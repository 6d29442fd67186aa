"""`updateObservatory` and `resetObservatoryFingerprint`: inputs and payloads."""

from __future__ import annotations

from typing import Annotated

import strawberry

from schema.errors import Conflict, Forbidden, NotFound, ValidationError
from schema.observatories import EquipmentInput, HorizonPointInput, LocationInput, Observatory


@strawberry.input(description="What to replace; what is left out stays as it is.")
class UpdateObservatoryInput:
    id: strawberry.ID
    location: LocationInput | None = None
    horizon: list[HorizonPointInput] | None = strawberry.field(
        default=None, description="The whole mask (sorted by azimuth); [] removes it."
    )
    equipment: EquipmentInput | None = strawberry.field(
        default=None, description="The whole equipment; pixel scale and field are derived."
    )


@strawberry.input
class ResetObservatoryFingerprintInput:
    observatory_id: strawberry.ID


UpdateObservatoryPayload = Annotated[
    Observatory | ValidationError | Conflict | Forbidden | NotFound,
    strawberry.union("UpdateObservatoryPayload"),
]
ResetObservatoryFingerprintPayload = Annotated[
    Observatory | Forbidden | NotFound,
    strawberry.union("ResetObservatoryFingerprintPayload"),
]
