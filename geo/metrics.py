"""Supply-concentration metrics: shares of world, Herfindahl–Hirschman index, top-k, blocs, what-if.

Conventions (stated on the pages that use them):

- a country's share is its value over the world total (``WLD``) of the same mineral, stage,
  measure, year and basis; if the source gives no world total, over the sum of the rows;
- USGS "W" (withheld) and "NA" rows have no value: they get no share, are listed as withheld,
  and make every figure computed from the table a lower bound for that country;
- ``OTH`` ("other countries") is an aggregate: it counts in the world total but is excluded
  from the HHI and from rankings (so the HHI is a slight under-estimate);
- HHI is on the 0–10,000 scale (shares in percent, squared, summed).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

AGGREGATES = ("WLD", "OTH")


@dataclass(frozen=True)
class Shares:
    """Shares of world supply for one mineral, stage, measure, year and basis."""

    mineral: str
    stage: str
    measure: str
    year: int | None
    basis: str | None
    unit: str | None
    world: float | None
    table: pd.DataFrame  # country, value, share (0-1), withheld, source, source_url, as_of
    notes: list[str] = field(default_factory=list)

    @property
    def countries(self) -> pd.DataFrame:
        """Rows for real countries (no WLD/OTH), largest share first."""
        t = self.table[~self.table["country"].isin(AGGREGATES)]
        return t.sort_values("share", ascending=False, na_position="last").reset_index(drop=True)

    def share_of(self, country: str) -> float | None:
        row = self.table[self.table["country"] == country]
        if row.empty or pd.isna(row["share"].iloc[0]):
            return None
        return float(row["share"].iloc[0])


def _pick(prod: pd.DataFrame, mineral: str, stage: str, measure: str) -> pd.DataFrame:
    return prod[(prod["mineral"] == mineral) & (prod["stage"] == stage) & (prod["measure"] == measure)]


def available(prod: pd.DataFrame | None, mineral: str) -> pd.DataFrame:
    """Which (stage, measure, basis, year) combinations the data has for ``mineral``."""
    if prod is None:
        return pd.DataFrame(columns=["stage", "measure", "basis", "year"])
    p = prod[prod["mineral"] == mineral]
    return (p[["stage", "measure", "basis", "year"]].drop_duplicates()
            .sort_values(["stage", "measure", "basis", "year"]).reset_index(drop=True))


def shares(prod: pd.DataFrame, mineral: str, stage: str = "mining", *, measure: str = "production",
           year: int | None = None, basis: str | None = None) -> Shares:
    """Shares of world supply. ``year=None`` takes the latest year with data; ``basis=None`` the
    basis with most rows (e.g. PGMs are split into platinum and palladium)."""
    p = _pick(prod, mineral, stage, measure)
    notes: list[str] = []
    if p.empty:
        empty = pd.DataFrame(columns=["country", "value", "share", "withheld", "source", "source_url", "as_of"])
        return Shares(mineral, stage, measure, year, basis, None, None, empty, ["no data"])
    if basis is None:
        counts = p["basis"].fillna("").value_counts()
        basis = counts.index[0] or None
        if len(counts) > 1:
            notes.append("other bases available: " + ", ".join(b for b in counts.index[1:] if b))
    p = p[p["basis"].fillna("") == (basis or "")]
    if year is None:
        with_values = p[p["value"].notna()]
        year = int((with_values if not with_values.empty else p)["year"].max())
    p = p[p["year"] == year]
    unit = p["unit"].iloc[0] if not p.empty else None
    cols = ["country", "value", "withheld", "source", "source_url", "as_of"]
    t = p[cols].copy()
    t["value"] = pd.to_numeric(t["value"], errors="coerce")
    if measure == "share":  # values are already percent of world
        t["share"] = t["value"] / 100.0
        world = 100.0
        if t["share"].sum() < 0.999:
            notes.append("the source gives only the largest producers' shares: HHI and top-k are lower bounds")
    else:
        wld = t.loc[t["country"] == "WLD", "value"].dropna()
        if not wld.empty and float(wld.iloc[0]) > 0:
            world = float(wld.iloc[0])
        elif t["value"].notna().sum() >= 3:
            world = float(t.loc[t["country"] != "WLD", "value"].sum()) or None
            notes.append("no world total in the source: shares are of the listed countries")
        else:
            world = None
            notes.append("no world total and too few countries to compute shares")
        t["share"] = t["value"] / world if world else float("nan")
    n_withheld = int(t["value"].isna().sum())
    if n_withheld:
        notes.append(f"{n_withheld} withheld or unavailable value(s): those countries have no share")
    return Shares(mineral, stage, measure, int(year), basis, unit, world, t.reset_index(drop=True), notes)


def hhi(s: Shares | pd.Series) -> float | None:
    """Herfindahl–Hirschman index (0–10,000) over real countries with a share."""
    series = s.countries["share"] if isinstance(s, Shares) else s
    vals = pd.to_numeric(series, errors="coerce").dropna()
    if vals.empty:
        return None
    return float(((vals * 100) ** 2).sum())


def top_k(s: Shares, k: int) -> float | None:
    """Combined share of the ``k`` largest countries (0–1)."""
    vals = s.countries["share"].dropna()
    if vals.empty:
        return None
    return float(vals.nlargest(k).sum())


def bloc_share(s: Shares, members) -> float:
    """Combined share (0–1) of the countries in ``members`` (a bloc with no producers gives 0)."""
    members = set(members)
    t = s.table[s.table["country"].isin(members) & ~s.table["country"].isin(AGGREGATES)]
    return float(t["share"].dropna().sum())


@dataclass(frozen=True)
class WhatIf:
    exporter: str
    withheld_fraction: float
    cut_share: float           # share of world supply removed (0-1)
    hhi_before: float | None
    hhi_after: float | None
    remaining: pd.DataFrame    # country, value, share_before, share_after (largest first)


def what_if(s: Shares, exporter: str, withheld: float = 1.0) -> WhatIf:
    """Remove ``withheld`` (0–1) of ``exporter``'s supply; re-share what is left.

    No stocks, no substitution, no demand response: the remaining producers' shares of a
    smaller world total.
    """
    withheld = min(max(float(withheld), 0.0), 1.0)
    t = s.table[s.table["country"] != "WLD"].copy()
    if s.measure == "share":
        t["value"] = t["share"] * 100.0
    world = s.world if s.world else float(t["value"].sum())
    ex_value = float(t.loc[t["country"] == exporter, "value"].fillna(0).sum())
    cut = ex_value * withheld
    t.loc[t["country"] == exporter, "value"] = ex_value - cut
    new_world = world - cut
    t["share_before"] = t["share"]
    t["share_after"] = t["value"] / new_world if new_world > 0 else float("nan")
    real = t[~t["country"].isin(AGGREGATES)]
    hhi_after = hhi(real["share_after"]) if new_world > 0 else None
    remaining = (real[["country", "value", "share_before", "share_after"]]
                 .sort_values("share_after", ascending=False, na_position="last").reset_index(drop=True))
    return WhatIf(exporter, withheld, cut / world if world else 0.0, hhi(s), hhi_after, remaining)
