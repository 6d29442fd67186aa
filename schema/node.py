"""The Relay `Node` interface: objects that `node(id:)` can fetch again by their global id."""

from __future__ import annotations

import strawberry


@strawberry.interface(description="An object with a global id; `node(id:)` fetches it again.")
class Node:
    id: strawberry.ID
