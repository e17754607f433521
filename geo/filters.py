"""Filtering the curated tables by mineral, country, stage and status."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from geo.countries import country_name


@dataclass(frozen=True)
class Filters:
    """What the sidebar selects. Empty tuples mean "all"."""

    minerals: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    stages: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()

    @property
    def active(self) -> bool:
        return bool(self.minerals or self.countries or self.stages or self.statuses)


def split_ids(value: object) -> list[str]:
    """``"cobalt;copper"`` -> ``["cobalt", "copper"]`` (missing -> ``[]``)."""
    if not isinstance(value, str):
        return []
    return [v.strip() for v in value.split(";") if v.strip()]


def mentions(series: pd.Series, wanted: tuple[str, ...] | list[str]) -> pd.Series:
    """Boolean mask: rows whose ``;``-list names any wanted id (``all`` matches everything)."""
    wanted = set(wanted)
    return series.map(lambda v: bool(wanted & set(split_ids(v))) or split_ids(v) == ["all"])


def filter_facilities(df: pd.DataFrame, f: Filters) -> pd.DataFrame:
    """Rows of ``facilities`` that match every active filter (same order, new index)."""
    mask = pd.Series(True, index=df.index)
    if f.minerals:
        mask &= mentions(df["minerals"], f.minerals)
    if f.countries:
        mask &= df["country"].isin(f.countries)
    if f.stages:
        mask &= df["stage"].isin(f.stages)
    if f.statuses:
        mask &= df["status"].isin(f.statuses)
    return df[mask].reset_index(drop=True)


def summary_line(df: pd.DataFrame) -> str:
    """One sentence describing the filtered sites, e.g. "37 processing sites in 12 countries"."""
    n = len(df)
    if n == 0:
        return "No sites match these filters"
    n_countries = df["country"].nunique()
    stages = df["stage"].value_counts()
    where = f"in {n_countries} {'country' if n_countries == 1 else 'countries'}"
    if n_countries == 1:
        where = f"in {country_name(df['country'].iloc[0])}"
    if len(stages) == 1:
        stage = stages.index[0]
        return f"{n} {stage} {'site' if n == 1 else 'sites'} {where}"
    parts = ", ".join(f"{c} {s}" for s, c in stages.items())
    return f"{n} sites {where} ({parts})"
