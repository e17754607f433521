"""``python -m geo.validate``: coverage counts and every problem found in ``data/``.

Exit status 0 when there are no errors (warnings are printed but allowed), 1 otherwise.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pandas as pd

from geo import checks
from geo.atlas import Atlas, load_atlas
from geo.filters import split_ids
from geo.load import Issue


def exceptions(atlas: Atlas) -> dict[str, str]:
    """Facility ids allowed outside their country polygon, with the reason (data/exceptions.csv)."""
    path = Path(atlas.data_dir) / "exceptions.csv" if atlas.data_dir else None
    if path is None or not path.exists():
        return {}
    df = pd.read_csv(path, dtype=str)
    df = df[df["check"].eq("point_in_country")]
    return dict(zip(df["id"], df["reason"]))


def all_issues(atlas: Atlas) -> list[Issue]:
    issues = list(atlas.issues)
    issues += checks.references(atlas)
    issues += checks.placeholder_urls(atlas)
    fac = atlas.df("facilities.csv")
    if fac is not None and atlas.boundaries is not None:
        issues += checks.points_in_countries(fac, atlas.boundaries, exceptions=exceptions(atlas))
    if fac is not None:
        issues += checks.town_points_are_low_confidence(fac)
    issues += checks.production_sums(atlas.df("production.csv"))
    issues += checks.sum_check_notes(atlas.df("production.csv"))
    issues += checks.lapsed_statuses(atlas.df("policies.csv"), dt.date.today())
    return issues


def coverage(atlas: Atlas) -> list[str]:
    lines = []
    for name, t in atlas.tables.items():
        if t.df is None:
            lines.append(f"{name:26s} NOT LOADED")
            continue
        df = t.df
        parts = [f"{len(df):5d} rows"]
        for col in ("country", "jurisdiction", "member"):
            if col in df.columns:
                parts.append(f"{df[col].nunique()} {col} codes")
        for col in ("minerals", "mineral"):
            if col in df.columns:
                ids = {m for v in df[col].dropna() for m in split_ids(v)} - {"all"}
                parts.append(f"{len(ids)} minerals")
        for col in ("confidence", "location"):   # location: facilities only
            if col in df.columns:
                shares = df[col].value_counts(normalize=True)
                parts.append(f"{col} " + ", ".join(f"{k} {v:.0%}" for k, v in shares.items()))
        if "stage" in df.columns and name == "facilities.csv":
            parts.append("stages " + ", ".join(f"{k} {v}" for k, v in df["stage"].value_counts().items()))
        lines.append(f"{name:26s} " + "; ".join(parts))
    return lines


def targets(atlas: Atlas) -> list[tuple[str, int, int]]:
    """(what, have, target) for the dataset's coverage goals."""
    fac = atlas.df("facilities.csv")
    prod = atlas.df("production.csv")
    pol = atlas.df("policies.csv")
    n = lambda df: 0 if df is None else len(df)  # noqa: E731
    out = [("minerals", n(atlas.df("minerals.csv")), 35)]
    if fac is not None:
        kinds = fac["kind"].str.lower()
        out += [
            ("facilities", len(fac), 300),
            ("facility countries", fac["country"].nunique(), 50),
            ("facility minerals", len({m for v in fac["minerals"] for m in split_ids(v)}), 20),
            ("mines/deposits/brines (mining stage)", int(fac["stage"].eq("mining").sum()), 120),
            ("processing/refining plants", int(fac["stage"].eq("processing").sum()), 80),
            ("manufacturing plants", int(fac["stage"].eq("manufacturing").sum()), 25),
            ("recycling plants", int((fac["stage"].eq("recycling") | kinds.str.contains("recycl")).sum()), 15),
        ]
    if prod is not None:
        mined = prod[(prod["stage"] == "mining") & (prod["measure"] == "production")]
        refined = prod[prod["stage"] == "refining"]
        out += [("minerals with mine production", mined["mineral"].nunique(), 25),
                ("minerals with refining data", refined["mineral"].nunique(), 8)]
    if pol is not None:
        out += [("policies", len(pol), 80), ("policy jurisdictions", pol["jurisdiction"].nunique(), 30)]
    out += [("partnerships", n(atlas.df("partnerships.csv")), 20), ("events", n(atlas.df("events.csv")), 60),
            ("flows", n(atlas.df("flows.csv")), 40)]
    return out


def main(argv: list[str] | None = None) -> int:
    data_dir = Path(argv[0]) if argv else None
    atlas = load_atlas(data_dir)
    print("Coverage")
    for line in coverage(atlas):
        print("  " + line)
    print("Coverage targets")
    for what, have, want in targets(atlas):
        print(f"  {'ok ' if have >= want else 'LOW'} {what}: {have} (target {want})")
    issues = all_issues(atlas)
    errors = [i for i in issues if i.severity == "error"]
    warnings = [i for i in issues if i.severity != "error"]
    for label, group in (("Errors", errors), ("Warnings", warnings)):
        if group:
            print(f"{label} ({len(group)})")
            for i in group:
                print("  " + str(i))
    print(f"{len(errors)} errors, {len(warnings)} warnings")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
