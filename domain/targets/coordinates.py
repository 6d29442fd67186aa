"""Reading right ascension and declination as people type them, and writing them back.

Accepted forms (spaces around separators and units are optional, case does not matter):

========================  ===========================  ==================================
form                      right ascension              declination
========================  ===========================  ==================================
one decimal number        ``83.822`` -> degrees        ``-5.391`` -> degrees
number with a unit        ``5.588h`` hours,            ``-5.391d`` or ``-5.391°`` degrees
                          ``83.822d`` / ``°`` degrees
2 or 3 parts, spaces      ``05 35 17.3`` -> hours      ``-05 23 28`` -> degrees
or colons                 ``5:35:17.3`` -> hours       ``-5:23:28`` -> degrees
unit letters              ``5h35m17.3s`` -> hours,     ``-5d23m28s``, ``-5°23′28″``,
                          ``83d49m20s`` -> degrees     ``-5°23'28"``
========================  ===========================  ==================================

So a single number is degrees and sexagesimal right ascension is hours, unless an explicit
``h`` or ``d``/``°`` says otherwise. Only the last part may have a decimal fraction; minutes
and seconds must be below 60. The Unicode minus sign (−) is accepted as a minus.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Literal

from domain.errors import DomainError, FieldProblem

Field = Literal["ra", "dec"]
_Unit = Literal["h", "d"]

_NUMBER = r"(\d+(?:\.\d*)?|\.\d+)"
_SEPARATOR = r"(?:\s*:\s*|\s+)"
_DECIMAL = re.compile(rf"^([+-]?)\s*{_NUMBER}\s*(h|deg|d|°)?$")
_SEXAGESIMAL = re.compile(rf"^([+-]?)\s*{_NUMBER}{_SEPARATOR}{_NUMBER}(?:{_SEPARATOR}{_NUMBER})?$")
_UNIT_LETTERS = re.compile(
    rf"^([+-]?)\s*{_NUMBER}\s*(h|d|°)"
    rf"(?:\s*{_NUMBER}\s*[m']\s*(?:{_NUMBER}\s*(?:s|\")?)?|\s*{_NUMBER})?$"
)
_TYPOGRAPHY = str.maketrans({"−": "-", "–": "-", "′": "'", "″": '"', "º": "°", "˚": "°"})

_RA_FORMS = (
    "use degrees (83.822), hours minutes seconds (05 35 17.3, 5:35:17.3, 5h35m17.3s) "
    "or hours with an h suffix (5.588h)"
)
_DEC_FORMS = "use degrees (-5.391) or degrees minutes seconds (-05 23 28, -5:23:28, -5d23m28s)"


@dataclass
class CoordinateParseError(DomainError):
    """A right ascension or declination could not be read; `field` is ``ra`` or ``dec``."""

    field: Field
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"

    @property
    def problem(self) -> FieldProblem:
        """The same failure as a field problem, for a `ValidationFailed`."""
        return FieldProblem((self.field,), self.message)


@dataclass(frozen=True)
class _Parts:
    negative: bool
    parts: tuple[str, ...]
    unit: _Unit | None


def parse_ra(text: str) -> float:
    """Read a right ascension; return it in degrees, in [0, 360).

    A single number is degrees; sexagesimal input is hours; an ``h`` or ``d``/``°`` unit
    overrides either. Raises `CoordinateParseError` with field ``ra``.
    """
    parts = _split("ra", text, _RA_FORMS)
    hours = parts.unit == "h" or (parts.unit is None and len(parts.parts) > 1)
    value = _compose("ra", text, parts) * (15.0 if hours else 1.0)
    if (parts.negative and value != 0.0) or not value < 360.0:
        raise CoordinateParseError(
            "ra",
            f"{text.strip()!r} is out of range: right ascension must be at least 0 "
            "and less than 360° (24h)",
        )
    return value


def parse_dec(text: str) -> float:
    """Read a declination; return it in degrees, in [-90, +90].

    Raises `CoordinateParseError` with field ``dec``.
    """
    parts = _split("dec", text, _DEC_FORMS)
    if parts.unit == "h":
        raise CoordinateParseError(
            "dec", f"{text.strip()!r}: a declination cannot be given in hours"
        )
    value = _compose("dec", text, parts)
    if value > 90.0:
        raise CoordinateParseError(
            "dec",
            f"{text.strip()!r} is out of range: declination must be between -90° and +90°",
        )
    if value == 0.0:
        return 0.0
    return -value if parts.negative else value


def ra_to_hms(ra_deg: float) -> str:
    """Format a right ascension in degrees as ``HH:MM:SS.ss`` (wrapped into 0–24 h)."""
    if not math.isfinite(ra_deg):
        raise ValueError(f"right ascension must be finite, got {ra_deg}")
    centiseconds = round((ra_deg % 360.0) / 15.0 * 360_000) % (24 * 360_000)
    hours, rest = divmod(centiseconds, 360_000)
    minutes, rest = divmod(rest, 6_000)
    seconds, hundredths = divmod(rest, 100)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{hundredths:02d}"


def dec_to_dms(dec_deg: float) -> str:
    """Format a declination in degrees as ``±DD:MM:SS.s``."""
    if not -90.0 <= dec_deg <= 90.0:
        raise ValueError(f"declination must be between -90 and +90 degrees, got {dec_deg}")
    tenths = round(abs(dec_deg) * 36_000)
    sign = "-" if dec_deg < 0 and tenths != 0 else "+"
    degrees, rest = divmod(tenths, 36_000)
    minutes, rest = divmod(rest, 600)
    seconds, tenth = divmod(rest, 10)
    return f"{sign}{degrees:02d}:{minutes:02d}:{seconds:02d}.{tenth}"


def _split(field: Field, text: str, forms: str) -> _Parts:
    cleaned = text.strip().replace("''", '"').translate(_TYPOGRAPHY).casefold()
    if not cleaned:
        raise CoordinateParseError(field, f"is required; {forms}")
    if match := _DECIMAL.match(cleaned):
        sign, number, unit = match.groups()
        return _Parts(sign == "-", (number,), _unit(unit))
    if match := _SEXAGESIMAL.match(cleaned):
        sign, *numbers = match.groups()
        return _Parts(sign == "-", tuple(n for n in numbers if n is not None), None)
    if match := _UNIT_LETTERS.match(cleaned):
        sign, first, unit, minutes, seconds, bare_minutes = match.groups()
        rest = (minutes, seconds) if minutes is not None else (bare_minutes, None)
        given = (first, *(n for n in rest if n is not None))
        return _Parts(sign == "-", given, _unit(unit))
    name = "right ascension" if field == "ra" else "declination"
    raise CoordinateParseError(field, f"could not read {text.strip()!r} as a {name}; {forms}")


def _unit(symbol: str | None) -> _Unit | None:
    if symbol is None:
        return None
    return "h" if symbol == "h" else "d"


def _compose(field: Field, text: str, parts: _Parts) -> float:
    shown = repr(text.strip())
    if any("." in part for part in parts.parts[:-1]):
        raise CoordinateParseError(
            field, f"{shown}: only the last part may have a decimal fraction"
        )
    values = [float(part) for part in parts.parts]
    for name, value in zip(("minutes", "seconds"), values[1:], strict=False):
        if value >= 60.0:
            raise CoordinateParseError(field, f"{shown}: {name} must be less than 60")
    return sum(value / 60.0**index for index, value in enumerate(values))
