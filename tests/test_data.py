"""The curated data itself: schemas, references, geography, sums, provenance, starter set."""

import pandas as pd
import pytest

from geo import checks
from geo.atlas import load_atlas
from geo.filters import split_ids
from geo.schema import TABLES
from geo.validate import all_issues, exceptions


@pytest.fixture(scope="module")
def atlas():
    return load_atlas()


def test_every_table_loads_without_a_single_bad_row(atlas):
    for name, table in atlas.tables.items():
        assert table.ok, f"{name}: {[str(i) for i in table.issues[:5]]}"
        assert table.issues == [], f"{name}: {[str(i) for i in table.issues[:5]]}"


def test_validate_finds_no_errors(atlas):
    errors = [str(i) for i in all_issues(atlas) if i.severity == "error"]
    assert errors == []


def test_validate_warns_about_statuses_that_ran_past_their_end_date(atlas):
    import datetime as dt

    pol = atlas.df("policies.csv")
    before = checks.lapsed_statuses(pol, dt.date(2026, 11, 1))
    after = checks.lapsed_statuses(pol, dt.date(2026, 12, 2))
    assert before == []
    assert {i.row_id for i in after} >= {"chn-october-2025-rare-earth-controls", "chn-us-ga-ge-sb-ban-2024"}
    assert all(i.severity == "warning" and "2026-11" in i.message for i in after)


def test_every_facility_lies_in_its_country(atlas):
    fac = atlas.df("facilities.csv")
    assert checks.points_in_countries(fac, atlas.boundaries, exceptions=exceptions(atlas)) == []


def test_point_check_catches_a_misplaced_site(atlas):
    fac = atlas.df("facilities.csv").head(3).copy()
    fac.loc[fac.index[0], ["lat", "lon"]] = [48.85, 2.35]  # Paris, whatever the country says
    fac.loc[fac.index[0], "country"] = "AUS"
    issues = checks.points_in_countries(fac, atlas.boundaries)
    assert len(issues) == 1 and "outside AUS; the point is in FRA" in issues[0].message


def test_every_facility_says_how_exact_its_point_is(atlas):
    fac = atlas.df("facilities.csv")
    assert fac["location"].isin(["site", "area", "town"]).all()
    # a town-centre point is approximate by definition: never above 'low'
    assert fac.loc[fac["location"].eq("town"), "confidence"].eq("low").all()
    # the sites the seed articles name are located on the site itself
    located = fac.set_index("id")["location"]
    assert located[["mountain-pass", "lynas-kuantan", "mount-weld", "tenke-fungurume"]].eq("site").all()


def test_town_check_names_the_row_that_claims_too_much(atlas):
    fac = atlas.df("facilities.csv")
    town = fac[fac["location"].eq("town")].head(2).copy()
    town.loc[town.index[0], "confidence"] = "medium"
    issues = checks.town_points_are_low_confidence(town)
    assert [(i.row_id, i.column) for i in issues] == [(town.iloc[0]["id"], "confidence")]
    assert "'town'" in issues[0].message and "at most 'low'" in issues[0].message


def test_every_row_has_a_real_source_url_and_as_of(atlas):
    for name in TABLES:
        df = atlas.df(name)
        if df is None or "source_url" not in df.columns:
            continue
        assert df["source_url"].str.match(r"^https?://[^/]+\.[a-z]{2,}(:\d+)?/").all(), name
        assert df["as_of"].notna().all(), name
    assert checks.placeholder_urls(atlas) == []


def test_production_sums_respect_world_totals(atlas):
    assert [i for i in checks.production_sums(atlas.df("production.csv")) if i.severity == "error"] == []
    prod = atlas.df("production.csv")
    bad = prod.copy()
    row = bad[(bad.country == "COD") & (bad.mineral == "cobalt") & (bad.measure == "production")].index[0]
    bad.loc[row, "value"] = 10_000_000
    assert any("exceeds the world total" in i.message for i in checks.production_sums(bad))


def test_withheld_values_are_not_zero(atlas):
    prod = atlas.df("production.csv")
    w = prod[prod["withheld"].eq("W")]
    assert len(w) > 0 and w["value"].isna().all()


def test_an_empty_value_always_says_why(atlas):
    # W (withheld), NA (not available) or Large (USGS prints "Large", e.g. Dead Sea potash): a blank
    # never stands for an unknown reason, and a code never sits beside a number
    prod = atlas.df("production.csv")
    blank = prod[prod["value"].isna()]
    assert blank["withheld"].isin(["W", "NA", "Large"]).all(), blank[blank["withheld"].isna()][
        ["mineral", "measure", "country", "year"]].to_string()
    assert prod.loc[prod["withheld"].notna(), "value"].isna().all()
    assert set(prod.loc[prod["withheld"].eq("Large"), "country"]) == {"ISR", "JOR", "WLD"}


def test_corrections_name_a_table_and_a_reason():
    corr = pd.read_csv("data/corrections.csv", dtype=str)
    assert {"table", "id", "what", "reason"} <= set(corr.columns)
    assert corr["reason"].str.len().gt(10).all()
    assert set(corr["table"]) <= set(TABLES)


STARTER_SITES = ["mountain-pass", "mount-weld", "lynas-kuantan", "tenke-fungurume", "kamoto", "mutanda",
                 "kisanfu", "kamoa-kakula"]


def test_starter_set_sites_are_present(atlas):
    fac = atlas.df("facilities.csv").set_index("id")
    for sid in STARTER_SITES:
        assert sid in fac.index, sid
    assert fac.loc["lynas-kuantan", "country"] == "MYS" and fac.loc["mountain-pass", "country"] == "USA"
    # DRC cobalt feeds Chinese refineries: there are Chinese cobalt processing sites
    chn = fac[(fac.country == "CHN") & (fac.stage == "processing")]
    assert chn["minerals"].map(lambda v: "cobalt" in split_ids(v)).any()


@pytest.mark.parametrize("needle,column,table", [
    ("Title III", "name", "policies.csv"),
    ("Critical Minerals Strategy", "name", "policies.csv"),
    ("Economic Security Promotion Act", "name", "policies.csv"),
    ("JOGMEC", "name", "policies.csv"),
    ("Critical Raw Materials Act", "name", "policies.csv"),
    ("Minerals Security Partnership", "name", "partnerships.csv"),
    # the rest of what the five seed articles (../shared/seeds) name
    ("Vault", "name", "policies.csv"),                          # the US "Project Vault" stockpile
    ("stake", "name", "policies.csv"),                          # US equity stakes in miners
    ("Framework for Securing the Supply", "name", "partnerships.csv"),   # US-Japan, Oct 2025
    ("Investment Ministerial", "name", "partnerships.csv"),     # ... its ministerial within 180 days
    ("Rapid Response Group", "name", "partnerships.csv"),       # ... and its rapid response group
    ("EU-US-Japan", "name", "partnerships.csv"),                # the EU-US-Japan alliance
    ("rare earth", "title", "events.csv"),                      # the 2010 China-Japan episode (date checked below)
    ("Lynas", "title", "events.csv"),                           # Japan backing Lynas
])
def test_starter_set_programmes_are_findable(atlas, needle, column, table):
    df = atlas.df(table)
    hits = df[df[column].str.contains(needle, case=False) | df["summary"].str.contains(needle, case=False)]
    assert len(hits) > 0, f"{needle} not in {table}"


def test_seed_places_and_the_2010_episode_are_findable(atlas):
    fac = atlas.df("facilities.csv").set_index("id")
    assert fac.loc["rosario-copper", "country"] == "CHL"     # Pan Asia Metals, Chile
    assert fac.loc["beskauga", "country"] == "KAZ"           # Arras Minerals, Pavlodar region
    assert fac.loc["buritica", "country"] == "COL" and "Zijin" in fac.loc["buritica", "operator"]
    ev = atlas.df("events.csv")
    episode = ev[ev["date"].astype(str).str.startswith("2010") & ev["countries"].str.contains("JPN")
                 & ev["countries"].str.contains("CHN")]
    assert len(episode) >= 2
    pol = atlas.df("policies.csv")
    stock = pol[(pol["type"] == "stockpile") | pol["summary"].str.contains("stockpil", case=False)]
    assert {"USA", "JPN", "KOR"} <= set(stock["jurisdiction"])   # stockpiles the seeds name (Japan's: JOGMEC)


def test_us_japan_framework_2025_and_china_controls(atlas):
    par = atlas.df("partnerships.csv")
    assert par["launched"].fillna("").str.startswith("2025-10").any()
    pol = atlas.df("policies.csv")
    china = pol[(pol.jurisdiction == "CHN") & pol.type.isin(["export_control", "export_ban"])]
    assert len(china) >= 5
    assert china["minerals"].map(lambda v: "gallium" in split_ids(v)).any()


def test_sources_md_is_up_to_date(atlas):
    from geo.sources import licence_for, sources_markdown

    assert open("data/SOURCES.md").read() == sources_markdown(atlas), "run python scripts/build_sources.py"
    assert licence_for("https://pubs.usgs.gov/periodicals/mcs2025/mcs2025-cobalt.pdf").startswith("Public domain")
    assert licence_for("https://www.iea.org/reports/x") == "CC BY 4.0 (IEA)"
    assert licence_for("https://www.gov.uk/government/x") == "Open Government Licence v3.0"


def test_world_rows_sum_check_notes_are_still_true(atlas):
    prod = atlas.df("production.csv")
    assert checks.sum_check_notes(prod) == []

    def without(mineral, country, year):
        return prod.drop(index=prod[(prod.mineral == mineral) & (prod.country == country)
                                    & (prod.year == year)].index[0])

    # a country row taken out (or added) without redoing the world row's note: the note is named
    (found,) = checks.sum_check_notes(without("bismuth", "LAO", 2023))
    assert (found.row_id, found.column) == ("bismuth/refining/production/2023/WLD", "notes")
    assert found.message == ("bismuth/refining/production/2023: the note's sum check says the country rows "
                             "sum to 16,244, they sum to 15,094")
    assert "line" in str(found)  # the message names the file's line too
    # the other-countries row gone: the sum is off and "incl. OTH" is no longer true
    found = [i.message for i in checks.sum_check_notes(without("baryte", "OTH", 2023))]
    assert len(found) == 2 and "7,766" in found[0] and "no other-countries value" in found[1]
    # a world value changed under its note
    bad = prod.copy()
    bad.loc[(bad.mineral == "indium") & (bad.country == "WLD") & (bad.year == 2023), "value"] = 1100
    assert [i.message for i in checks.sum_check_notes(bad)] == [
        "indium/refining/production/2023: the note's sum check names world 1,020, the row's value is 1,100"]
