"""An organization's Target Library: named positions its members reuse, searched by name.

Names are unique per organization regardless of case and spacing (``NGC 7000 Mosaic`` and
``ngc  7000 mosaic`` are the same name). Permission checks belong to the callers.
"""

from __future__ import annotations

import asyncio
import math
import re
from collections.abc import Iterable
from datetime import datetime

from beanie import Document, PydanticObjectId
from pydantic import Field
from pymongo import ASCENDING, IndexModel
from pymongo.errors import DuplicateKeyError

from domain.accounts.user import utcnow
from domain.errors import Conflict, FieldProblem, NotFound, ValidationFailed
from domain.targets.catalogue import ResolvedTarget, resolve_catalogue_name

LIBRARY_SOURCE = "library"
LIBRARY_OBJECT_TYPE = "custom"
MAX_NAME_LENGTH = 200
MAX_NOTES_LENGTH = 10_000
MAX_TAGS = 20
MAX_TAG_LENGTH = 50
MAX_SEARCH_LIMIT = 100


class LibraryTarget(Document):
    organization_id: PydanticObjectId
    name: str
    name_key: str
    ra_deg: float
    dec_deg: float
    notes: str = ""
    tags: list[str] = Field(default_factory=list)
    priority: int | None = None
    created_by: PydanticObjectId
    created_at: datetime = Field(default_factory=utcnow)

    class Settings:
        name = "library_targets"
        indexes = (
            IndexModel(
                [("organization_id", ASCENDING), ("name_key", ASCENDING)],
                unique=True,
                name="organization_name_key_unique",
            ),
            IndexModel([("name_key", ASCENDING)], name="name_key"),
        )

    def to_resolved(self) -> ResolvedTarget:
        """This library entry as a resolved target (source ``library``)."""
        return ResolvedTarget(
            name=self.name,
            ra_deg=self.ra_deg,
            dec_deg=self.dec_deg,
            object_type=LIBRARY_OBJECT_TYPE,
            magnitude=None,
            catalogue_ids=(),
            source=LIBRARY_SOURCE,
        )


def name_key(name: str) -> str:
    """The case- and spacing-insensitive form under which a library name is unique."""
    return " ".join(name.split()).casefold()


async def save_library_target(
    organization_id: PydanticObjectId,
    actor_id: PydanticObjectId,
    name: str,
    ra_deg: float,
    dec_deg: float,
    notes: str = "",
    tags: Iterable[str] = (),
    priority: int | None = None,
) -> LibraryTarget:
    """Add a target to the organization's library.

    Raises `ValidationFailed` (paths ``name``, ``ra``, ``dec``, ``notes``, ``tags.<i>``,
    ``priority``) or `Conflict` when the library already holds that name.
    """
    display_name = " ".join(name.split())
    tag_list = [tag.strip() for tag in tags]
    problems = _problems(display_name, ra_deg, dec_deg, notes, tag_list, priority)
    if problems:
        raise ValidationFailed(problems)
    target = LibraryTarget(
        organization_id=organization_id,
        name=display_name,
        name_key=name_key(display_name),
        ra_deg=float(ra_deg),
        dec_deg=float(dec_deg),
        notes=notes.strip(),
        tags=list(dict.fromkeys(tag_list)),
        priority=priority,
        created_by=actor_id,
    )
    try:
        await target.insert()
    except DuplicateKeyError:
        raise Conflict(f"the target library already has a target named {display_name!r}") from None
    return target


async def search_library(
    organization_id: PydanticObjectId, text: str, limit: int = 20
) -> list[LibraryTarget]:
    """The organization's targets whose name contains `text` (any case), prefix matches first.

    Within each group targets are ordered by name; empty `text` lists the whole library.
    `limit` is clamped to 1..100.
    """
    limit = max(1, min(limit, MAX_SEARCH_LIMIT))
    return await search_library_after(organization_id, text, limit, None)


type SearchPosition = tuple[int, str]
"""Where a target sits in a search's order: 0 when its name starts with the text (else 1),
then its name key (unique in its library)."""


def search_position(target: LibraryTarget, text: str) -> SearchPosition:
    """The place of `target` in the order of a search for `text`."""
    return (0 if target.name_key.startswith(name_key(text)) else 1, target.name_key)


async def search_library_after(
    organization_id: PydanticObjectId, text: str, limit: int, after: SearchPosition | None
) -> list[LibraryTarget]:
    """Up to `limit` of the targets `search_library` finds, those placed after `after`."""
    if limit <= 0:
        return []
    key = re.escape(name_key(text))
    group, last = after if after is not None else (0, None)
    found: list[LibraryTarget] = []
    if group == 0:
        found = await _matching(organization_id, f"^{key}", last, limit)
        last = None
    if len(found) < limit and key:  # then those that contain the text further on
        found += await _matching(organization_id, f"^(?!{key}).*{key}", last, limit - len(found))
    return found


async def count_library_matches(organization_id: PydanticObjectId, text: str) -> int:
    """How many of the organization's targets `search_library` finds without a limit."""
    key = re.escape(name_key(text))
    return await LibraryTarget.find(
        {"organization_id": organization_id, "name_key": {"$regex": key}}
    ).count()


async def _matching(
    organization_id: PydanticObjectId, pattern: str, beyond: str | None, limit: int
) -> list[LibraryTarget]:
    name_query: dict[str, str] = {"$regex": pattern}
    if beyond is not None:
        name_query["$gt"] = beyond
    query = {"organization_id": organization_id, "name_key": name_query}
    return await LibraryTarget.find(query).sort("name_key").limit(limit).to_list()


async def delete_library_target(
    organization_id: PydanticObjectId, target_id: PydanticObjectId
) -> LibraryTarget:
    """Remove a target from the organization's library; return it as it was.

    Raises `NotFound` when the organization has no target with that id.
    """
    removed = await LibraryTarget.get_pymongo_collection().find_one_and_delete(
        {"_id": target_id, "organization_id": organization_id}
    )
    if removed is None:
        raise NotFound("library target", str(target_id))
    target: LibraryTarget = LibraryTarget.model_validate(removed)
    return target


async def find_library_target(organization_id: PydanticObjectId, name: str) -> LibraryTarget | None:
    """The organization's target with exactly this name, ignoring case and spacing."""
    return await LibraryTarget.find_one(
        {"organization_id": organization_id, "name_key": name_key(name)}
    )


async def resolve_target_name(organization_id: PydanticObjectId, name: str) -> ResolvedTarget:
    """Resolve a name: the organization's library first, then the OpenNGC catalogue.

    Raises `TargetNotFound` (with suggestions from the catalogue) when neither knows it.
    """
    target = await find_library_target(organization_id, name) if name.strip() else None
    if target is not None:
        return target.to_resolved()
    return await asyncio.to_thread(resolve_catalogue_name, name)


def _problems(
    name: str,
    ra_deg: float,
    dec_deg: float,
    notes: str,
    tags: list[str],
    priority: int | None,
) -> list[FieldProblem]:
    problems = []
    if not 1 <= len(name) <= MAX_NAME_LENGTH:
        problems.append(FieldProblem(("name",), f"must be 1 to {MAX_NAME_LENGTH} characters"))
    if not (math.isfinite(ra_deg) and 0.0 <= ra_deg < 360.0):
        problems.append(FieldProblem(("ra",), "must be at least 0 and less than 360 degrees"))
    if not (math.isfinite(dec_deg) and -90.0 <= dec_deg <= 90.0):
        problems.append(FieldProblem(("dec",), "must be between -90 and +90 degrees"))
    if len(notes) > MAX_NOTES_LENGTH:
        problems.append(FieldProblem(("notes",), f"must be at most {MAX_NOTES_LENGTH} characters"))
    if len(tags) > MAX_TAGS:
        problems.append(FieldProblem(("tags",), f"must be at most {MAX_TAGS} tags"))
    for index, tag in enumerate(tags):
        if not 1 <= len(tag) <= MAX_TAG_LENGTH:
            problems.append(
                FieldProblem(("tags", str(index)), f"must be 1 to {MAX_TAG_LENGTH} characters")
            )
    if priority is not None and (isinstance(priority, bool) or not 1 <= priority <= 10):
        problems.append(FieldProblem(("priority",), "must be between 1 and 10"))
    return problems
