"""Analysis functions (countries, policies, partnerships, what-if) against hand-computed values."""

import datetime as dt

import pandas as pd
import pytest

from geo.analysis import (bloc_totals, controllers, country_supply, exposure, facilities_asof,
                          filter_policies, membership_matrix, partnership_members, policy_phases,
                          shock, sites_of, substitutes)


def _rows(mineral, stage, rows, measure="production", year=2024):
    return [dict(mineral=mineral, stage=stage, measure=measure, country=c, year=year, value=v, unit="t",
                 basis="content", withheld=w, source=f"USGS {mineral}", source_url="https://pubs.usgs.gov/x",
                 as_of="2025-01-31") for c, v, w in rows]


# cobalt mining: COD 70, IDN 10, AUS 5 (W for USA), OTH 15, world 100
# cobalt refining (shares): CHN 80, FIN 10
# lithium mining: AUS 40, CHL 25, CHN 20, OTH 15, world 100
PROD = pd.DataFrame(
    _rows("cobalt", "mining", [("COD", 70, None), ("IDN", 10, None), ("AUS", 5, None), ("USA", None, "W"),
                               ("OTH", 15, None), ("WLD", 100, None)])
    + _rows("cobalt", "refining", [("CHN", 80, None), ("FIN", 10, None)], measure="share")
    + _rows("lithium", "mining", [("AUS", 40, None), ("CHL", 25, None), ("CHN", 20, None), ("OTH", 15, None),
                                  ("WLD", 100, None)]))

POL = pd.DataFrame([
    dict(id="chn-li", jurisdiction="CHN", name="China lithium tech control", type="export_control",
         minerals="lithium", announced="2025-01", effective="2025-07-01", suspended=None, expires=None,
         status="in_force", source="MOFCOM", source_url="https://x.gov.cn/a", as_of="2025-07-01"),
    dict(id="cod-co", jurisdiction="COD", name="DRC cobalt export suspension", type="export_ban",
         minerals="cobalt", announced="2025-02-22", effective="2025-02-22", suspended=None, expires="2025-10-15",
         status="expired", source="ARECOMS", source_url="https://x.cd/b", as_of="2025-10-16"),
    dict(id="eu-crma", jurisdiction="EUU", name="CRMA", type="law", minerals="all",
         announced="2023-03-16", effective="2024-05-23", suspended=None, expires=None, status="in_force",
         source="EU", source_url="https://eur-lex.europa.eu/c", as_of="2024-05-23"),
    dict(id="chn-ga", jurisdiction="CHN", name="China gallium ban to US", type="export_ban",
         minerals="gallium", announced="2024-12-03", effective="2024-12-03", suspended="2025-11-09",
         expires="2026-11-27", status="suspended", source="MOFCOM", source_url="https://x.gov.cn/c",
         as_of="2025-11-09"),
])


def test_country_supply_gives_share_rank_and_source():
    t = country_supply(PROD, "CHN")
    assert list(zip(t["mineral"], t["stage"])) == [("lithium", "mining"), ("cobalt", "refining")]
    li = t.iloc[0]
    assert li["share"] == pytest.approx(0.20) and li["rank"] == 3 and li["source"] == "USGS lithium"
    assert t.iloc[1]["share"] == pytest.approx(0.80) and t.iloc[1]["unit"] == "% of world"


def test_country_supply_keeps_withheld_rows_without_a_share():
    t = country_supply(PROD, "USA")
    assert len(t) == 1 and t.iloc[0]["withheld"] == "W" and pd.isna(t.iloc[0]["share"])
    assert pd.isna(t.iloc[0]["rank"])


def test_country_with_nothing_gets_an_empty_table():
    assert country_supply(PROD, "JPN").empty
    assert country_supply(None, "JPN").empty


def test_controllers_follow_dates_and_expiry():
    assert controllers(POL, "lithium") == ["CHN"]
    assert controllers(POL, "lithium", on=dt.date(2025, 6, 30)) == []        # before it took effect
    assert controllers(POL, "cobalt", on=dt.date(2025, 3, 1)) == ["COD"]
    assert controllers(POL, "cobalt", on=dt.date(2025, 11, 1)) == []          # expired 2025-10-15
    assert controllers(POL, "gallium", on=dt.date(2025, 12, 1)) == []         # suspended


def test_exposure_is_the_controllers_share_of_world_supply():
    e = exposure(PROD, POL, on=dt.date(2025, 8, 1)).set_index("mineral")
    # lithium: CHN controls, mines 20% of world; no refining data for lithium
    assert e.loc["lithium", "controllers"] == ["CHN"]
    assert e.loc["lithium", "mining_share"] == pytest.approx(0.20)
    assert pd.isna(e.loc["lithium", "refining_share"])
    # cobalt: DRC export ban in force on 2025-08-01 -> 70% of mining, 0% of refining
    assert e.loc["cobalt", "mining_share"] == pytest.approx(0.70)
    assert e.loc["cobalt", "refining_share"] == pytest.approx(0.0)
    # a country's own measures are not its exposure
    mine = exposure(PROD, POL, country="CHN", on=dt.date(2025, 8, 1)).set_index("mineral")
    assert mine.loc["lithium", "mining_share"] == 0.0


def test_facilities_asof_keeps_sites_known_to_run_by_then():
    fac = pd.DataFrame({"id": list("abcde"), "status": ["operating", "operating", "construction", "closed",
                                                         "operating"],
                        "start_year": [2010, 2024, None, 2000, None]})
    shown, unknown = facilities_asof(fac, dt.date(2023, 6, 30))
    assert list(shown["id"]) == ["a", "d"] and unknown == 1
    assert facilities_asof(fac, None)[0] is fac


def test_sites_of_splits_home_and_abroad():
    fac = pd.DataFrame({"id": ["h", "a", "x"], "country": ["CHN", "COD", "COD"],
                        "owner_country": ["CHN", "CHN", "CHE"]})
    home, abroad = sites_of(fac, "CHN")
    assert list(home["id"]) == ["h"] and list(abroad["id"]) == ["a"]


def test_policy_phases_announced_in_force_suspended():
    ph = policy_phases(POL, dt.date(2026, 1, 1))
    ga = ph[ph["id"] == "chn-ga"].set_index("phase")
    assert ga.loc["in force", "start"] == dt.date(2024, 12, 3) and ga.loc["in force", "end"] == dt.date(2025, 11, 9)
    assert ga.loc["suspended", "start"] == dt.date(2025, 11, 9) and ga.loc["suspended", "end"] == dt.date(2026, 1, 1)
    li = ph[ph["id"] == "chn-li"].set_index("phase")
    assert li.loc["announced", "start"] == dt.date(2025, 1, 1) and li.loc["announced", "end"] == dt.date(2025, 7, 1)
    assert li.loc["in force", "end"] == dt.date(2026, 1, 1)
    co = ph[ph["id"] == "cod-co"].set_index("phase")
    assert co.loc["in force", "end"] == dt.date(2025, 10, 15)  # stops at expiry


def test_filter_policies_counts_eu_measures_for_member_states():
    assert set(filter_policies(POL, countries=("FRA",))["id"]) == {"eu-crma"}
    assert set(filter_policies(POL, minerals=("cobalt",))["id"]) == {"cod-co", "eu-crma"}  # 'all' matches
    assert set(filter_policies(POL, on=dt.date(2025, 3, 1))["id"]) == {"cod-co", "eu-crma", "chn-ga"}


PAR = pd.DataFrame({"id": ["msp", "usjp"], "short_name": ["MSP", "US-Japan"]})
MEM = pd.DataFrame({"partnership": ["msp", "msp", "msp", "usjp", "usjp"],
                    "member": ["USA", "EUU", "AUS", "USA", "JPN"],
                    "joined": ["2022-06-14", "2022-06-14", "2022-06-14", "2023-03-28", "2023-03-28"]})


def test_membership_matrix_has_join_dates_and_respects_asof():
    m = membership_matrix(PAR, MEM)
    assert m.loc["USA", "MSP"] == "2022-06-14" and m.loc["USA", "US-Japan"] == "2023-03-28"
    assert m.loc["AUS", "US-Japan"] == "" and m.index[0] == "USA"
    assert "US-Japan" not in membership_matrix(PAR, MEM, on=dt.date(2022, 12, 31)).columns


def test_bloc_totals_against_hand_computed_shares():
    members = partnership_members(MEM, "msp")
    assert "FIN" in members and "EUU" not in members  # the EU expands to its member states
    b = bloc_totals(PROD, members).set_index(["mineral", "stage"])
    assert b.loc[("cobalt", "mining"), "bloc_share"] == pytest.approx(0.05)     # AUS 5 (USA withheld)
    assert b.loc[("cobalt", "mining"), "withheld"] == ["USA"]
    assert b.loc[("cobalt", "refining"), "bloc_share"] == pytest.approx(0.10)   # FIN via the EU
    assert b.loc[("cobalt", "refining"), "rival_share"] == pytest.approx(0.80)
    assert b.loc[("lithium", "mining"), "bloc_share"] == pytest.approx(0.40)
    assert b.loc[("lithium", "mining"), "rival_share"] == pytest.approx(0.20)


def test_bloc_with_no_producing_member_is_zero_not_missing():
    b = bloc_totals(PROD, ["JPN"], minerals=("lithium",))
    assert b.iloc[0]["bloc_share"] == 0.0 and b.iloc[0]["bloc_producers"] == []


def test_shock_cuts_and_reshares():
    s = shock(PROD, "CHN", ["lithium", "cobalt"], "mining", 1.0).set_index("mineral")
    # lithium: 20 of 100 cut; AUS 40/80 = 50%; HHI before 1600+625+400 = 2625; after 2500+976.5625 = 3476.5625
    assert s.loc["lithium", "cut_share"] == pytest.approx(0.20)
    assert s.loc["lithium", "hhi_before"] == pytest.approx(2625)
    assert s.loc["lithium", "hhi_after"] == pytest.approx(2500 + 31.25 ** 2)
    assert s.loc["lithium", "new_top"] == "AUS" and s.loc["lithium", "new_top_share"] == pytest.approx(0.5)
    assert s.loc["cobalt", "cut_share"] == 0.0  # China mines no cobalt in this table
    half = shock(PROD, "CHN", ["lithium"], "mining", 0.5).iloc[0]
    assert half["cut_share"] == pytest.approx(0.10)


def test_substitutes_outside_the_exporter_flag_its_companies():
    fac = pd.DataFrame({
        "id": ["a", "b", "c", "d"], "name": ["A", "B", "C", "D"], "stage": ["mining"] * 3 + ["processing"],
        "country": ["COD", "AUS", "CHN", "FIN"], "owner_country": ["CHN", "AUS", "CHN", "FIN"],
        "minerals": ["cobalt;copper", "lithium", "cobalt", "cobalt"],
        "status": ["operating", "development", "operating", "operating"]})
    sub = substitutes(fac, "CHN", ["cobalt"], "mining", PAR, MEM)
    assert list(sub["id"]) == ["a"] and bool(sub.iloc[0]["exporter_controlled"]) is True
    ref = substitutes(fac, "CHN", ["cobalt"], "refining", PAR, MEM)
    assert list(ref["id"]) == ["d"] and ref.iloc[0]["partnerships"] == "MSP"


def test_share_history_by_year():
    from geo.analysis import share_history

    older = pd.DataFrame(_rows("lithium", "mining", [("AUS", 50, None), ("CHL", 30, None), ("CHN", 20, None),
                                                     ("WLD", 100, None)], year=2023))
    h = share_history(pd.concat([PROD, older]), "lithium", "mining")
    assert list(h.columns) == [2023, 2024] and list(h.index) == ["AUS", "CHL", "CHN"]
    assert h.loc["AUS", 2023] == pytest.approx(0.5) and h.loc["AUS", 2024] == pytest.approx(0.4)
    assert share_history(PROD, "lithium", "mining").empty   # a single year: nothing to show over time


def test_ended_measure_without_end_date_is_never_claimed_in_force():
    wto = POL.iloc[[0]].assign(id="wto", status="superseded", effective="2014-08-29", announced="2012-03-13")
    assert controllers(wto, "lithium", on=dt.date(2023, 6, 30)) == []
    ph = policy_phases(wto, dt.date(2026, 1, 1))
    assert list(ph["phase"]) == ["announced", "ended, date not recorded"]


def test_withdrawn_proposal_is_never_in_force_and_its_timeline_stops_when_dropped():
    # e.g. the Philippine raw-ore export ban: passed the Senate Feb 2025, dropped June 2025
    phl = POL.iloc[[0]].assign(id="phl", status="withdrawn", announced="2025-02-03", effective="",
                               suspended="", expires="2025-06")
    assert controllers(phl, "lithium", on=dt.date(2025, 4, 1)) == []
    assert controllers(phl, "lithium", on=dt.date(2026, 1, 1)) == []
    ph = policy_phases(phl, dt.date(2026, 12, 2))
    assert list(ph["phase"]) == ["announced"]
    assert ph["end"].iloc[0] == dt.date(2025, 6, 30)


def test_lapsed_statuses_names_suspensions_whose_end_date_has_passed():
    from geo.analysis import lapsed_statuses

    pol = pd.concat([
        POL.iloc[[0]].assign(id="susp", status="suspended", suspended="2025-11-07", expires="2026-11-10"),
        POL.iloc[[0]].assign(id="live", status="in_force", expires="2027-01"),
        POL.iloc[[0]].assign(id="month", status="in_force", expires="2026-11"),   # ends 30 Nov 2026
        POL.iloc[[0]].assign(id="gone", status="expired", expires="2020-01-01"),
    ])
    assert list(lapsed_statuses(pol, dt.date(2026, 11, 10))["id"]) == []          # its last day
    assert list(lapsed_statuses(pol, dt.date(2026, 11, 11))["id"]) == ["susp"]
    out = lapsed_statuses(pol, dt.date(2026, 12, 2))
    assert set(out["id"]) == {"susp", "month"} and list(out["expires"]) == sorted(out["expires"])
