"""Offline resolution of deep-sky names through the OpenNGC catalogue, read with `pyongc`.

Accepted names: Messier (``M31``, ``m 31``, ``Messier 31``), NGC (``NGC 224``, ``NGC224``,
``ngc0224``), IC (``IC 434``), the other designations pyongc reads (``C 20``, ``Mel 22``,
``UGC 454``, ``PGC 2557``, ...) and the common names OpenNGC lists (``Andromeda Galaxy``,
``Orion Nebula``). Duplicate records resolve to their main object, as pyongc does.

pyongc ships OpenNGC as a SQLite file inside the package, so nothing here touches the network.
Answers are cached: after the first look-up of a name, the next costs microseconds.
"""

from __future__ import annotations

import difflib
import math
import re
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from pyongc import DBPATH  # type: ignore[import-untyped]
from pyongc.exceptions import ObjectNotFound, UnknownIdentifier  # type: ignore[import-untyped]
from pyongc.ongc import Dso  # type: ignore[import-untyped]

from domain.errors import NotFound

OPENNGC_SOURCE = "OpenNGC"
_MAX_SUGGESTIONS = 5
_MESSIER = re.compile(r"^(?:M|MESSIER)\s*0*(\d{1,3})$")
_DESIGNATION = re.compile(r"^([A-Za-z]+)\s*0*(\d+)(.*)$")


@dataclass(frozen=True)
class ResolvedTarget:
    """A name resolved to ICRS (J2000) coordinates, in degrees.

    `magnitude` is V, or B where V is unknown, or None. `catalogue_ids` lists the Messier
    designation first, then NGC/IC ones, without padding zeros (``("M31", "NGC224")``).
    """

    name: str
    ra_deg: float
    dec_deg: float
    object_type: str
    magnitude: float | None
    catalogue_ids: tuple[str, ...]
    source: str
    common_names: tuple[str, ...] = ()


class TargetNotFound(NotFound):
    """No target of that name; `suggestions` holds up to 5 similar known names."""

    def __init__(self, name: str, suggestions: Sequence[str] = ()) -> None:
        super().__init__(what="target", id=name)
        self.name = name
        self.suggestions = tuple(suggestions)

    def __str__(self) -> str:
        hint = f"; did you mean {', '.join(self.suggestions)}?" if self.suggestions else ""
        return f"no target named {self.name!r} is known{hint}"


def resolve_catalogue_name(name: str) -> ResolvedTarget:
    """Resolve a Messier, NGC, IC (or other OpenNGC) designation or common name.

    Raises `TargetNotFound` when OpenNGC has no object of that name, or no position for it.
    """
    key = " ".join(name.split()).upper()
    resolved = _resolve_key(key) if key else None
    if resolved is None:
        raise TargetNotFound(name.strip(), _suggestions(key.casefold()) if key else ())
    return resolved


def preload_catalogue() -> None:
    """Load the catalogue indexes now rather than on the first look-up."""
    _messier_names()
    _common_names()
    _resolve_key("M1")


@lru_cache(maxsize=4096)
def _resolve_key(key: str) -> ResolvedTarget | None:
    messier = _MESSIER.match(key)
    designation = key if messier is None else _messier_names().get(messier[1], f"M{messier[1]}")
    dso = _dso(designation)
    if dso is None:
        main_name = _common_names().get(_common_key(key))
        dso = _dso(main_name) if main_name is not None else None
    return _to_resolved(dso) if dso is not None else None


def _dso(designation: str) -> Any:
    try:
        return Dso(designation)
    except (ObjectNotFound, UnknownIdentifier):
        return None


def _to_resolved(dso: Any) -> ResolvedTarget | None:
    coordinates = dso.rad_coords
    if coordinates is None:
        return None
    messier, ngc, ic, common, _other = dso.identifiers
    ids = [messier, dso.name, *(ngc or ()), *(ic or ())]
    catalogue_ids = tuple(dict.fromkeys(_short(str(i)) for i in ids if i))
    b_mag, v_mag, *_ = dso.magnitudes
    magnitude = v_mag if v_mag is not None else b_mag
    return ResolvedTarget(
        name=catalogue_ids[0],
        ra_deg=math.degrees(float(coordinates[0])),
        dec_deg=math.degrees(float(coordinates[1])),
        object_type=str(dso.type),
        magnitude=float(magnitude) if magnitude is not None else None,
        catalogue_ids=catalogue_ids,
        source=OPENNGC_SOURCE,
        common_names=tuple(str(n) for n in common or ()),
    )


def _short(identifier: str) -> str:
    match = _DESIGNATION.match(identifier)
    return f"{match[1]}{match[2]}{match[3]}" if match else identifier


def _common_key(text: str) -> str:
    key = " ".join(text.split()).casefold()
    return key.removeprefix("the ")


@cache
def _messier_names() -> dict[str, str]:
    """Messier number (no padding) -> main OpenNGC name; OpenNGC does not index Messier."""
    rows = _query("SELECT messier, name FROM objects WHERE messier != '' AND type != 'Dup'")
    return {str(number).lstrip("0"): str(name) for number, name in rows}


def _query(sql: str) -> list[tuple[Any, ...]]:
    connection = sqlite3.connect(f"file:{DBPATH}?mode=ro", uri=True)
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


@cache
def _common_names() -> dict[str, str]:
    """Common name (case-folded) -> main OpenNGC name; Messier objects win shared names."""
    rows = _query(
        "SELECT name, commonnames FROM objects WHERE commonnames != '' ORDER BY messier = '', name"
    )
    index: dict[str, str] = {}
    for main_name, names in rows:
        for common in str(names).split(","):
            index.setdefault(_common_key(common), str(main_name))
    return index


@cache
def _suggestion_pool() -> dict[str, str]:
    """Case-folded known name -> its display form, for suggestions."""
    pool = {f"m{number}": f"M{number}" for number in range(1, 111)}
    for (names,) in _query("SELECT commonnames FROM objects WHERE commonnames != ''"):
        for common in str(names).split(","):
            pool.setdefault(_common_key(common), common.strip())
    return pool


def _suggestions(text: str) -> list[str]:
    pool = _suggestion_pool()
    query = _common_key(text)
    found = sorted(
        (key for key in pool if len(query) >= 3 and query in key),
        key=lambda key: (not key.startswith(query), key),
    )
    found += difflib.get_close_matches(query, pool, n=_MAX_SUGGESTIONS, cutoff=0.75)
    return [pool[key] for key in dict.fromkeys(found)][:_MAX_SUGGESTIONS]
