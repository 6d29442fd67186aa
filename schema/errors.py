"""Typed errors that mutation payload unions carry, built from the domain's failures."""

from __future__ import annotations

import strawberry

from domain import errors


@strawberry.type(description="One rejected input field: where it is and what is wrong.")
class FieldError:
    path: list[str]
    message: str


@strawberry.type(description="The input broke one or more rules; nothing was changed.")
class ValidationError:
    message: str
    fields: list[FieldError]

    @classmethod
    def from_domain(cls, failure: errors.ValidationFailed) -> ValidationError:
        return cls(
            message="the input is invalid",
            fields=[FieldError(path=list(p.path), message=p.message) for p in failure.problems],
        )


@strawberry.type(description="The operation conflicts with existing data; nothing was changed.")
class Conflict:
    message: str


@strawberry.type(description="You may not do this; nothing was changed.")
class Forbidden:
    message: str


@strawberry.type(description="No such thing, or not visible to you.")
class NotFound:
    message: str
