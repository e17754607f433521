"""Bring your own data: uploads become sites; every bad file gets a message naming what is wrong."""

from __future__ import annotations

import io
import json
import time
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point, Polygon

from geo.filters import Filters, filter_facilities
from geo.layers import facility_points
from geo.load import load_table
from geo.userdata import (Columns, Limits, MineralMapper, UploadError, country_code, detect_columns,
                          load_upload)
from tests.conftest import data_digest

FIX = Path(__file__).parent / "fixtures" / "uploads"
MINERALS = load_table("minerals.csv").df


def upload(name: str, data: bytes, **kw):
    return load_upload(name, data, MINERALS, **kw)


# --- good files ------------------------------------------------------------------------------

def test_plain_csv_becomes_sites_with_mapped_minerals_countries_and_statuses():
    raw, layer = upload("sites.csv", (FIX / "good" / "sites.csv").read_bytes())
    s = layer.sites.set_index("name")
    assert len(s) == 5 and layer.rows_read == 5
    assert s.loc["Test site A", ["minerals", "country", "status"]].tolist() == ["cobalt", "COD", "operating"]
    assert s.loc["Test site C", ["minerals", "country", "status"]].tolist() == ["rare_earths", "USA", "closed"]
    assert s.loc["Test site D", "minerals"] == "rare_earths" and s.loc["Test site D", "country"] == "MYS"
    assert s.loc["Test site E", "minerals"] == "" and s.loc["Test site E", "status"] == "unknown"
    assert layer.unmapped_minerals == {"Unobtainium": 1}
    assert layer.unmapped_countries == {"Atlantis": 1}
    # the same filters as the curated data
    only = filter_facilities(layer.sites, Filters(minerals=("rare_earths",)))
    assert sorted(only["name"]) == ["Test site C", "Test site D"]
    assert list(filter_facilities(layer.sites, Filters(countries=("AUS",)))["name"]) == ["Test site B"]
    # tooltips name the file and row as the source
    tips = facility_points(layer.sites, dict(zip(MINERALS["id"], MINERALS["name"])))["tooltip"]
    assert any("Source: Your upload: sites.csv (row 2)" in t for t in tips)


def test_mrds_export_is_recognised_and_commodity_lists_resolve():
    raw, layer = upload("mrds.csv", (FIX / "good" / "mrds.csv").read_bytes())
    assert layer.mrds
    s = layer.sites.set_index("id")
    assert s.loc["u-10001", "minerals"] == "gold;silver;copper"
    assert s.loc["u-10002", "status"] == "closed"
    assert s.loc["u-10004", "stage"] == "processing"           # dev_stat Plant
    assert s.loc["u-10004", "minerals"] == "nickel;cobalt;platinum_group_metals"
    assert s.loc["u-10005", "minerals"] == "rare_earths;niobium"  # "Niobium (Columbium)"
    assert s.loc["u-10005", "status"] == "exploration"
    assert layer.unmapped_minerals == {"Thorium": 1, "Sand and Gravel": 1, "Construction": 1}


def test_geojson_points_and_polygons():
    raw, layer = upload("sites.geojson", (FIX / "good" / "sites.geojson").read_bytes())
    s = layer.sites.set_index("name")
    assert (s.loc["Test point A", "lon"], s.loc["Test point A", "lat"]) == (27.1, -12.5)
    assert s.loc["Test point A", "minerals"] == "cobalt;copper"
    assert Polygon([(120, -30), (121, -30), (121, -29), (120, -29)]).contains(
        Point(s.loc["Test area B", "lon"], s.loc["Test area B", "lat"]))


def test_geoparquet_and_zipped_shapefile(tmp_path):
    gdf = gpd.GeoDataFrame({"name": ["P1", "P2"], "commodity": ["Lithium", "Graphite"], "country": ["CHL", "MOZ"]},
                           geometry=[Point(-68.2, -23.5), Point(39.0, -13.3)], crs=4326)
    gdf.to_parquet(tmp_path / "sites.parquet")
    _, layer = upload("sites.parquet", (tmp_path / "sites.parquet").read_bytes())
    assert layer.sites[["name", "minerals", "lon"]].values.tolist() == [["P1", "lithium", -68.2], ["P2", "graphite", 39.0]]

    shp_dir = tmp_path / "shp"
    shp_dir.mkdir()
    gdf.to_crs(3857).to_file(shp_dir / "sites.shp")
    _, layer = upload("sites.zip", _zip({f"sites{p.suffix}": p.read_bytes() for p in shp_dir.iterdir()}))
    assert layer.sites["name"].tolist() == ["P1", "P2"]
    assert layer.sites["lat"].round(3).tolist() == [-23.5, -13.3]   # reprojected from EPSG:3857


def test_windows_1252_csv_is_read_with_a_notice():
    data = "name,latitude,longitude\nSão Domingos,1,2\n".encode("cp1252")
    _, layer = upload("latin.csv", data)
    assert layer.sites["name"].tolist() == ["São Domingos"]
    assert "not UTF-8" in layer.notices[0] and "line 2" in layer.notices[0]


def test_columns_can_be_chosen_by_the_user():
    data = b"where_n,where_e,what\n10,20,Tin\n"
    with pytest.raises(UploadError, match="no latitude/longitude columns found"):
        upload("odd.csv", data)
    _, layer = upload("odd.csv", data, columns=Columns(lat="where_n", lon="where_e", minerals=("what",)))
    assert layer.sites[["lat", "lon", "minerals"]].values.tolist() == [[10.0, 20.0, "tin"]]


def test_detect_columns_and_mappers():
    c = detect_columns(["Site Name", "LAT", "Long", "Commod1", "commod2", "Country", "dev_stat", "dep_id"])
    assert (c.name, c.lat, c.lon, c.country, c.status, c.id) == ("Site Name", "LAT", "Long", "Country", "dev_stat", "dep_id")
    assert c.minerals == ("Commod1", "commod2")
    m = MineralMapper(MINERALS)
    for text, want in [("Rare earths", "rare_earths"), ("REE", "rare_earths"), ("Cobalt", "cobalt"),
                       ("lithium", "lithium"), ("Li", "lithium"), ("Aluminum", "aluminium"), ("PGE", "platinum_group_metals"),
                       ("Fluorine-Fluorite", "fluorspar"), ("Graphite (natural)", "graphite")]:
        assert m.one(text) == want, text
    assert m.one("Sand and Gravel") is None
    assert [country_code(v) for v in ["Bolivia", "DR Congo", "Korea, South", "gb", "ZAF", "Narnia"]] == \
        ["BOL", "COD", "KOR", "GBR", "ZAF", None]


# --- bad files: a message naming the file (and row/column), fast, nothing in data/ touched --------

def _zip(members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _shapefile_zip(tmp: Path, geoms, drop: str | None = None) -> bytes:
    gdf = gpd.GeoDataFrame({"name": [f"g{i}" for i in range(len(geoms))]}, geometry=geoms, crs=4326)
    gdf.to_file(tmp / "x.shp")
    return _zip({f"x{p.suffix}": p.read_bytes() for p in tmp.iterdir() if p.suffix != drop})


def _generated(tmp: Path):
    """(file name, bytes, upload kwargs, expected message parts): the malformed files made in code."""
    bowtie = Polygon([(0, 0), (2, 2), (2, 0), (0, 2), (0, 0)])
    many_cols = ",".join(f"c{i}" for i in range(600)) + "\n" + ",".join("1" for _ in range(600)) + "\n"
    (tmp / "a").mkdir()
    (tmp / "b").mkdir()
    return [
        ("deep.json", b"[" * 100_000 + b"]" * 100_000, {}, ["deep.json", "nested too deeply"]),
        ("huge.csv", b"x", {"size": 1024 ** 3}, ["huge.csv", "1,024 MB", "at most 50 MB"]),
        ("big.csv", b"name,lat,lon\n" + b"a,1,2\n" * 400, {"limits": Limits(max_bytes=1000)}, ["big.csv", "at most"]),
        ("rows.csv", b"name,lat,lon\n" + b"a,1,2\n" * 20, {"limits": Limits(max_rows=10)}, ["rows.csv", "more than 10 rows"]),
        ("wide.csv", many_cols.encode(), {}, ["wide.csv", "600 columns"]),
        ("empty.zip", _zip({}), {}, ["empty.zip", "archive is empty"]),
        ("bomb.zip", _zip({"zeros.csv": b"0" * (20 * 1024 * 1024)}), {}, ["bomb.zip", "zeros.csv", "zip bomb"]),
        ("large.zip", _zip({"a.csv": b"x" * 3000}, zipfile.ZIP_STORED), {"limits": Limits(zip_max_total=1000)},
         ["large.zip", "unpacks to"]),
        ("nested.zip", _zip({"inner.zip": _zip({"a.csv": b"lat,lon\n1,2\n"})}), {}, ["nested.zip", "inner.zip", "nested"]),
        ("many.zip", _zip({f"f{i}.txt": b"x" for i in range(101)}), {}, ["many.zip", "101 files"]),
        ("nodbf.zip", _shapefile_zip(tmp / "a", [Point(1, 2)], drop=".dbf"), {}, ["nodbf.zip", ".dbf"]),
        ("bowtie_shp.zip", _shapefile_zip(tmp / "b", [bowtie]), {},
         ["bowtie_shp.zip", "no usable rows", "row 1, column 'geometry'", "invalid geometry", "Self-intersection"]),
        ("two.zip", _zip({"a.csv": b"lat,lon\n1,2\n", "b.csv": b"lat,lon\n1,2\n"}), {}, ["two.zip", "exactly one"]),
        ("same.csv", b"a,b\n1,2\n", {"columns": Columns(lat="a", lon="a")}, ["same.csv", "cannot both be column 'a'"]),
        ("gone.csv", b"a,b\n1,2\n", {"columns": Columns(lat="a", lon="zz")}, ["gone.csv", "no column 'zz'"]),
    ]


ON_DISK = {
    "empty.csv": ["empty.csv", "empty"],
    "header_only.csv": ["header_only.csv", "no data rows"],
    "blank_lines.csv": ["blank_lines.csv", "empty"],
    "picture_renamed.csv": ["picture_renamed.csv", "binary file"],
    "utf16_truncated.csv": ["utf16_truncated.csv", "UTF-16"],
    "undecodable.csv": ["undecodable.csv", "not UTF-8", "line 2", "Windows-1252"],
    "ragged.csv": ["ragged.csv", "line 3 has 5 fields", "3 columns"],
    "no_coordinates.csv": ["no_coordinates.csv", "no latitude/longitude columns", "'place'"],
    "no_usable_rows.csv": ["no_usable_rows.csv", "no row has usable coordinates", "row 1, column 'latitude'"],
    "workbook.xlsx": ["workbook.xlsx", "'.xlsx' are not accepted"],
    "program.exe": ["program.exe", "'.exe' are not accepted"],
    "truncated.geojson": ["truncated.geojson", "not valid JSON", "line 1"],
    "not_geojson.json": ["not_geojson.json", "not GeoJSON"],
    "no_features.geojson": ["no_features.geojson", "no features"],
    "bad_geometry.geojson": ["bad_geometry.geojson", "row 1, column 'geometry'", "not a valid GeoJSON geometry"],
    "bowtie.geojson": ["bowtie.geojson", "row 1, column 'geometry'", "Self-intersection"],
    "latin1.geojson": ["latin1.geojson", "must be UTF-8"],
    "degrees_out_of_range.geojson": ["degrees_out_of_range.geojson", "no row has usable coordinates",
                                     "not longitude/latitude"],
    "garbage.parquet": ["garbage.parquet", "not a readable Parquet"],
    "not_a_zip.zip": ["not_a_zip.zip", "not a readable ZIP"],
}


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    return {c[0]: c for c in _generated(tmp_path_factory.mktemp("uploads"))}


GENERATED_NAMES = ["deep.json", "huge.csv", "big.csv", "rows.csv", "wide.csv", "empty.zip", "bomb.zip", "large.zip",
                   "nested.zip", "many.zip", "nodbf.zip", "bowtie_shp.zip", "two.zip", "same.csv", "gone.csv"]


def test_at_least_thirty_malformed_fixtures():
    assert len(ON_DISK) + len(GENERATED_NAMES) >= 30
    assert set(ON_DISK) <= {p.name for p in (FIX / "bad").iterdir()}


def _expect_refused(name, data, kwargs, parts):
    before = data_digest()
    start = time.perf_counter()
    with pytest.raises(UploadError) as err:
        upload(name, data, **kwargs)
    took = time.perf_counter() - start
    msg = str(err.value)
    for part in parts:
        assert part in msg, (part, msg)
    assert "Traceback" not in msg
    assert took < 2.0, f"{name}: {took:.2f} s"
    assert data_digest() == before


@pytest.mark.parametrize("name", sorted(ON_DISK))
def test_malformed_file_on_disk_is_refused_with_a_named_message(name):
    _expect_refused(name, (FIX / "bad" / name).read_bytes(), {}, ON_DISK[name])


@pytest.mark.parametrize("name", GENERATED_NAMES)
def test_malformed_generated_file_is_refused_with_a_named_message(name, generated):
    _, data, kwargs, parts = generated[name]
    _expect_refused(name, data, kwargs, parts)


@pytest.mark.parametrize("name, row, column, problem", [
    ("text_coordinate.csv", 1, "latitude", "'abc' is not a number"),
    ("out_of_range.csv", 1, "latitude", "123 is outside -90 to 90"),
])
def test_bad_rows_are_left_out_and_named(name, row, column, problem):
    _, layer = upload(name, (FIX / "bad" / name).read_bytes())
    assert layer.sites["name"].tolist() == ["B"]
    assert f"row {row}, column '{column}': {problem}" in [str(p) for p in layer.problems]


def test_archive_member_names_never_reach_the_disk(tmp_path):
    before = data_digest()
    data = _zip({"../../data/facilities.csv": b"name,latitude,longitude\nEvil,1,2\n"})
    _, layer = upload("traversal.zip", data)
    assert layer.sites["name"].tolist() == ["Evil"]
    assert data_digest() == before
