"""The `Location` strings of RSWK v1 records, in every form they take, as (lat, lon).

Forms seen in the published records (examples written for this project):
- decimal: `48.8584, 2.2945`, `-33.8568 151.2153`;
- decimal with hemisphere letters: `53.8388°N 1.7879°W`, `N 53.8388, W 1.7879`;
- degrees, minutes, seconds with Unicode primes or ASCII quotes: `40°11′27″N 29°02′46″E`,
  `40°11'27"N 29°02'46"E`, minutes only `40°11′N 29°2′E`;
- Wikipedia's triple `DMS / decimal; decimal`: every part is parsed, they must agree;
- a place name (`Rome, Italy`): no coordinate; kept as text and flagged.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Literal

LocationForm = Literal["decimal", "hemisphere", "dms", "wikipedia", "place_name", "unparsed"]
# Parts of a Wikipedia triple further apart than this disagree (metres).
AGREE_M = 200.0

_PRIMES = str.maketrans(
    {
        "′": "'",
        "’": "'",
        "‘": "'",
        "´": "'",
        "″": '"',
        "”": '"',
        "“": '"',
        "º": "°",
        "˚": "°",
        "−": "-",
        "–": "-",
    }
)
_COMPONENT = re.compile(
    r"""(?P<deg>[-+]?\d{1,3}(?:\.\d+)?)\s*(?P<degmark>°)?\s*
        (?:(?P<min>\d{1,2}(?:\.\d+)?)\s*'\s*)?
        (?:(?P<sec>\d{1,2}(?:\.\d+)?)\s*"\s*)?
        (?P<hem>[NSEWnsew](?![a-zA-Z]))?""",
    re.VERBOSE,
)
_PREFIX_HEMISPHERE = re.compile(r"(?<![A-Za-z])([NSEW])\s*([-+]?\d[\d.°'\" ]*\d[°'\"]?)")
_STARTS_WITH_HEMISPHERE = re.compile(r"^\s*[NSEW]\s*[-+]?\d")
_HAS_LETTERS = re.compile(r"[A-Za-z]{2,}")


@dataclass(frozen=True)
class ParsedLocation:
    """A parsed `Location`: the point (None for a place name), its form and any finding."""

    lat: float | None
    lon: float | None
    form: LocationForm
    text: str
    finding: str | None = None


def _components(text: str) -> list[tuple[float, str | None, bool]]:
    """(signed degrees, hemisphere letter, written as DMS) for each number group."""
    found = []
    for match in _COMPONENT.finditer(text):
        degrees = float(match.group("deg"))
        minutes = float(match.group("min") or 0)
        seconds = float(match.group("sec") or 0)
        if minutes >= 60 or seconds >= 60:
            return []
        value = abs(degrees) + minutes / 60 + seconds / 3600
        if match.group("deg").startswith("-"):
            value = -value
        hem = match.group("hem").upper() if match.group("hem") else None
        found.append((value, hem, match.group("min") is not None))
    return found


def _parse_part(text: str) -> tuple[float, float, LocationForm] | None:
    """One coordinate pair in one form, or None."""
    if _STARTS_WITH_HEMISPHERE.match(text):  # `N 53.8, W 1.7`: letters before the numbers
        text = _PREFIX_HEMISPHERE.sub(lambda m: f"{m.group(2).strip()}{m.group(1)} ", text)
    parts = _components(text)
    if len(parts) != 2:
        return None
    (a, ha, dms_a), (b, hb, dms_b) = parts
    if ha in ("E", "W") and hb in ("N", "S"):
        (a, ha), (b, hb) = (b, hb), (a, ha)
    if (ha or "N") not in ("N", "S") or (hb or "E") not in ("E", "W"):
        return None
    lat = -abs(a) if ha == "S" else a
    lon = -abs(b) if hb == "W" else b
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    form: LocationForm = "dms" if dms_a or dms_b else ("hemisphere" if ha or hb else "decimal")
    return lat, lon, form


def _distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * 6_371_008.8 * math.asin(min(1.0, math.sqrt(a)))


def parse_location(text: str | None) -> ParsedLocation:
    """The point a `Location` string gives, or why it gives none (module docstring)."""
    raw = (text or "").strip()
    if not raw:
        return ParsedLocation(None, None, "unparsed", raw, "Location is empty")
    normal = raw.translate(_PRIMES)
    pieces = [p for p in (s.strip() for s in normal.split("/")) if p]
    parsed = [p for p in (_parse_part(piece) for piece in pieces) if p is not None]
    if parsed and len(pieces) > 1:
        lat, lon, _ = parsed[0]
        spread = max(_distance_m(lat, lon, q[0], q[1]) for q in parsed)
        if spread > AGREE_M:
            return ParsedLocation(
                lat,
                lon,
                "wikipedia",
                raw,
                f"the parts of the Location disagree by {spread:.0f} m; the first is kept",
            )
        return ParsedLocation(lat, lon, "wikipedia", raw)
    if parsed:
        lat, lon, form = parsed[0]
        return ParsedLocation(lat, lon, form, raw)
    if _HAS_LETTERS.search(normal):
        return ParsedLocation(
            None, None, "place_name", raw, f"Location is a place name ({raw!r}), not a coordinate"
        )
    return ParsedLocation(None, None, "unparsed", raw, f"Location {raw!r} is not a coordinate")
