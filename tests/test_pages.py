"""Pages run headless (streamlit AppTest) and show what the data says."""

import json

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from geo import paths
from geo.filters import Filters, filter_facilities
from geo.load import load_table
from tests.conftest import ROOT, data_digest

APP = str(ROOT / "app.py")


def run_app(params=None, page=None, timeout=90):
    at = AppTest.from_file(APP, default_timeout=timeout)
    for k, v in (params or {}).items():
        at.query_params[k] = v
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    return at


def deck_spec(at):
    [chart] = at.get("deck_gl_json_chart")
    return json.loads(chart.proto.json)


def layer(spec, layer_id):
    return next((lyr for lyr in spec["layers"] if lyr.get("id") == layer_id), None)


def facilities():
    return load_table("facilities.csv").df


def all_text(at):
    parts = [e.value for e in at.markdown] + [e.value for e in at.caption]
    parts += [e.value for e in at.warning] + [e.value for e in at.error] + [e.value for e in at.title]
    return "\n".join(str(p) for p in parts)


def test_map_default_shows_every_site():
    at = run_app()
    assert not at.exception
    spec = deck_spec(at)
    pts = layer(spec, "facilities")["data"]
    fac = facilities()
    assert len(pts) == len(fac) > 0
    assert {p["id"] for p in pts} == set(fac["id"])
    assert spec["mapStyle"] == "__MAP_STYLE__"
    # the table under the map has the same rows
    assert len(at.dataframe[0].value) == len(fac)
    assert f"{len(fac)} sites in {fac['country'].nunique()} countries" in all_text(at)


def test_seeded_filters_leave_only_matching_sites():
    at = run_app({"mineral": "cobalt", "country": "COD"})
    assert not at.exception
    expected = filter_facilities(facilities(), Filters(minerals=("cobalt",), countries=("COD",)))
    assert len(expected) > 0, "the dataset should hold DR Congo cobalt sites"
    pts = layer(deck_spec(at), "facilities")["data"]
    assert {p["id"] for p in pts} == set(expected["id"])
    assert all("DR Congo" in p["tooltip"] and "Cobalt" in p["tooltip"] for p in pts)
    table = at.dataframe[0].value
    assert set(table["country_name"]) == {"DR Congo"} and len(table) == len(expected)
    assert at.sidebar.multiselect[0].value == ["cobalt"]
    assert at.sidebar.multiselect[1].value == ["COD"]
    assert at.query_params["mineral"] == "cobalt" and at.query_params["country"] == "COD"


def test_stage_and_status_filters_apply_to_map_table_and_summary():
    at = run_app({"stage": "processing", "status": "operating"})
    fac = facilities()
    expected = fac[(fac.stage == "processing") & (fac.status == "operating")]
    pts = layer(deck_spec(at), "facilities")["data"]
    assert len(pts) == len(expected) == len(at.dataframe[0].value)
    assert f"{len(expected)} processing sites" in all_text(at)


def test_bad_link_values_are_dropped_with_a_notice():
    at = run_app({"mineral": "cobalt,unobtainium", "country": "<script>", "view": "nan,1,2",
                  "select": "no-such-site"})
    assert not at.exception
    text = "\n".join(w.value for w in at.warning)
    assert "unobtainium" in text and "view" in text and "select" in text
    assert "<script>" not in text  # shown escaped, never as markup
    assert at.sidebar.multiselect[0].value == ["cobalt"]


def test_selecting_a_site_from_the_link_opens_its_details():
    fac = facilities()
    site = fac.iloc[0]
    at = run_app({"select": site["id"]})
    details = all_text(at)
    assert site["name"].split()[0] in details
    assert "Source:" in details and site["as_of"] in details
    spec = deck_spec(at)
    assert spec["initialViewState"]["zoom"] == 4.5


def test_layers_from_link_toggle_country_layers():
    at = run_app({"layers": "facilities,partnerships,controls"})
    spec = deck_spec(at)
    ids = [lyr.get("id") for lyr in spec["layers"]]
    assert "partnerships" in ids and "controls" in ids and "strategies" not in ids
    countries = {f["properties"]["iso3"] for f in layer(spec, "partnerships")["data"]["features"]}
    assert len(countries) > 10 and {"USA", "JPN"} <= countries
    pins = {rec["iso3"]: rec["tooltip"] for rec in layer(spec, "countries")["data"]}
    assert pins["JPN"].startswith("Japan\nPartnerships (") and "ATA" not in pins
    assert not any(lyr.get("pickable") for lyr in spec["layers"]
                   if lyr["@@type"] in ("SolidPolygonLayer", "PathLayer", "GeoJsonLayer"))
    at = run_app({"layers": "none"})
    assert [lyr.get("id") for lyr in deck_spec(at)["layers"]] == ["ocean", "land"]



def test_sources_page_lists_data_files():
    at = run_app(page="pages/sources_page.py")
    assert not at.exception
    files = set(at.dataframe[0].value["file"])
    assert {"facilities.csv", "production.csv", "boundaries/countries.geojson"} <= files


@pytest.fixture
def broken_data(data_copy, monkeypatch):
    monkeypatch.setattr(paths, "DATA_DIR", data_copy)
    return data_copy


def test_missing_facilities_file_gives_a_clear_error_and_other_pages_work(broken_data):
    before = data_digest()
    (broken_data / "facilities.csv").unlink()
    at = run_app()
    assert not at.exception
    assert any("data/facilities.csv" in e.value and "file not found" in e.value for e in at.error)
    at.switch_page("pages/sources_page.py").run()
    assert not at.exception
    assert "facilities.csv" in " ".join(str(x) for x in at.dataframe[-1].value["file"])
    assert data_digest() == before


def test_schema_breaking_file_names_file_line_and_column(broken_data):
    fac = pd.read_csv(broken_data / "facilities.csv", dtype=str, keep_default_na=False)
    fac.loc[1, "lat"] = "north"
    fac.to_csv(broken_data / "facilities.csv", index=False)
    at = run_app()
    assert not at.exception
    assert len(layer(deck_spec(at), "facilities")["data"]) == len(fac) - 1
    [exp] = [e for e in at.expander if "problem(s) in data/facilities.csv" in e.label]
    assert any("line 3" in t.value and "'lat'" in t.value and "'north' is not a number" in t.value
               for t in exp.text)


def test_minerals_page_shows_cobalt_shares_from_the_data():
    from geo.metrics import hhi, shares

    at = run_app({"mineral": "cobalt"}, page="pages/minerals_page.py")
    assert not at.exception
    prod = load_table("production.csv").df
    s = shares(prod, "cobalt", "mining")
    drc = s.share_of("COD")
    assert drc is not None and drc > 0.5
    charts = at.get("plotly_chart")
    assert charts
    spec = json.loads(charts[0].proto.spec)
    bars = spec["data"][0]
    assert "DR Congo" in bars["y"] and round(drc * 100, 1) in bars["x"]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["HHI"] == f"{hhi(s):,.0f}"
    assert "Source: USGS" in all_text(at)
