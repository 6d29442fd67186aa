"""`Observation.eligibleObservatories`: those of its observatories the viewer may see.

An observation may name observatories of other organizations; a viewer of the observation sees
only those on which they hold VIEW (as `whyNotNow` does), never another organization's
location, equipment or live status.
"""

from __future__ import annotations

from collections.abc import Sequence

from beanie import PydanticObjectId

from domain.observatories.access import may_view
from domain.observatories.observatory import Observatory as ObservatoryDocument
from domain.organizations.organization import Organization
from resolvers.pagination import paginate_sorted
from schema.connection import Connection
from schema.context import Info
from schema.loaded import NOT_LOADED, Peeked, built_once, now_or_later, peek, peek_many
from schema.observatories import Observatory


def eligible_observatories(
    info: Info, observatory_ids: Sequence[PydanticObjectId], first: int, after: str | None
) -> Connection[Observatory]:
    """In the order they were given; at once when `load_eligible` ran for the page."""
    return now_or_later(
        lambda: _page(info, observatory_ids, first, after),
        lambda: load_eligible(info, observatory_ids),
    )


async def load_eligible(info: Info, observatory_ids: Sequence[PydanticObjectId]) -> None:
    """Load, in one batch per kind, what deciding visibility needs: the observatories, and their
    organizations unless the viewer is a site administrator (who sees every observatory)."""
    viewer = await info.context.require_actor()
    loaders = info.context.loaders
    found = await loaders.observatory_by_id.load_many(observatory_ids)
    if not viewer.is_site_admin:
        owners = {o.organization_id for o in found if o is not None}
        await loaders.organization_by_id.load_many(list(owners))


def _page(
    info: Info, observatory_ids: Sequence[PydanticObjectId], first: int, after: str | None
) -> Peeked[Connection[Observatory]]:
    viewer = info.context.actor_if_checked()
    loaders = info.context.loaders
    found = peek_many(loaders.observatory_by_id, observatory_ids)
    if viewer is None or found is NOT_LOADED:
        return NOT_LOADED
    visible: list[tuple[int, ObservatoryDocument]] = []
    for place, observatory in enumerate(found):
        if observatory is None:  # deleted since: it leaves a gap in the places
            continue
        owner: Organization | None = None  # a site administrator's rights do not depend on it
        if not viewer.is_site_admin:
            peeked = peek(loaders.organization_by_id, observatory.organization_id)
            if peeked is NOT_LOADED:
                return NOT_LOADED
            owner = peeked
        if may_view(viewer, observatory, owner):
            visible.append((place, observatory))

    def to_node(listed: tuple[int, ObservatoryDocument]) -> Observatory:
        document = listed[1]
        return built_once(
            loaders.built, Observatory, document.id, lambda: Observatory.from_document(document)
        )

    return paginate_sorted(
        visible,
        key=lambda listed: (listed[0], str(listed[1].id)),
        first=first,
        after=after,
        to_node=to_node,
    )
