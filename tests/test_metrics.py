"""Concentration metrics against hand-computed values, including the awkward cases."""

import pandas as pd
import pytest

from geo.metrics import bloc_share, hhi, shares, top_k, what_if


def _prod(rows, mineral="cobalt", stage="mining", measure="production", year=2024, basis="Co content"):
    return pd.DataFrame([dict(mineral=mineral, stage=stage, measure=measure, country=c, year=year, value=v,
                              unit="metric tons", basis=basis, withheld=w, source="USGS", source_url="https://u.gov/x",
                              as_of="2025-01-31") for c, v, w in rows])


# world 100: A 60, B 25, C 10, OTH 5  -> HHI = 3600 + 625 + 100 = 4325
BASE = [("AAA", 60, None), ("BBB", 25, None), ("CCC", 10, None), ("OTH", 5, None), ("WLD", 100, None)]


def test_shares_hhi_topk():
    s = shares(_prod(BASE), "cobalt")
    assert s.world == 100 and s.year == 2024
    assert s.share_of("AAA") == pytest.approx(0.60)
    assert list(s.countries["country"]) == ["AAA", "BBB", "CCC"]
    assert hhi(s) == pytest.approx(4325)
    assert top_k(s, 1) == pytest.approx(0.60) and top_k(s, 3) == pytest.approx(0.95)


def test_withheld_values_get_no_share_and_are_flagged():
    s = shares(_prod(BASE + [("USA", None, "W")]), "cobalt")
    assert s.share_of("USA") is None
    assert any("withheld" in n for n in s.notes)
    assert hhi(s) == pytest.approx(4325)


def test_latest_year_with_data_is_default_and_missing_years_fall_back():
    rows = _prod(BASE, year=2023)
    newer = _prod([("AAA", None, "NA"), ("WLD", None, "NA")], year=2024)
    s = shares(pd.concat([rows, newer]), "cobalt")
    assert s.year == 2023
    assert shares(pd.concat([rows, newer]), "cobalt", year=2024).share_of("AAA") is None


def test_country_with_zero_and_no_world_total():
    s = shares(_prod([("AAA", 30, None), ("BBB", 10, None), ("ZZZ", 0, None)]), "cobalt")
    assert s.world == 40 and s.share_of("AAA") == pytest.approx(0.75) and s.share_of("ZZZ") == 0
    assert any("no world total" in n for n in s.notes)
    assert hhi(s) == pytest.approx(75 ** 2 + 25 ** 2)


def test_bloc_totals_including_a_bloc_with_no_producers():
    s = shares(_prod(BASE), "cobalt")
    assert bloc_share(s, ["BBB", "CCC"]) == pytest.approx(0.35)
    assert bloc_share(s, ["JPN", "DEU"]) == 0.0
    assert bloc_share(s, ["OTH", "WLD"]) == 0.0


def test_what_if_full_cut_reshares_the_rest():
    w = what_if(shares(_prod(BASE), "cobalt"), "AAA", 1.0)
    assert w.cut_share == pytest.approx(0.60)
    after = dict(zip(w.remaining["country"], w.remaining["share_after"]))
    assert after["BBB"] == pytest.approx(25 / 40) and after["CCC"] == pytest.approx(10 / 40)
    assert w.hhi_before == pytest.approx(4325)
    assert w.hhi_after == pytest.approx((62.5 ** 2) + (25 ** 2) + 0)
    half = what_if(shares(_prod(BASE), "cobalt"), "AAA", 0.5)
    assert half.cut_share == pytest.approx(0.30)
    assert dict(zip(half.remaining["country"], half.remaining["share_after"]))["AAA"] == pytest.approx(30 / 70)


def test_what_if_for_an_exporter_with_no_production_changes_nothing():
    w = what_if(shares(_prod(BASE), "cobalt"), "JPN", 1.0)
    assert w.cut_share == 0 and w.hhi_after == pytest.approx(w.hhi_before)


def test_share_measure_is_percent_of_world():
    s = shares(_prod([("CHN", 70, None)], stage="refining", measure="share"), "cobalt", "refining", measure="share")
    assert s.share_of("CHN") == pytest.approx(0.70) and hhi(s) == pytest.approx(4900)


def test_basis_choice_for_split_minerals():
    rows = pd.concat([_prod([("ZAF", 120, None), ("WLD", 170, None)], basis="platinum"),
                      _prod([("RUS", 80, None), ("WLD", 200, None)], basis="palladium")])
    assert shares(rows, "cobalt", basis="palladium").share_of("RUS") == pytest.approx(0.4)
    assert shares(rows, "cobalt", basis="platinum").share_of("ZAF") == pytest.approx(120 / 170)


def test_no_data():
    s = shares(_prod(BASE), "lithium")
    assert s.table.empty and hhi(s) is None and top_k(s, 3) is None


def test_single_country_without_world_total_gets_no_share():
    s = shares(_prod([("CHN", 172000, None)], stage="refining"), "cobalt", "refining")
    assert s.share_of("CHN") is None and hhi(s) is None
    assert any("too few countries" in n for n in s.notes)
