"""Country-level themes for the map: strategies, partnerships, export controls."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from geo.countries import EU27, expand_members
from geo.filters import mentions

STRATEGY_TYPES = ("strategy", "law", "critical_list")
CONTROL_TYPES = ("export_control", "export_ban", "export_quota")
ENDED = ("expired", "superseded", "repealed", "withdrawn")


def parse_partial_date(value: object, *, end: bool = False) -> dt.date | None:
    """``"2023"`` / ``"2023-07"`` / ``"2023-07-03"`` -> a date (start of period, or end if ``end``)."""
    if not isinstance(value, str) or not value:
        return None
    parts = value.split("-")
    try:
        y = int(parts[0])
        if len(parts) == 1:
            return dt.date(y, 12, 31) if end else dt.date(y, 1, 1)
        m = int(parts[1])
        if len(parts) == 2:
            if end:
                nxt = dt.date(y + (m == 12), m % 12 + 1, 1)
                return nxt - dt.timedelta(days=1)
            return dt.date(y, m, 1)
        return dt.date(y, m, int(parts[2]))
    except (ValueError, IndexError):
        return None


def in_force(policies: pd.DataFrame, on: dt.date | None = None) -> pd.Series:
    """Mask of measures in force on date ``on`` (today's recorded status if ``on`` is None).

    A measure is in force on a day if it took effect on or before that day (``effective``, or
    ``announced`` when no effective date is known), and neither a suspension nor an expiry
    had started by then. A measure recorded as ended (expired, superseded, repealed, withdrawn)
    with no end date is not counted on any date: when it stopped is unknown, and the Atlas does
    not claim what it cannot date. A withdrawn proposal never took effect, so it never counts.
    """
    if on is None:
        return policies["status"].eq("in_force")

    def one(row) -> bool:
        start = parse_partial_date(row.get("effective")) or parse_partial_date(row.get("announced"))
        if start is None or start > on:
            return False
        never_took_effect = parse_partial_date(row.get("effective")) is None
        if row.get("status") in ("proposed", "announced", "withdrawn") and never_took_effect:
            return False
        ends = [parse_partial_date(row.get(col)) for col in ("suspended", "expires")]
        if row.get("status") in ENDED and all(d is None for d in ends):
            return False
        return not any(d is not None and d <= on for d in ends)

    return policies.apply(one, axis=1).astype(bool) if len(policies) else policies["status"].eq("x")


def country_policies(policies: pd.DataFrame | None, types: tuple[str, ...], *,
                     minerals: tuple[str, ...] = (), on: dt.date | None = None,
                     require_in_force: bool = False) -> dict[str, list[str]]:
    """ISO3 -> names of matching measures (EU measures count for each member state)."""
    if policies is None or policies.empty:
        return {}
    p = policies[policies["type"].isin(types)]
    if minerals:
        p = p[mentions(p["minerals"], minerals)]
    if require_in_force or on is not None:
        p = p[in_force(p, on)]
    out: dict[str, list[str]] = {}
    for code, name in zip(p["jurisdiction"], p["name"]):
        for c in (EU27 if code == "EUU" else [code]):
            out.setdefault(c, []).append(name if code != "EUU" else f"{name} (EU)")
    return out


def country_partnerships(partnerships: pd.DataFrame | None, members: pd.DataFrame | None, *,
                         on: dt.date | None = None) -> dict[str, list[str]]:
    """ISO3 -> short names of the partnerships it belongs to (EU membership expands)."""
    if partnerships is None or members is None:
        return {}
    names = dict(zip(partnerships["id"], partnerships["short_name"]))
    out: dict[str, list[str]] = {}
    for pid, member, joined in zip(members["partnership"], members["member"], members["joined"]):
        if pid not in names:
            continue
        if on is not None:
            d = parse_partial_date(joined)
            if d is not None and d > on:
                continue
        for c in expand_members([member]):
            lst = out.setdefault(c, [])
            if names[pid] not in lst:
                lst.append(names[pid])
    return out
