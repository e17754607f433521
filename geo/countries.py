"""Country codes and names (ISO 3166-1 alpha-3 via pycountry) and the bundled boundaries."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import pycountry

from geo.paths import BOUNDARIES

#: Codes the Atlas uses that are not ISO 3166-1 alpha-3 country codes.
SPECIAL = {
    "WLD": "World",
    "OTH": "Other countries",
    "EUU": "European Union",
    "XKX": "Kosovo",
}

#: EU member states (for expanding the bloc ``EUU`` into countries on a map).
EU27 = (
    "AUT BEL BGR HRV CYP CZE DNK EST FIN FRA DEU GRC HUN IRL ITA LVA LTU LUX MLT NLD POL PRT "
    "ROU SVK SVN ESP SWE"
).split()

#: Shorter everyday names where the ISO name is long or formal.
_SHORT = {
    "COD": "DR Congo",
    "COG": "Congo",
    "KOR": "South Korea",
    "PRK": "North Korea",
    "RUS": "Russia",
    "IRN": "Iran",
    "VNM": "Vietnam",
    "LAO": "Laos",
    "BOL": "Bolivia",
    "VEN": "Venezuela",
    "TZA": "Tanzania",
    "SYR": "Syria",
    "MDA": "Moldova",
    "TWN": "Taiwan",
    "GBR": "United Kingdom",
    "USA": "United States",
    "CZE": "Czechia",
    "TUR": "Türkiye",
}


def is_iso3(code: object, *, allow_special: bool = False) -> bool:
    """True if ``code`` is an ISO 3166-1 alpha-3 code (or, optionally, a special Atlas code)."""
    if not isinstance(code, str) or len(code) != 3 or not code.isupper():
        return False
    if code in SPECIAL:
        return allow_special or code == "XKX"
    return pycountry.countries.get(alpha_3=code) is not None


@lru_cache(maxsize=512)
def country_name(code: str) -> str:
    """Everyday English name for an ISO3 (or special) code; the code itself if unknown."""
    if code in _SHORT:
        return _SHORT[code]
    if code in SPECIAL:
        return SPECIAL[code]
    c = pycountry.countries.get(alpha_3=code) if isinstance(code, str) else None
    if c is None:
        return str(code)
    return getattr(c, "common_name", None) or c.name


def expand_members(codes) -> list[str]:
    """Expand the bloc code ``EUU`` into the 27 member states; keep other codes."""
    out: list[str] = []
    for c in codes:
        out.extend(EU27 if c == "EUU" else [c])
    return list(dict.fromkeys(out))


def load_boundaries(path: Path = BOUNDARIES) -> gpd.GeoDataFrame:
    """Natural Earth 1:50m admin-0 polygons with ``iso3`` and ``name`` (EPSG:4326)."""
    g = gpd.read_file(path)
    if g.crs is None:
        g = g.set_crs(4326)
    elif g.crs.to_epsg() != 4326:
        g = g.to_crs(4326)
    return g
