"""Expected failures of domain operations; the API turns each into a typed error."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FieldProblem:
    path: tuple[str, ...]
    message: str


class DomainError(Exception):
    """Base of the failures a client can act on."""


@dataclass
class ValidationFailed(DomainError):
    problems: list[FieldProblem] = field(default_factory=list)

    def __str__(self) -> str:
        return "; ".join(f"{'.'.join(p.path)}: {p.message}" for p in self.problems)


@dataclass
class Conflict(DomainError):
    message: str


@dataclass
class Forbidden(DomainError):
    message: str = "you are not allowed to do this"


@dataclass
class NotFound(DomainError):
    what: str
    id: str
