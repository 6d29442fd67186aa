"""In-process ephemeris cache: one astropy computation per observatory and night.

A dispatch "night" runs from local mean solar noon (from the longitude) to the next, and its
ephemeris extends ``LOOKAHEAD_S`` past the next noon so that any decision inside the night has
the core's full look-ahead. Computation runs in a worker thread (``asyncio.to_thread``);
concurrent requests for the same key share one computation. Entries are keyed by the site's
geometry and the span only (an ephemeris depends on nothing else), so telescopes sharing a
site share one, and an edited location or horizon gets a fresh one. The size
(``SCHEDULER_EPHEMERIS_CACHE_ENTRIES``, default 2048) must exceed the number of sites a
process dispatches for, or entries are evicted and recomputed at ~0.2 s of CPU each.
"""

from __future__ import annotations

import asyncio
import math
from collections import OrderedDict
from collections.abc import Hashable

from domain.scheduling import Ephemeris, Site, compute_ephemeris

DAY_S = 86400.0
LOOKAHEAD_S = 16 * 3600.0
MAX_ENTRIES = 2048


def night_start(lon_deg: float, now: float) -> float:
    """Local mean solar noon (UTC POSIX seconds) at or before `now` at east longitude `lon_deg`."""
    noon_utc_offset = 12 * 3600.0 - lon_deg / 15.0 * 3600.0
    return math.floor((now - noon_utc_offset) / DAY_S) * DAY_S + noon_utc_offset


def _site_key(site: Site) -> Hashable:
    return (
        site.lat_deg,
        site.lon_deg,
        site.elevation_m,
        tuple(site.horizon.azimuth_deg.tolist()),
        tuple(site.horizon.altitude_deg.tolist()),
    )


class EphemerisCache:
    """Ephemerides by (site, span), computed off the event loop, least recently used out."""

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self._entries: OrderedDict[Hashable, asyncio.Future[Ephemeris]] = OrderedDict()
        self._max_entries = max_entries

    async def span(self, observatory_id: str, site: Site, start: float, end: float) -> Ephemeris:
        """The ephemeris of `site` over [start, end] (UTC POSIX seconds).

        `observatory_id` names the caller only; the key is the site's geometry.
        """
        key = (_site_key(site), start, end)
        future = self._entries.get(key)
        if future is not None:
            self._entries.move_to_end(key)
            return await asyncio.shield(future)
        future = asyncio.get_running_loop().create_future()
        self._entries[key] = future
        while len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)
        try:
            eph = await asyncio.to_thread(compute_ephemeris, site, start, end)
        except BaseException as error:
            self._entries.pop(key, None)
            future.set_exception(error)
            future.exception()  # retrieved: waiting callers re-raise it
            raise
        future.set_result(eph)
        return eph

    async def for_dispatch(self, observatory_id: str, site: Site, now: float) -> Ephemeris:
        """The ephemeris of the dispatch night containing `now`, with the look-ahead."""
        start = night_start(site.lon_deg, now)
        return await self.span(observatory_id, site, start, start + DAY_S + LOOKAHEAD_S)

    def resize(self, max_entries: int) -> None:
        """Keep at most `max_entries` ephemerides from now on."""
        self._max_entries = max_entries
        while len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)

    def clear(self) -> None:
        self._entries.clear()


EPHEMERIDES = EphemerisCache()
"""The process-wide cache."""


def warm_up() -> None:
    """Load astropy, the IERS tables and the ephemeris code once (about 1–2 s, blocking).

    Processes that serve requests run this in a worker thread at start so that the first
    submission check or dispatch decision does not pay for it.
    """
    compute_ephemeris(Site(lat_deg=0.0, lon_deg=0.0), 0.0, 3600.0)
