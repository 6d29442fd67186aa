"""Global ids: every `ID` the API shows names its type, so `node(id:)` can fetch it.

An id is the URL-safe base64 (unpadded) of `TypeName:databaseId`. Clients treat it as opaque.
The `ID` scalar decodes every id a client sends back into the database id (a `DecodedId`,
which remembers the type it named), so resolvers and the domain keep working with database ids;
an id this API never issued is refused as an invalid `ID` value before any resolver runs.
Serializing checks that a value is encoded, so a database id can never leak out unencoded.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from typing import Any

import strawberry
from graphql import GraphQLError, GraphQLNamedType, GraphQLScalarType, StringValueNode, ValueNode
from strawberry.types.scalar import ScalarDefinition

_TYPE_NAME = re.compile(r"[A-Z][A-Za-z]*")


class InvalidGlobalId(ValueError):
    pass


class DecodedId(str):
    """A database id read from a global id; `type_name` is the type the client's id named."""

    type_name: str

    def __new__(cls, raw_id: str, type_name: str) -> DecodedId:
        decoded = super().__new__(cls, raw_id)
        decoded.type_name = type_name
        return decoded


class _Encoded(str):
    """A global id made by `global_id`: serializing one needs no second look."""

    __slots__ = ()


def global_id(type_name: str, raw_id: object) -> strawberry.ID:
    text = f"{type_name}:{raw_id}".encode()
    return strawberry.ID(_Encoded(base64.urlsafe_b64encode(text).rstrip(b"=").decode()))


def optional_global_id(type_name: str, raw_id: object | None) -> strawberry.ID | None:
    return None if raw_id is None else global_id(type_name, raw_id)


def decode_global_id(value: str) -> DecodedId:
    if isinstance(value, DecodedId):
        return value
    try:
        padded = value + "=" * (-len(value) % 4)
        text = base64.urlsafe_b64decode(padded.encode("ascii")).decode("utf-8")
    except (UnicodeError, binascii.Error, ValueError):
        raise InvalidGlobalId(_not_ours(value)) from None
    type_name, separator, raw_id = text.partition(":")
    if not separator or not raw_id or not _TYPE_NAME.fullmatch(type_name):
        raise InvalidGlobalId(_not_ours(value))
    return DecodedId(raw_id, type_name)


def _not_ours(value: str) -> str:
    shown = value if len(value) <= 40 else value[:40] + "..."
    return f"{shown!r} is not an ID issued by this API"


def raw_id(value: str) -> str:
    """The database id inside a global id (or of an id already decoded from an argument)."""
    return str(decode_global_id(value))


_ACTOR_TYPES = {"user": "User", "observatory": "Observatory"}


def public_actor(actor: str) -> str:
    """`user:<database id>` as `user:<global User id>` (likewise observatories); else as is."""
    kind, separator, raw = actor.partition(":")
    type_name = _ACTOR_TYPES.get(kind)
    return f"{kind}:{global_id(type_name, raw)}" if separator and type_name else actor


def _serialize(value: Any) -> str:
    if type(value) is _Encoded:
        return value
    if not isinstance(value, str) or isinstance(value, DecodedId):
        raise InvalidGlobalId(f"an ID field was given a database id: {value!r}")
    decode_global_id(value)
    return value


def _parse_value(value: Any) -> DecodedId:
    # GraphQLError, so that the client sees why (other exceptions are masked as unexpected).
    if not isinstance(value, str):
        raise GraphQLError("an id is a string issued by this API")
    try:
        return decode_global_id(value)
    except InvalidGlobalId as error:
        raise GraphQLError(str(error)) from None


def _parse_literal(node: ValueNode, _variables: Any = None) -> DecodedId:
    if not isinstance(node, StringValueNode):
        raise GraphQLError("an id is a string issued by this API")
    return _parse_value(node.value)


class _GlobalIdType(GraphQLScalarType):
    # graphql-core refuses to define a type named like a built-in scalar (an accident guard);
    # this one deliberately takes the place of `ID`, which the schema then never references.
    reserved_types: Mapping[str, GraphQLNamedType] = {}


_DESCRIPTION = "An opaque global id; `node(id:)` fetches the object it names."

GLOBAL_ID_SCALAR = ScalarDefinition(
    name="ID",
    description=_DESCRIPTION,
    specified_by_url=None,
    serialize=_serialize,
    parse_value=_parse_value,
    parse_literal=_parse_literal,
    implementation=_GlobalIdType(
        name="ID",
        description=_DESCRIPTION,
        serialize=_serialize,
        parse_value=_parse_value,
        parse_literal=_parse_literal,
    ),
)
"""Replaces strawberry's `ID` through `StrawberryConfig.scalar_map` (see `build_schema`)."""
