"""What the client's query asks for below the field being resolved."""

from __future__ import annotations

from collections.abc import Sequence

from strawberry.types.nodes import SelectedField, Selection

from schema.context import Info


def selects(info: Info, *path: str) -> bool:
    """Whether the query asks, below the current field, for the field at `path` (names as the
    client writes them, e.g. "edges", "node", "project"), through fragments too.

    Directives are not evaluated: a field under `@skip` counts as asked for, so a caller that
    loads ahead of time may load a little more than needed, never less.
    """
    return any(_selects(field.selections, path) for field in info.selected_fields)


def _selects(selections: Sequence[Selection], path: Sequence[str]) -> bool:
    for selection in selections:
        if isinstance(selection, SelectedField):
            if selection.name == path[0] and (
                len(path) == 1 or _selects(selection.selections, path[1:])
            ):
                return True
        elif _selects(selection.selections, path):  # a fragment, named or inline
            return True
    return False
