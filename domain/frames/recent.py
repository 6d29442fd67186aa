"""Frames across every observation a person may see, for the newest-first feed."""

from __future__ import annotations

from domain.accounts.user import User
from domain.observations.service import visible_project_ids


async def recent_frames_query(user: User) -> dict[str, object]:
    """The filter of frames of observations in projects `user` may view (all for admins)."""
    query: dict[str, object] = {"observation_id": {"$ne": None}}
    project_ids = await visible_project_ids(user)
    if project_ids is not None:
        query["project_id"] = {"$in": project_ids}
    return query
