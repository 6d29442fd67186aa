"""Maintenance mode of an observatory: the mutation's input and payload."""

from __future__ import annotations

from typing import Annotated

import strawberry

from schema.errors import Conflict, Forbidden, NotFound, ValidationError
from schema.observatories import Observatory


@strawberry.input
class SetObservatoryMaintenanceInput:
    observatory_id: strawberry.ID
    enabled: bool
    reason: str = strawberry.field(
        default="", description="Required to switch maintenance on; at most 500 characters."
    )


SetObservatoryMaintenancePayload = Annotated[
    Observatory | ValidationError | Conflict | Forbidden | NotFound,
    strawberry.union("SetObservatoryMaintenancePayload"),
]
