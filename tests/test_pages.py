"""Pages run headless (streamlit AppTest) and show what the data says."""

import json

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from geo import paths
from geo.colors import LAYER_COLORS
from geo.layers import THEME_ALPHA
from geo.filters import Filters, filter_facilities
from geo.load import load_table
from tests.conftest import ROOT, data_digest
from tests.test_filters_layers import _pixel

APP = str(ROOT / "app.py")


def run_app(params=None, page=None, timeout=90, state=None):
    at = AppTest.from_file(APP, default_timeout=timeout)
    for k, v in (params or {}).items():
        at.query_params[k] = v
    for k, v in (state or {}).items():   # e.g. {"map_table": True}: the map's site table opened
        at.session_state[k] = v
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
    parts += [e.value for e in at.info]
    return "\n".join(str(p) for p in parts)


TABLE_OPEN = {"map_table": True}


def test_map_default_shows_every_site():
    at = run_app()
    assert not at.dataframe   # the site table is sent only once its box is opened
    assert f"Sites on the map: {len(facilities()):,} as a table" in at.expander[0].label
    at = run_app(state=TABLE_OPEN)
    assert not at.exception
    spec = deck_spec(at)
    pts = layer(spec, "facilities")["data"]
    fac = facilities()
    assert len(pts) == len(fac) > 0
    assert {p["id"] for p in pts} == set(fac["id"])
    assert spec["mapStyle"] == "__MAP_STYLE__"
    # the table under the map has the same rows
    assert len(at.dataframe[0].value) == len(fac)
    points = at.dataframe[0].value.set_index("id")["point"]
    assert points["mountain-pass"] == "the site itself"
    assert (points == "town or city only (approximate)").sum() == fac["location"].eq("town").sum() > 0
    assert f"{len(fac)} sites in {fac['country'].nunique()} countries" in all_text(at)


def test_seeded_filters_leave_only_matching_sites():
    at = run_app({"mineral": "cobalt", "country": "COD"}, state=TABLE_OPEN)
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
    at = run_app({"stage": "processing", "status": "operating"}, state=TABLE_OPEN)
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
    town = fac[fac["location"].eq("town")].iloc[0]
    assert r"**Point:** town or city only \(approximate\)" in all_text(run_app({"select": town["id"]}))
    assert spec["initialViewState"]["zoom"] == 4.5
    # a project's start year is the one its sources expect, and says so
    project = fac[fac["status"].eq("development") & fac["start_year"].notna()].iloc[0]
    text = all_text(run_app({"select": project["id"]}))
    assert f"**Expected start:** {int(project['start_year'])}" in text and "**Start year:**" not in text
    running = fac[fac["status"].eq("operating") & fac["start_year"].notna()].iloc[0]
    assert f"**Start year:** {int(running['start_year'])}" in all_text(run_app({"select": running["id"]}))


def test_layers_from_link_toggle_country_layers():
    at = run_app({"layers": "facilities,partnerships,controls"})
    spec = deck_spec(at)
    ids = [lyr.get("id") for lyr in spec["layers"]]
    assert "controls" in ids and "strategies" not in ids and "partnerships" not in ids
    from PIL import Image

    fill = layer(spec, "land")  # the basemap picture, with the partnership countries painted in on the server
    assert fill["@@type"] == "BitmapLayer" and fill["bounds"][0] == -180 and "/map-" in fill["image"]
    picture = Image.open(ROOT / "static" / fill["image"].strip("'").split("app/static/")[1]).convert("RGB")
    alpha = THEME_ALPHA["partnerships"] / 255
    filled = tuple(round(l * (1 - alpha) + c * alpha) for l, c in zip(LAYER_COLORS["land"], LAYER_COLORS["partnerships"]))
    for lon, lat in ((138.5, 36.5), (-100.0, 40.0)):   # Japan and the US are members
        assert all(abs(a - b) <= 2 for a, b in zip(picture.getpixel(_pixel(lon, lat)), filled))
    assert all(abs(a - b) <= 2 for a, b in zip(picture.getpixel(_pixel(-160.0, 20.0)), LAYER_COLORS["ocean"]))  # not the sea
    assert layer(spec, "controls")["@@type"] == "GeoJsonLayer"  # outlines stay lines (they keep their width)
    pins = {rec["iso3"]: rec["tooltip"] for rec in layer(spec, "countries")["data"]}
    assert pins["JPN"].startswith("Japan\nPartnerships (") and "ATA" not in pins
    assert not any(lyr.get("pickable") for lyr in spec["layers"]
                   if lyr["@@type"] in ("SolidPolygonLayer", "PathLayer", "GeoJsonLayer"))
    at = run_app({"layers": "none"})
    assert [lyr.get("id") for lyr in deck_spec(at)["layers"]] == ["land"]



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
    hhis = [m.value for m in at.metric if m.label == "HHI"]
    assert hhis[0] == f"{hhi(s):,.0f}"  # mining first
    assert "Source: USGS" in all_text(at)
    # refining: IEA's 2024 refined cobalt by country (China 196.1 of 250.1 kt = 78.4%)
    r = shares(prod, "cobalt", "refining")
    assert r.year == 2024 and round(r.share_of("CHN") * 100, 1) == 78.4
    assert hhis[1] == f"{hhi(r):,.0f}"
    refine_bars = json.loads(charts[1].proto.spec)["data"][0]
    assert "China" in refine_bars["y"] and 78.4 in refine_bars["x"]
    assert "Source: IEA" in all_text(at)


def _charts(at):
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def _usgs(mineral, stage="mining", year=2024):
    """Rows of production.csv, read independently of geo.metrics."""
    p = load_table("production.csv").df
    return p[(p.mineral == mineral) & (p.stage == stage) & (p.measure == "production") & (p.year == year)] \
        .set_index("country")["value"]


def test_countries_page_shows_china_shares_sites_abroad_and_exposure():
    at = run_app({"country": "CHN"}, page="pages/countries_page.py")
    assert not at.exception
    ree = _usgs("rare_earths")
    expected = round(ree["CHN"] / ree["WLD"] * 100, 1)               # 270,000 / 390,000 = 69.2%
    supply = _charts(at)[0]
    mining = next(t for t in supply["data"] if t["name"] == "Mining")
    assert mining["x"][mining["y"].index("Rare earth elements")] == expected == 69.2
    fac = facilities()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Sites at home"] == str((fac.country == "CHN").sum())
    assert metrics["Sites its companies control abroad"] == str(((fac.owner_country == "CHN") &
                                                                 (fac.country != "CHN")).sum())
    assert "China's own measures left out" in all_text(at) or "own measures left out" in all_text(at)


def test_countries_page_japan_exposure_counts_chinese_controls():
    at = run_app({"country": "JPN"}, page="pages/countries_page.py")
    assert not at.exception
    exposure = next(c for c in _charts(at) if "export controls" in str(c["layout"].get("xaxis")))
    mining = next(t for t in exposure["data"] if t["name"] == "Mining")
    graphite = _usgs("graphite")
    assert mining["x"][mining["y"].index("Graphite (natural)")] == round(graphite["CHN"] / graphite["WLD"] * 100, 1)
    assert "China" in "".join(str(c) for c in mining["customdata"]) or "CHN" in "".join(map(str, mining["customdata"]))


def test_policies_page_as_of_date_keeps_only_measures_then_in_force():
    at = run_app({"country": "CHN", "asof": "2023-06-30"}, page="pages/policies_page.py")
    assert not at.exception
    shown = at.dataframe[0].value
    assert len(shown) >= 1
    assert not shown["name"].str.contains("gallium", case=False).any()   # in force from 2023-08-01
    later = run_app({"country": "CHN", "asof": "2023-09-01"}, page="pages/policies_page.py")
    assert later.dataframe[0].value["name"].str.contains("gallium", case=False).any()
    assert "As of 2023-06-30" in "\n".join(i.value for i in at.info)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Measures shown"] == str(len(shown))
    dates = later.dataframe[0].value[["announced", "effective", "suspended", "expires"]]
    assert dates.notna().all().all() and (dates == "").any().any()  # an unknown date is a blank cell, not "None"


def test_policies_page_flags_suspensions_that_ran_past_their_end_date():
    # China's two suspensions ran to 10 and 27 November 2026; the data does not say what followed
    at = run_app({"country": "CHN"}, page="pages/policies_page.py")
    assert not at.exception
    warned = "\n".join(w.value for w in at.warning).replace("\\", "")   # markdown-escaped text
    assert "Status may be out of date for 2 measure(s)" in warned
    assert "No. 46 of 2024" in warned and "until 2026-11-27" in warned and "until 2026-11-10" in warned
    then = run_app({"country": "CHN", "asof": "2026-06-30"}, page="pages/policies_page.py")
    assert not any("out of date" in w.value for w in then.warning)   # an as-of view is about that day
    usa = run_app({"country": "USA"}, page="pages/policies_page.py")
    assert not any("out of date" in w.value for w in usa.warning)


def test_partnerships_page_bloc_totals_match_the_data():
    from geo.analysis import partnership_members

    at = run_app({"partnership": "msp"}, page="pages/partnerships_page.py")
    assert not at.exception
    members = set(partnership_members(load_table("partnership_members.csv").df, "msp"))
    li = _usgs("lithium")
    expected = round(sum(v for c, v in li.items() if c in members and v == v) / li["WLD"] * 100, 1)
    mining = next(c for c in _charts(at) if "share of world mining" in str(c["layout"].get("xaxis")))
    bloc = next(t for t in mining["data"] if t["name"] == "MSP")
    china = next(t for t in mining["data"] if t["name"] == "China")
    i = bloc["y"].index("Lithium")
    assert bloc["x"][i] == expected and china["x"][i] == round(li["CHN"] / li["WLD"] * 100, 1)
    matrix = at.dataframe[-2].value if len(at.dataframe) > 1 else at.dataframe[0].value
    assert "MSP" in matrix.columns


def test_custom_bloc_from_the_link():
    at = run_app({"bloc": "USA,JPN,EUU"}, page="pages/partnerships_page.py")
    assert not at.exception
    assert "member countries" in all_text(at) and "29 member" in all_text(at)   # 2 + EU 27
    assert at.query_params.get("bloc") in ("USA,JPN,EUU", ["USA,JPN,EUU"])


def test_whatif_page_drc_cobalt():
    at = run_app({"exporter": "COD", "mineral": "cobalt"}, page="pages/whatif_page.py")
    assert not at.exception
    co = _usgs("cobalt")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["World supply cut"] == f"{co['COD'] / co['WLD'] * 100:.1f}%" == "75.9%"
    assert metrics["HHI before"] == "5,867"
    bars = _charts(at)[0]
    after = next(t for t in bars["data"] if t["name"] == "after")
    # Indonesia's share of what is left: 28,000 / (290,000 - 220,000) = 40.0%
    assert after["y"][0] == "Indonesia" and after["x"][0] == round(co["IDN"] / (co["WLD"] - co["COD"]) * 100, 1)
    assert "Method and limits" in [e.label for e in at.expander]


def test_whatif_half_withheld_from_the_link():
    at = run_app({"exporter": "COD", "mineral": "cobalt", "withheld": "50"}, page="pages/whatif_page.py")
    metrics = {m.label: m.value for m in at.metric}
    co = _usgs("cobalt")
    assert metrics["World supply cut"] == f"{co['COD'] * 0.5 / co['WLD'] * 100:.1f}%"


def test_map_as_of_date_hides_later_sites_and_measures():
    at = run_app({"asof": "2015-01-01", "layers": "facilities,controls"})
    assert not at.exception
    pts = layer(deck_spec(at), "facilities")["data"]
    fac = facilities()
    started = fac[fac.status.isin(["operating", "care_and_maintenance", "closed"]) & (fac.start_year <= 2015)]
    assert {p["id"] for p in pts} == set(started["id"])
    assert "As of 2015-01-01" in "\n".join(i.value for i in at.info)


def _md(at):
    return "\n".join(str(m.value) for m in at.markdown).replace("\\", "")


def test_briefing_player_steps_through_pages_in_presentation_mode():
    at = run_app({"briefing": "drc-copper-cobalt-belt", "step": "1", "present": "1", "mineral": "cobalt,copper",
                  "country": "COD", "layers": "facilities,flows", "view": "-10.9,26.6,6.2"})
    assert not at.exception
    text = _md(at)
    assert "The belt" in text and "1/6" in text
    assert "display: none" in text          # presentation CSS hides Streamlit's chrome
    spec = deck_spec(at)
    assert {p["id"] for p in layer(spec, "facilities")["data"]} == set(
        filter_facilities(facilities(), Filters(minerals=("cobalt", "copper"), countries=("COD",)))["id"])
    at.button(key="brief_next").click().run()
    assert not at.exception
    # Next loads step 2's own view and switches to its page
    assert (at.session_state["step"], at.session_state["f_minerals"], at.session_state["f_countries"]) == \
        (2, ["cobalt"], [])
    assert "Cobalt: mined in the DRC, refined in China" in _md(at) and "2/6" in _md(at)
    top = [m.value for m in at.metric if m.label == "Top producer"]
    assert top == ["76%", "78%"]    # DRC, cobalt mining (USGS MCS 2025, 2024); China, refining (IEA, 2024)
    at.button(key="brief_exit").click().run()
    assert "present" not in at.query_params and "briefing" not in at.query_params


def test_broken_briefing_file_is_named_and_the_app_keeps_serving(broken_data):
    before = data_digest()
    (broken_data / "briefings" / "zz-broken.json").write_text('{"id": "zz", "title": "Z", "as_of": "2025-01-01", '
                                                             '"steps": [{"page": "nowhere", "title": "t", '
                                                             '"caption": "c"}]}')
    at = run_app()
    assert not at.exception
    errors = "\n".join(e.value for e in at.sidebar.error).replace("\\", "")
    assert "data/briefings/zz-broken.json: step 1, field 'page'" in errors
    assert len(layer(deck_spec(at), "facilities")["data"]) == len(facilities())
    assert data_digest() == before


def test_framing_the_map_puts_the_camera_in_the_link():
    at = run_app({"mineral": "cobalt"})
    at.selectbox(key="map_frame").select("Africa: DRC–Zambia copper–cobalt belt").run()
    assert not at.exception
    assert at.query_params.get("view") in ("-11.6,27.3,5.6", ["-11.6,27.3,5.6"])
    vs = deck_spec(at)["initialViewState"]
    assert (vs["latitude"], vs["longitude"], vs["zoom"]) == (-11.6, 27.3, 5.6)


@pytest.mark.parametrize("page", ["pages/countries_page.py", "pages/minerals_page.py", "pages/whatif_page.py",
                                  "pages/partnerships_page.py", "pages/policies_page.py"])
def test_analysis_pages_open_without_any_parameter(page):
    at = run_app(page=page)
    assert not at.exception and not at.error


# --- Your data ---------------------------------------------------------------------------------

UPLOADS = ROOT / "tests" / "fixtures" / "uploads"


def your_data(file_name=None, content=None, params=None):
    at = run_app(params, page="pages/yourdata_page.py")
    if file_name is not None:
        at.file_uploader[0].set_value((file_name, content, "application/octet-stream"))
        at.run()
    return at


def test_your_data_upload_becomes_a_filtered_layer_with_tooltips_and_exports():
    before = data_digest()
    at = your_data("mrds.csv", (UPLOADS / "good" / "mrds.csv").read_bytes())
    assert not at.exception
    pts = layer(deck_spec(at), "user")["data"]
    assert sorted(p["id"] for p in pts) == [f"u-1000{i}" for i in range(1, 7)]
    assert any("Source: Your upload: mrds.csv (row 4)" in p["tooltip"] for p in pts)
    text = all_text(at)
    assert "6 of 6 rows from mrds.csv are on the map" in text
    assert "Recognised a USGS MRDS export" in text
    [unmapped] = [d.value for d in at.dataframe if "commodity" in d.value.columns]  # not mapped, with counts
    assert dict(zip(unmapped["commodity"], unmapped["rows"])) == {"Thorium": 1, "Sand and Gravel": 1, "Construction": 1}
    # the sidebar's mineral filter applies to the uploaded layer
    at.multiselect(key="f_minerals").set_value(["tungsten"]).run()
    assert [p["id"] for p in layer(deck_spec(at), "user")["data"]] == ["u-10002"]
    assert [d.label for d in at.get("download_button")] == ["Your rows (CSV)", "Your rows (GeoJSON)"]
    # and it is a layer on the main map too, with the same filter
    at.switch_page("pages/map_page.py").run()
    assert [p["id"] for p in layer(deck_spec(at), "user")["data"]] == ["u-10002"]
    assert "1 of your own sites from mrds.csv" in all_text(at)
    assert data_digest() == before


def test_your_data_bad_upload_names_the_problem_and_the_page_keeps_working():
    before = data_digest()
    at = your_data("ragged.csv", (UPLOADS / "bad" / "ragged.csv").read_bytes())
    assert not at.exception
    [err] = at.error
    assert "ragged.csv: line 3 has 5 fields but the header has 3 columns" in err.value.replace("\\", "")
    # a good file afterwards replaces the error
    at.file_uploader[0].set_value(("sites.csv", (UPLOADS / "good" / "sites.csv").read_bytes(), "text/csv"))
    at.run()
    assert not at.error and len(layer(deck_spec(at), "user")["data"]) == 5
    assert data_digest() == before


def test_your_data_column_override():
    at = your_data("odd.csv", b"where_n,where_e,what\n10,20,Tin\n-5,30,Cobalt\n")
    assert "no latitude/longitude columns found" in at.error[0].value
    at.selectbox(key="col_lat").set_value("where_n")
    at.selectbox(key="col_lon").set_value("where_e")
    at.multiselect(key="col_minerals").set_value(["what"])
    at.run()
    assert not at.error
    assert [(p["lat"], p["lon"]) for p in layer(deck_spec(at), "user")["data"]] == [(10.0, 20.0), (-5.0, 30.0)]
    at = your_data("odd2.csv", b"latitude,where_e,what\n10,20,Tin\n-5,30,Cobalt\n")
    assert "no latitude/longitude columns found" in at.error[0].value


def test_layer_toggles_and_what_if_settings_survive_a_visit_to_another_page():
    """Streamlit forgets the value of a widget a run does not draw; the Atlas keeps page settings."""
    at = run_app()
    at.toggle(key="layer_flows").set_value(True).run()
    at.toggle(key="layer_strategies").set_value(False).run()
    assert at.query_params["layers"] == "facilities,flows"
    at.switch_page("pages/whatif_page.py").run()
    at.slider(key="w_withheld").set_value(40).run()
    at.switch_page("pages/sources_page.py").run()
    assert at.query_params["layers"] == "facilities,flows"   # still in the link on another page
    at.switch_page("pages/map_page.py").run()
    assert at.toggle(key="layer_flows").value is True and at.toggle(key="layer_strategies").value is False
    assert layer(deck_spec(at), "flows") is not None and layer(deck_spec(at), "strategies") is None
    at.switch_page("pages/whatif_page.py").run()
    assert at.slider(key="w_withheld").value == 40


def test_the_servers_warm_up_draws_the_default_maps_own_picture():
    """ui.serve warms the first page while the browser loads: it must draw the very picture the
    default map then asks for (the strategies painted in), or the first visitor waits for it."""
    from ui.serve import warm

    url = warm()
    image = layer(deck_spec(run_app()), "land")["image"].strip("'")
    assert url == image and "/map-" in url  # the fills-painted picture, not the bare basemap
