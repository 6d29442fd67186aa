"""Typed errors that mutation payload unions carry, built from the domain's failures."""

from __future__ import annotations

import strawberry
from graphql import GraphQLError
from strawberry.utils.str_converters import to_camel_case

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
            fields=[
                FieldError(path=[to_camel_case(part) for part in p.path], message=p.message)
                for p in failure.problems
            ],
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


ErrorResult = ValidationError | Conflict | Forbidden | NotFound


def error_result(error: errors.DomainError) -> ErrorResult:
    """The typed GraphQL error for an expected domain failure."""
    match error:
        case errors.ValidationFailed():
            return ValidationError.from_domain(error)
        case errors.Conflict():
            return Conflict(message=error.message)
        case errors.Forbidden():
            return Forbidden(message=error.message)
        case errors.NotFound():
            return NotFound(message=f"no {error.what} {error.id!r} visible to you")
    raise TypeError(f"unmapped domain error {type(error).__name__}")


def query_error(error: errors.DomainError) -> GraphQLError:
    """An expected failure of a query (not a mutation) as a top-level error with a code."""
    code = {
        errors.NotFound: "NOT_FOUND",
        errors.Forbidden: "FORBIDDEN",
        errors.ValidationFailed: "BAD_INPUT",
    }.get(type(error), "CONFLICT")
    return GraphQLError(str(error_result(error).message), extensions={"code": code})
