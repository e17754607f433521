"""Answers for the analysis pages: a country's supply and exposure, policy phases, partnership
blocs, and what a supply shock would cut. Plain functions over the curated tables.

Every function takes the validated DataFrames (or None when a file could not be used) and
returns a DataFrame whose rows carry the source and as-of of the figures they contain.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from geo.countries import EU27, expand_members
from geo.filters import mentions, split_ids
from geo.metrics import AGGREGATES, Shares, shares, what_if
from geo.themes import CONTROL_TYPES, ENDED, in_force, parse_partial_date

SUPPLY_TO_FACILITY_STAGE = {"mining": "mining", "refining": "processing"}
#: facility statuses, most useful substitutes first
STATUS_ORDER = ("operating", "construction", "care_and_maintenance", "development", "exploration", "closed")
WAS_OPERATING = ("operating", "care_and_maintenance", "closed")


# --- production shares -------------------------------------------------------------------------

def best_shares(prod: pd.DataFrame | None, mineral: str, stage: str) -> Shares | None:
    """Latest shares for ``mineral`` at ``stage`` from production volumes, else from published
    shares; None when the Atlas has neither."""
    if prod is None:
        return None
    for measure in ("production", "share"):
        p = prod[(prod["mineral"] == mineral) & (prod["stage"] == stage) & (prod["measure"] == measure)]
        if not p.empty:
            s = shares(prod, mineral, stage, measure=measure)
            if not s.countries["share"].dropna().empty:
                return s
    return None


def minerals_with_supply(prod: pd.DataFrame | None, stage: str | None = None) -> list[str]:
    if prod is None:
        return []
    p = prod[prod["measure"].isin(["production", "share"])]
    if stage:
        p = p[p["stage"] == stage]
    return sorted(set(p["mineral"]))


def share_history(prod: pd.DataFrame | None, mineral: str, stage: str, *, top: int = 8) -> pd.DataFrame:
    """Shares of world (0-1) by year for the ``top`` producers of the latest year: rows are
    countries (ISO3), columns years. Empty when the data has a single year."""
    latest = best_shares(prod, mineral, stage)
    if latest is None:
        return pd.DataFrame()
    p = prod[(prod["mineral"] == mineral) & (prod["stage"] == stage) & (prod["measure"] == latest.measure)
             & (prod["basis"].fillna("") == (latest.basis or ""))]
    years = sorted(set(p["year"]))
    if len(years) < 2:
        return pd.DataFrame()
    leaders = list(latest.countries.dropna(subset=["share"])["country"].head(top))
    cols = {}
    for y in years:
        s = shares(prod, mineral, stage, measure=latest.measure, year=int(y), basis=latest.basis)
        cols[int(y)] = [s.share_of(c) for c in leaders]
    return pd.DataFrame(cols, index=leaders)


def _source_of(s: Shares) -> tuple[str, str, str]:
    r = s.table.iloc[0]
    return str(r["source"]), str(r["source_url"]), str(r["as_of"])


def country_supply(prod: pd.DataFrame | None, country: str) -> pd.DataFrame:
    """What ``country`` mines and refines: one row per mineral and stage where it is listed.

    Columns: mineral, stage, year, share (0-1, NaN if withheld), rank (among countries with a
    share), value, unit, basis, withheld, source, source_url, as_of.
    """
    cols = ["mineral", "stage", "year", "share", "rank", "value", "unit", "basis", "withheld",
            "source", "source_url", "as_of"]
    rows = []
    for stage in ("mining", "refining"):
        for mineral in minerals_with_supply(prod, stage):
            s = best_shares(prod, mineral, stage)
            if s is None:
                continue
            t = s.table[s.table["country"] == country]
            if t.empty:
                continue
            r = t.iloc[0]
            ranked = s.countries.dropna(subset=["share"]).reset_index(drop=True)
            pos = ranked.index[ranked["country"] == country]
            unit = "% of world" if s.measure == "share" else s.unit
            rows.append({"mineral": mineral, "stage": stage, "year": s.year, "share": r["share"],
                         "rank": int(pos[0]) + 1 if len(pos) else None,
                         "value": r["value"], "unit": unit, "basis": s.basis,
                         "withheld": r["withheld"] if isinstance(r["withheld"], str) else "",
                         "source": r["source"], "source_url": r["source_url"], "as_of": r["as_of"]})
    out = pd.DataFrame(rows, columns=cols)
    return out.sort_values(["stage", "share"], ascending=[True, False], na_position="last").reset_index(drop=True)


def controllers(policies: pd.DataFrame | None, mineral: str, *, on: dt.date | None = None) -> list[str]:
    """ISO3 codes with an export control, ban or quota on ``mineral`` in force (EU measures
    count for each member state)."""
    if policies is None or policies.empty:
        return []
    p = policies[policies["type"].isin(CONTROL_TYPES)]
    p = p[mentions(p["minerals"], (mineral,))]
    p = p[in_force(p, on)]
    return sorted(set(expand_members(p["jurisdiction"])))


def exposure(prod: pd.DataFrame | None, policies: pd.DataFrame | None, *, country: str | None = None,
             on: dt.date | None = None) -> pd.DataFrame:
    """For each mineral: the share of world supply held by countries with export controls in
    force on it (``country`` itself left out: its own measures are not its exposure).

    Columns: mineral, controllers (list), mining_share, mining_year, refining_share,
    refining_year, source, as_of. Shares are NaN where the Atlas has no data for that stage.
    """
    rows = []
    for mineral in minerals_with_supply(prod):
        who = [c for c in controllers(policies, mineral, on=on) if c != country]
        row = {"mineral": mineral, "controllers": who}
        sources, dates = [], []
        for stage in ("mining", "refining"):
            s = best_shares(prod, mineral, stage)
            if s is None:
                row[f"{stage}_share"], row[f"{stage}_year"] = float("nan"), None
                continue
            t = s.countries
            row[f"{stage}_share"] = float(t.loc[t["country"].isin(who), "share"].dropna().sum())
            row[f"{stage}_year"] = s.year
            src, _url, asof = _source_of(s)
            sources.append(src)
            dates.append(asof)
        row["source"] = "; ".join(dict.fromkeys(sources))
        row["as_of"] = max(dates) if dates else ""
        rows.append(row)
    cols = ["mineral", "controllers", "mining_share", "mining_year", "refining_share", "refining_year",
            "source", "as_of"]
    out = pd.DataFrame(rows, columns=cols)
    key = out[["mining_share", "refining_share"]].max(axis=1)
    return out.assign(_k=key).sort_values("_k", ascending=False).drop(columns="_k").reset_index(drop=True)


# --- sites and dates ---------------------------------------------------------------------------

def facilities_asof(fac: pd.DataFrame, on: dt.date | None) -> tuple[pd.DataFrame, int]:
    """Sites known to be operating by ``on``: started in or before that year and not a project
    today. Returns (sites, number of operating sites left out for lack of a start year).

    A site closed today is kept if it had started by then (the data has no closure dates)."""
    if on is None:
        return fac, 0
    ran = fac["status"].isin(WAS_OPERATING)
    year = pd.to_numeric(fac["start_year"], errors="coerce")
    known = ran & year.notna() & (year <= on.year)
    unknown = int((ran & year.isna()).sum())
    return fac[known].reset_index(drop=True), unknown


def sites_of(fac: pd.DataFrame | None, country: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(sites in ``country``, sites abroad whose controlling owner is from ``country``)."""
    if fac is None:
        empty = pd.DataFrame()
        return empty, empty
    home = fac[fac["country"] == country].reset_index(drop=True)
    abroad = fac[(fac["owner_country"] == country) & (fac["country"] != country)].reset_index(drop=True)
    return home, abroad


# --- policies ----------------------------------------------------------------------------------

PHASES = ("announced", "in force", "suspended", "ended, date not recorded")


def policy_phases(policies: pd.DataFrame, today: dt.date) -> pd.DataFrame:
    """One row per phase of each measure: announced -> in force -> suspended, up to its expiry
    (or ``today`` if it has none). Columns: id, jurisdiction, name, type, status, minerals,
    phase, start, end, source, source_url, as_of. Measures with no usable date are left out."""
    rows = []
    for r in policies.to_dict("records"):
        a = parse_partial_date(r.get("announced"))
        e = parse_partial_date(r.get("effective"))
        s = parse_partial_date(r.get("suspended"))
        x = parse_partial_date(r.get("expires"), end=True)
        status = r.get("status")
        stop = min(d for d in (x, today) if d is not None)
        start_force = e or (a if status in ("in_force", "suspended", "expired", "superseded", "repealed") else None)
        spans = []
        if a is not None:
            spans.append(("announced", a, start_force or stop))
        if start_force is not None and status in ENDED and s is None and x is None:
            spans.append(("ended, date not recorded", start_force, today))
        elif start_force is not None:
            spans.append(("in force", start_force, min(d for d in (s, stop) if d is not None)))
        if s is not None:
            spans.append(("suspended", s, stop))
        for phase, start, end in spans:
            if end < start:
                continue
            end = max(end, start + dt.timedelta(days=14))  # a one-day phase must still be visible
            rows.append({**{k: r.get(k) for k in ("id", "jurisdiction", "name", "type", "status", "minerals",
                                                   "source", "source_url", "as_of")},
                         "phase": phase, "start": start, "end": end})
    cols = ["id", "jurisdiction", "name", "type", "status", "minerals", "phase", "start", "end",
            "source", "source_url", "as_of"]
    return pd.DataFrame(rows, columns=cols)


def lapsed_statuses(policies: pd.DataFrame | None, today: dt.date) -> pd.DataFrame:
    """Measures whose recorded status has outlived its own end date: a suspension or a measure in
    force whose ``expires`` date has passed by ``today``. What followed is not in the data, so the
    page says so instead of presenting the old status as current. Columns: id, jurisdiction, name,
    status, expires, as_of, sorted by end date."""
    cols = ["id", "jurisdiction", "name", "status", "expires", "as_of"]
    if policies is None or policies.empty:
        return pd.DataFrame(columns=cols)
    live = policies[policies["status"].isin(["suspended", "in_force"])]
    ended = live["expires"].map(lambda v: (d := parse_partial_date(v, end=True)) is not None and d < today)
    return live.loc[ended.astype(bool), cols].sort_values("expires").reset_index(drop=True)


def filter_policies(policies: pd.DataFrame, *, countries=(), minerals=(), types=(),
                    on: dt.date | None = None) -> pd.DataFrame:
    """Measures of ``countries`` (an EU measure counts for a member state), naming ``minerals``,
    of ``types``, and in force on ``on`` when given."""
    p = policies
    if countries:
        wanted = set(countries)
        eu = bool(wanted & set(EU27))
        p = p[p["jurisdiction"].isin(wanted) | ((p["jurisdiction"] == "EUU") & eu)]
    if minerals:
        p = p[mentions(p["minerals"], tuple(minerals))]
    if types:
        p = p[p["type"].isin(types)]
    if on is not None:
        p = p[in_force(p, on)]
    return p.reset_index(drop=True)


# --- partnerships ------------------------------------------------------------------------------

def membership_matrix(partnerships: pd.DataFrame, members: pd.DataFrame, *,
                      on: dt.date | None = None) -> pd.DataFrame:
    """Members (rows, ISO3 incl. EUU) x partnerships (columns, short names): the join date, or
    "" if not a member. Members with most partnerships first."""
    names = dict(zip(partnerships["id"], partnerships["short_name"]))
    m = members[members["partnership"].isin(names)]
    if on is not None:
        m = m[m["joined"].map(lambda d: (parse_partial_date(d) or dt.date.min) <= on)]
    joined = m.assign(col=m["partnership"].map(names), joined=m["joined"].fillna("member"))
    wide = joined.pivot_table(index="member", columns="col", values="joined", aggfunc="first").fillna("")
    order = [names[p] for p in partnerships["id"] if names[p] in wide.columns]
    wide = wide[order]
    counts = (wide != "").sum(axis=1)
    return wide.loc[counts.sort_values(ascending=False, kind="stable").index]


def partnership_members(members: pd.DataFrame | None, partnership: str, *,
                        on: dt.date | None = None) -> list[str]:
    """Member ISO3 codes of one partnership, the EU expanded to its 27 member states."""
    if members is None:
        return []
    m = members[members["partnership"] == partnership]
    if on is not None:
        m = m[m["joined"].map(lambda d: (parse_partial_date(d) or dt.date.min) <= on)]
    return expand_members(m["member"])


def bloc_totals(prod: pd.DataFrame | None, members, *, minerals=(), rival: str = "CHN") -> pd.DataFrame:
    """For each mineral: the bloc's combined share of world mining and refining next to
    ``rival``'s. ``members`` may contain EUU. Columns: mineral, stage, year, bloc_share,
    rival_share, bloc_producers (ISO3 list), withheld (bloc members whose value is withheld),
    source, source_url, as_of."""
    bloc = set(expand_members(members))
    rows = []
    for stage in ("mining", "refining"):
        for mineral in minerals_with_supply(prod, stage):
            if minerals and mineral not in minerals:
                continue
            s = best_shares(prod, mineral, stage)
            if s is None:
                continue
            t = s.table[~s.table["country"].isin(AGGREGATES)]
            mine = t[t["country"].isin(bloc)]
            producing = mine[mine["share"].fillna(0) > 0]
            src, url, asof = _source_of(s)
            rows.append({"mineral": mineral, "stage": stage, "year": s.year,
                         "bloc_share": float(mine["share"].dropna().sum()),
                         "rival_share": s.share_of(rival) if s.share_of(rival) is not None else float("nan"),
                         "bloc_producers": sorted(producing["country"]),
                         "withheld": sorted(mine.loc[mine["value"].isna(), "country"]),
                         "source": src, "source_url": url, "as_of": asof})
    cols = ["mineral", "stage", "year", "bloc_share", "rival_share", "bloc_producers", "withheld",
            "source", "source_url", "as_of"]
    return pd.DataFrame(rows, columns=cols)


# --- what-if -----------------------------------------------------------------------------------

def shock(prod: pd.DataFrame | None, exporter: str, minerals, stage: str, withheld: float) -> pd.DataFrame:
    """Per mineral: share of world supply cut, HHI before and after, the new top producer.
    Columns: mineral, year, exporter_share, cut_share, hhi_before, hhi_after, new_top,
    new_top_share, source, source_url, as_of."""
    rows = []
    for mineral in minerals:
        s = best_shares(prod, mineral, stage)
        if s is None:
            continue
        w = what_if(s, exporter, withheld)
        top = w.remaining.dropna(subset=["share_after"])
        src, url, asof = _source_of(s)
        rows.append({"mineral": mineral, "year": s.year,
                     "exporter_share": s.share_of(exporter) if s.share_of(exporter) is not None else 0.0,
                     "cut_share": w.cut_share, "hhi_before": w.hhi_before, "hhi_after": w.hhi_after,
                     "new_top": top["country"].iloc[0] if len(top) else None,
                     "new_top_share": float(top["share_after"].iloc[0]) if len(top) else float("nan"),
                     "source": src, "source_url": url, "as_of": asof})
    cols = ["mineral", "year", "exporter_share", "cut_share", "hhi_before", "hhi_after", "new_top",
            "new_top_share", "source", "source_url", "as_of"]
    return pd.DataFrame(rows, columns=cols)


def substitutes(fac: pd.DataFrame | None, exporter: str, minerals, stage: str,
                partnerships: pd.DataFrame | None = None, members: pd.DataFrame | None = None) -> pd.DataFrame:
    """Sites outside ``exporter`` at the matching stage (mining -> mines, refining ->
    processing plants) for ``minerals``, operating first; with the partnerships their host
    country belongs to and whether the exporter's companies control them."""
    if fac is None:
        return pd.DataFrame()
    want = SUPPLY_TO_FACILITY_STAGE.get(stage, stage)
    f = fac[(fac["stage"] == want) & (fac["country"] != exporter) & mentions(fac["minerals"], tuple(minerals))]
    held: dict[str, list[str]] = {}
    if partnerships is not None and members is not None:
        short = dict(zip(partnerships["id"], partnerships["short_name"]))
        for pid, member in zip(members["partnership"], members["member"]):
            for c in expand_members([member]):
                if pid in short and short[pid] not in held.setdefault(c, []):
                    held[c].append(short[pid])
    order = {s: i for i, s in enumerate(STATUS_ORDER)}
    out = f.assign(
        partnerships=f["country"].map(lambda c: ", ".join(held.get(c, []))),
        exporter_controlled=f["owner_country"].eq(exporter),
        _o=f["status"].map(order),
        _m=f["minerals"].map(lambda v: ";".join(m for m in split_ids(v) if m in set(minerals))),
    )
    out = out.sort_values(["_o", "exporter_controlled", "country", "name"]).drop(columns=["_o"])
    return out.rename(columns={"_m": "matching"}).reset_index(drop=True)
