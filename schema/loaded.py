"""Answering a field at once from what the request's DataLoaders already hold.

A field whose resolver is a coroutine costs graphql-core a task and a gather per list item;
for a page of 100 observations with their project and observatories that was most of the
request. A synchronous resolver may return an awaitable instead of a value (graphql-core
awaits it), so a reference field here answers from the loader's cache when the page's
resolver has loaded every reference up front, and otherwise loads through the loader as
before: the same batching, the same answer, only sooner.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Sequence
from enum import Enum
from typing import Final, cast

from strawberry.dataloader import DataLoader


class _NotLoaded(Enum):
    NOT_LOADED = "not loaded"


NOT_LOADED: Final = _NotLoaded.NOT_LOADED
type Peeked[V] = V | _NotLoaded


def peek[K, V](loader: DataLoader[K, V], key: K) -> Peeked[V]:
    """The value `loader` holds for `key`, or NOT_LOADED when it holds none yet."""
    future = loader.cache_map.get(key)
    if future is None or not future.done() or future.cancelled() or future.exception():
        return NOT_LOADED
    return future.result()


def peek_many[K, V](loader: DataLoader[K, V], keys: Sequence[K]) -> list[V] | _NotLoaded:
    """The values for `keys` in order, or NOT_LOADED unless `loader` holds every one."""
    values: list[V] = []
    for key in keys:
        value = peek(loader, key)
        if value is NOT_LOADED:
            return NOT_LOADED
        values.append(value)
    return values


def now_or_later[T](now: Callable[[], Peeked[T]], load: Callable[[], Awaitable[object]]) -> T:
    """`now()` when it can answer from the loaders; else an awaitable that runs `load()` and
    then answers with `now()`. Only a resolver may return this (graphql-core awaits it)."""
    answer = now()
    if answer is not NOT_LOADED:
        return answer

    async def later() -> T:
        await load()
        settled = now()
        if settled is NOT_LOADED:  # pragma: no cover - load() fills what now() reads
            raise RuntimeError("a loader did not hold what it had just loaded")
        return settled

    return cast(T, later())


def built_once[T](
    memo: dict[tuple[type, Hashable], object], kind: type[T], key: Hashable, build: Callable[[], T]
) -> T:
    """The `kind` built for `key` earlier in this request, else `build()` (remembered): an
    observatory eligible for every observation of a page is converted once, not per row."""
    found = memo.get((kind, key))
    if found is None:
        found = memo[(kind, key)] = build()
    return cast(T, found)
