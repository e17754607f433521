"""pandera schemas for every curated table in ``data/``.

Each table is read as text, then validated lazily so that *every* bad row is reported with
its row number, id and column. Cross-table references (mineral ids, facility ids, partnership
ids) are checked in :mod:`geo.validate`.
"""

from __future__ import annotations

import pandera.pandas as pa
from pandera.pandas import Check, Column

from geo.countries import is_iso3

STAGES = ("mining", "processing", "manufacturing", "recycling")
STATUSES = ("operating", "construction", "development", "exploration",
            "care_and_maintenance", "closed")
CONFIDENCE = ("high", "medium", "low")
#: How exact a facility's point is: the site itself (plant, pit, deposit centre, from a named
#: source), somewhere in its area (industrial park, salar, concession: within ~10 km), or only the
#: centre of the nearest town (the site itself not located).
LOCATIONS = ("site", "area", "town")
PRODUCTION_STAGES = ("mining", "refining")
MEASURES = ("production", "reserves", "share")
POLICY_TYPES = ("strategy", "law", "critical_list", "fund", "agency", "stockpile", "equity_stake",
                "dpa_award", "loan", "grant", "price_floor", "export_control", "export_ban",
                "export_quota", "tax_credit", "investment_screening", "other")
POLICY_STATUSES = ("announced", "proposed", "in_force", "suspended", "expired", "repealed",
                   "superseded", "withdrawn")  # withdrawn: a proposal dropped before it took effect
PARTNERSHIP_TYPES = ("multilateral", "plurilateral", "bilateral", "corridor", "framework",
                     "agreement")
EVENT_TYPES = ("export_control", "policy", "partnership", "investment", "plant_opening",
               "supply_shock", "diplomatic", "legal", "other")
MEMBER_ROLES = ("member", "founding member", "observer", "partner", "signatory", "chair", "convener")

SLUG = r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$"
MINERAL_ID = r"^[a-z]+(?:_[a-z]+)*$"
MINERAL_LIST = r"^(?:all|[a-z]+(?:_[a-z]+)*(?:;[a-z]+(?:_[a-z]+)*)*)$"
DATE = r"^\d{4}(?:-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12]\d|3[01]))?)?$"
URL = r"^https?://[^\s/$.?#][^\s]*$"

_iso3 = Check(lambda s: s.map(is_iso3), element_wise=False, name="iso3",
              error="is not an ISO 3166-1 alpha-3 code")
_iso3_or_bloc = Check(lambda s: s.map(lambda v: v == "EUU" or is_iso3(v)), name="iso3_or_EUU",
                      error="is not an ISO 3166-1 alpha-3 code or EUU")
_iso3_or_world = Check(lambda s: s.map(lambda v: v in ("WLD", "OTH") or is_iso3(v)),
                       name="iso3_or_WLD_OTH", error="is not an ISO3 code, WLD or OTH")


def _text(nullable: bool = False, **kw) -> Column:
    checks = kw.pop("checks", [])
    if not nullable:
        checks = [Check.str_length(min_value=1), *checks]
    return Column(str, checks=checks, nullable=nullable, coerce=True, **kw)


def _isin(values, nullable: bool = False) -> Column:
    return Column(str, Check.isin(list(values)), nullable=nullable, coerce=True)


def _regex(pattern: str, nullable: bool = False, **kw) -> Column:
    return Column(str, Check.str_matches(pattern), nullable=nullable, coerce=True, **kw)


def _source_columns() -> dict[str, Column]:
    return {
        "source": _text(),
        "source_url": _regex(URL),
        "as_of": _regex(DATE),
    }


FACILITIES = pa.DataFrameSchema(
    {
        "id": _regex(SLUG, unique=True),
        "name": _text(),
        "stage": _isin(STAGES),
        "kind": _text(),
        "minerals": _regex(MINERAL_LIST),
        "country": Column(str, _iso3, coerce=True),
        "lat": Column(float, Check.in_range(-90, 90), coerce=True),
        "lon": Column(float, Check.in_range(-180, 180), coerce=True),
        "location": _isin(LOCATIONS),
        "status": _isin(STATUSES),
        "operator": _text(nullable=True),
        "owners": _text(nullable=True),
        "owner_country": Column(str, _iso3, nullable=True, coerce=True),
        "capacity": Column(float, Check.ge(0), nullable=True, coerce=True),
        "capacity_unit": _text(nullable=True),
        "start_year": Column("Int64", Check.in_range(1800, 2100), nullable=True, coerce=True),
        **_source_columns(),
        "confidence": _isin(CONFIDENCE),
        "notes": _text(nullable=True),
    },
    strict=False,
    name="facilities",
)

MINERALS = pa.DataFrameSchema(
    {
        "id": _regex(MINERAL_ID, unique=True),
        "name": _text(),
        "symbol": _text(nullable=True),
        "group": _text(),
        "us_2025": Column("boolean", nullable=True, coerce=True),
        "eu_crma_critical": Column("boolean", nullable=True, coerce=True),
        "eu_crma_strategic": Column("boolean", nullable=True, coerce=True),
        "uk_2024": Column("boolean", nullable=True, coerce=True),
        "japan": Column("boolean", nullable=True, coerce=True),
        **_source_columns(),
    },
    strict=False,
    name="minerals",
)

PRODUCTION = pa.DataFrameSchema(
    {
        "mineral": _regex(MINERAL_ID),
        "stage": _isin(PRODUCTION_STAGES),
        "measure": _isin(MEASURES),
        "country": Column(str, _iso3_or_world, coerce=True),
        "year": Column(int, Check.in_range(1990, 2100), coerce=True),
        "value": Column(float, Check.ge(0), nullable=True, coerce=True),
        "unit": _text(),
        "basis": _text(nullable=True),
        "withheld": Column(str, Check.isin(["W", "NA", "Large"]), nullable=True, coerce=True),
        **_source_columns(),
        "confidence": _isin(CONFIDENCE),
    },
    strict=False,
    name="production",
)

POLICIES = pa.DataFrameSchema(
    {
        "id": _regex(SLUG, unique=True),
        "jurisdiction": Column(str, _iso3_or_bloc, coerce=True),
        "name": _text(),
        "type": _isin(POLICY_TYPES),
        "minerals": _regex(MINERAL_LIST),
        "announced": _regex(DATE, nullable=True),
        "effective": _regex(DATE, nullable=True),
        "suspended": _regex(DATE, nullable=True),
        "expires": _regex(DATE, nullable=True),
        "status": _isin(POLICY_STATUSES),
        "summary": _text(),
        **_source_columns(),
        "confidence": _isin(CONFIDENCE),
    },
    strict=False,
    name="policies",
)

PARTNERSHIPS = pa.DataFrameSchema(
    {
        "id": _regex(SLUG, unique=True),
        "name": _text(),
        "short_name": _text(),
        "type": _isin(PARTNERSHIP_TYPES),
        "launched": _regex(DATE, nullable=True),
        "status": _text(),
        "minerals": _regex(MINERAL_LIST),
        "summary": _text(),
        **_source_columns(),
        "confidence": _isin(CONFIDENCE),
    },
    strict=False,
    name="partnerships",
)

PARTNERSHIP_MEMBERS = pa.DataFrameSchema(
    {
        "partnership": _regex(SLUG),
        "member": Column(str, _iso3_or_bloc, coerce=True),
        "joined": _regex(DATE, nullable=True),
        "role": _isin(MEMBER_ROLES),
        **_source_columns(),
    },
    strict=False,
    unique=["partnership", "member"],
    name="partnership_members",
)

EVENTS = pa.DataFrameSchema(
    {
        "id": _regex(SLUG, unique=True),
        "date": _regex(DATE),
        "title": _text(),
        "type": _isin(EVENT_TYPES),
        "countries": _text(nullable=True),
        "minerals": _regex(MINERAL_LIST, nullable=True),
        "summary": _text(),
        **_source_columns(),
        "confidence": _isin(CONFIDENCE),
    },
    strict=False,
    name="events",
)

FLOWS = pa.DataFrameSchema(
    {
        "id": _regex(SLUG, unique=True),
        "mineral": _regex(MINERAL_ID),
        "product": _text(),
        "from_country": Column(str, _iso3, coerce=True),
        "from_facility": _regex(SLUG, nullable=True),
        "to_country": Column(str, _iso3, coerce=True),
        "to_facility": _regex(SLUG, nullable=True),
        "year": Column(int, Check.in_range(1990, 2100), coerce=True),
        "quantity": Column(float, Check.ge(0), nullable=True, coerce=True),
        "unit": _text(nullable=True),
        "share_pct": Column(float, Check.in_range(0, 100), nullable=True, coerce=True),
        "ended": _regex(DATE, nullable=True, required=False),  # when a documented link stopped
        **_source_columns(),
        "confidence": _isin(CONFIDENCE),
    },
    strict=False,
    name="flows",
)

ORIGINS = pa.DataFrameSchema(
    {
        "file": _text(unique=True),
        "publisher": _text(),
        "title": _text(),
        "url": _regex(URL),
        "licence": _text(),
        "accessed": _regex(DATE),
        "description": _text(),
    },
    strict=False,
    name="origins",
)

#: file name -> (schema, id column used to name bad rows)
TABLES: dict[str, tuple[pa.DataFrameSchema, str | None]] = {
    "facilities.csv": (FACILITIES, "id"),
    "minerals.csv": (MINERALS, "id"),
    "production.csv": (PRODUCTION, None),
    "policies.csv": (POLICIES, "id"),
    "partnerships.csv": (PARTNERSHIPS, "id"),
    "partnership_members.csv": (PARTNERSHIP_MEMBERS, None),
    "events.csv": (EVENTS, "id"),
    "flows.csv": (FLOWS, "id"),
    "origins.csv": (ORIGINS, "file"),
}
