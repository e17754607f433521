"""Cross-table data checks: references, geography, sums, placeholders.

Each check returns a list of :class:`geo.load.Issue`; an empty list means the check passed.
"""

from __future__ import annotations

import math
import re

import pandas as pd
import shapely
from shapely.geometry import Point
from shapely.ops import nearest_points

from geo import analysis
from geo.filters import split_ids
from geo.load import Issue

COAST_TOLERANCE_KM = 10.0
PLACEHOLDER_URL = re.compile(r"example\.(com|org|net)|localhost|127\.0\.0\.1|placeholder|/todo\b|xxx|"
                             r"lorem|^https?://(www\.)?[^/]*$", re.I)


def haversine_km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    r = 6371.0088
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


def distance_outside_km(point: Point, polygon) -> float:
    """0 if ``point`` is in ``polygon``, else the great-circle distance to its nearest edge."""
    if polygon.covers(point):
        return 0.0
    q = nearest_points(polygon, point)[0]
    return haversine_km(point.x, point.y, q.x, q.y)


def points_in_countries(fac: pd.DataFrame, boundaries, *, tolerance_km: float = COAST_TOLERANCE_KM,
                        exceptions: dict[str, str] | None = None) -> list[Issue]:
    """Every facility lies in its own country's polygon (within ``tolerance_km`` of the coast)."""
    exceptions = exceptions or {}
    geoms = dict(zip(boundaries["iso3"], boundaries.geometry))
    shapely.prepare(list(geoms.values()))
    issues = []
    for i, r in enumerate(fac.itertuples(index=False)):
        if r.id in exceptions:
            continue
        poly = geoms.get(r.country)
        if poly is None:
            issues.append(Issue("facilities.csv", f"no boundary polygon for country {r.country}",
                                row_id=r.id, column="country"))
            continue
        d = distance_outside_km(Point(r.lon, r.lat), poly)
        if d > tolerance_km:
            inside = [iso for iso, g in geoms.items() if g.covers(Point(r.lon, r.lat))]
            where = f"; the point is in {inside[0]}" if inside else "; the point is at sea"
            issues.append(Issue("facilities.csv",
                                f"({r.lat}, {r.lon}) is {d:.0f} km outside {r.country}{where}",
                                row_id=r.id, column="lat/lon"))
    return issues


def town_points_are_low_confidence(fac: pd.DataFrame) -> list[Issue]:
    """A site placed only at its town's centre is approximate: its confidence can't be above low."""
    if "location" not in fac.columns:
        return []
    bad = fac[fac["location"].eq("town") & ~fac["confidence"].eq("low")]
    return [Issue("facilities.csv", f"location is 'town' (the town centre, not the site) but confidence is "
                  f"'{r.confidence}': a town-centre point is at most 'low'", row_id=r.id, column="confidence")
            for r in bad.itertuples(index=False)]


def _unknown_ids(df: pd.DataFrame, col: str, known: set[str], file: str, id_col: str | None,
                 *, multi: bool = True, allow: tuple[str, ...] = ()) -> list[Issue]:
    issues = []
    if df is None or col not in df.columns:
        return issues
    for idx, value in df[col].items():
        values = split_ids(value) if multi else ([value] if isinstance(value, str) else [])
        bad = [v for v in values if v not in known and v not in allow]
        if bad:
            rid = str(df.at[idx, id_col]) if id_col else None
            issues.append(Issue(file, f"unknown id(s): {', '.join(bad)}", row_id=rid, column=col))
    return issues


def references(atlas) -> list[Issue]:
    """Every id one table names exists in the table it refers to."""
    minerals = set(atlas.mineral_names)
    fac = atlas.df("facilities.csv")
    fac_ids = set() if fac is None else set(fac["id"])
    pol = atlas.df("policies.csv")
    pol_ids = set() if pol is None else set(pol["id"])
    par = atlas.df("partnerships.csv")
    par_ids = set() if par is None else set(par["id"])
    issues: list[Issue] = []
    if minerals:
        for name, col, idc in (("facilities.csv", "minerals", "id"), ("policies.csv", "minerals", "id"),
                               ("partnerships.csv", "minerals", "id"), ("events.csv", "minerals", "id"),
                               ("production.csv", "mineral", None), ("flows.csv", "mineral", "id")):
            issues += _unknown_ids(atlas.df(name), col, minerals, name, idc, allow=("all",))
    issues += _unknown_ids(atlas.df("partnership_members.csv"), "partnership", par_ids,
                           "partnership_members.csv", None, multi=False)
    for col in ("from_facility", "to_facility"):
        issues += _unknown_ids(atlas.df("flows.csv"), col, fac_ids, "flows.csv", "id", multi=False)
    ev = atlas.df("events.csv")
    for col, known in (("facility", fac_ids), ("policy", pol_ids), ("partnership", par_ids)):
        issues += _unknown_ids(ev, col, known, "events.csv", "id")
    if par is not None and atlas.df("partnership_members.csv") is not None:
        with_members = set(atlas.df("partnership_members.csv")["partnership"])
        for pid in sorted(par_ids - with_members):
            issues.append(Issue("partnerships.csv", "has no members in partnership_members.csv",
                                row_id=pid, column="id", severity="warning"))
    return issues


def placeholder_urls(atlas) -> list[Issue]:
    issues = []
    for name, t in atlas.tables.items():
        if t.df is None:
            continue
        for col in ("source_url", "url"):
            if col not in t.df.columns:
                continue
            for idx, url in t.df[col].items():
                if isinstance(url, str) and PLACEHOLDER_URL.search(url):
                    rid = t.df.at[idx, "id"] if "id" in t.df.columns else None
                    issues.append(Issue(name, f"URL looks like a placeholder or a bare home page: {url}",
                                        row_id=rid, column=col))
    return issues


def lapsed_statuses(policies: pd.DataFrame | None, today) -> list[Issue]:
    """Warnings for measures whose recorded status ran past its own end date (see
    :func:`geo.analysis.lapsed_statuses`): the row needs a newer source."""
    return [Issue("policies.csv", f"status '{r.status}' ran to {r.expires}, which has passed (source as of "
                                  f"{r.as_of}): find what followed and update the row", row_id=r.id,
                  column="status", severity="warning")
            for r in analysis.lapsed_statuses(policies, today).itertuples()]


_SUM_GROUP = ["mineral", "stage", "measure", "year", "basis"]


def _world_groups(prod: pd.DataFrame, measures=None):
    """Each mineral/stage/measure/year/basis group that has a world row: (key, world rows, the
    other rows). Shared by the sum check and the check of the notes that quote it."""
    p = prod if measures is None else prod[prod["measure"].isin(measures)]
    for key, g in p.groupby(_SUM_GROUP, dropna=False):
        is_world = g["country"].eq("WLD")
        if is_world.any():
            yield key, g[is_world], g[~is_world]


def production_sums(prod: pd.DataFrame, *, tolerance: float = 0.06) -> list[Issue]:
    """Country values never exceed the world total; with OTH they add up to it within rounding."""
    if prod is None or prod.empty:
        return []
    issues = []
    for key, world_rows, g in _world_groups(prod, ["production", "reserves"]):
        world = world_rows["value"].dropna()
        if world.empty:
            continue
        w = float(world.iloc[0])
        label = "/".join(str(k) for k in key)
        over = g[g["country"].ne("OTH") & (g["value"] > w * (1 + 1e-9))]
        for c in over["country"]:
            issues.append(Issue("production.csv", f"{label}: {c} exceeds the world total {w:g}",
                                row_id=c, column="value"))
        total = float(g["value"].dropna().sum())
        has_oth = g["country"].eq("OTH").any()
        if w > 0 and has_oth and abs(total - w) / w > tolerance:
            issues.append(Issue("production.csv",
                                f"{label}: countries + OTH sum to {total:g}, world total is {w:g} "
                                f"({(total - w) / w:+.0%})", column="value", severity="warning"))
    return issues


SUM_NOTE = re.compile(r"sum check[^:]*: listed country rows (incl\. OTH )?sum to ([\d,.]+) vs world >?([\d,.]+)")


def sum_check_notes(prod: pd.DataFrame) -> list[Issue]:
    """A world-total row's note that says "sum check: listed country rows [incl. OTH] sum to N vs
    world W" must still be true: N is the sum of the country rows of the same mineral, stage,
    measure, year and basis, W is the row's value, and "incl. OTH" appears only when an "other
    countries" value is there. Adding or correcting a country row without redoing the note makes
    the note wrong; this catches it."""
    if prod is None or prod.empty:
        return []
    issues = []
    for key, world_rows, same in _world_groups(prod):
        total = float(same["value"].sum())
        has_oth = bool(same.loc[same["country"].eq("OTH"), "value"].notna().any())
        label = "/".join(str(k) for k in key[:4])
        for idx, r in world_rows.iterrows():
            m = SUM_NOTE.search(str(r["notes"]) if pd.notna(r["notes"]) else "")
            if not m:
                continue
            said, world = (float(g.replace(",", "")) for g in m.group(2, 3))
            where = dict(line=int(idx) + 2, row_id=f"{label}/WLD", column="notes")
            if abs(total - said) > 0.5 + 1e-9 * abs(said):
                issues.append(Issue("production.csv", f"{label}: the note's sum check says the country rows "
                                    f"sum to {said:,g}, they sum to {total:,g}", **where))
            if not math.isclose(world, float(r["value"]), rel_tol=1e-9):
                issues.append(Issue("production.csv", f"{label}: the note's sum check names world {world:,g}, "
                                    f"the row's value is {float(r['value']):,g}", **where))
            if bool(m.group(1)) != has_oth:
                issues.append(Issue("production.csv", f"{label}: the note's sum check "
                                    + ("counts 'incl. OTH' but there is no other-countries value" if m.group(1)
                                       else "leaves out the other-countries value that is there"), **where))
    return issues
