"""Large point sets as static tiles: exact counts at every zoom, detail points carry tooltips,
a world view stays small."""

import json

import numpy as np
import pytest

from geo.bigpoints import DETAIL_ZOOM, PointSet, tile_xy, write_pyramid
from bench.synth import mrds_like


@pytest.fixture(scope="module")
def mrds300k():
    return mrds_like(300_000, seed=7)


def test_tile_xy_matches_web_mercator_corners():
    x, y = tile_xy(np.array([-180.0, 0.0, 179.999]), np.array([85.0511, 0.0, -85.0511]), 1)
    assert np.allclose(x, [0, 1, 2], atol=1e-3) and np.allclose(y, [0, 1, 2], atol=1e-3)


def test_counts_are_exact_at_every_zoom_and_filters_apply():
    rng = np.random.default_rng(1)
    lon, lat = rng.uniform(-10, 30, 5000), rng.uniform(-40, 60, 5000)
    ps = PointSet(lon, lat, [f"site {i}" for i in range(5000)])
    p = ps.pyramid()
    assert [p.level_counts(z) for z in range(DETAIL_ZOOM + 1)] == [5000] * (DETAIL_ZOOM + 1)
    mask = lon < 0
    q = ps.pyramid(mask)
    assert q.level_counts(0) == q.level_counts(DETAIL_ZOOM) == int(mask.sum())


def test_detail_zoom_returns_the_right_points_with_tooltips():
    lon = np.array([10.001, 10.002, 120.5])
    lat = np.array([50.001, 50.002, -30.2])
    p = PointSet(lon, lat, ["A <b>", "B", "C"]).pyramid()
    x, y = tile_xy(np.array([10.001]), np.array([50.001]), DETAIL_ZOOM)
    tile = json.loads(p.tiles[(DETAIL_ZOOM, int(x[0]), int(y[0]))])
    assert sorted(f["properties"]["tooltip"] for f in tile["features"]) == ["A <b>", "B"]
    assert [f["geometry"]["coordinates"] for f in tile["features"]][0] == [10.001, 50.001]
    world = json.loads(p.tiles[(0, 0, 0)])
    assert sorted(f["properties"]["n"] for f in world["features"]) == [1, 2]


def test_300k_mrds_points_world_view_is_far_under_the_5mb_budget(mrds300k, tmp_path):
    ps = PointSet(mrds300k["longitude"], mrds300k["latitude"], mrds300k["site_name"])
    p = ps.pyramid()
    assert p.level_counts(2) == 300_000
    world = sum(len(t) for (z, _, _), t in p.tiles.items() if z <= 2)   # what a world view can fetch
    assert world < 1_000_000
    assert max(len(t) for (z, _, _), t in p.tiles.items() if z < DETAIL_ZOOM) < 200_000
    out = write_pyramid(p, tmp_path, "set1")
    assert (out / "0" / "0" / "0.json").exists()
    assert len(list(out.rglob("*.json"))) == len(p.tiles)


def test_old_tile_sets_are_removed(tmp_path):
    ps = PointSet([1.0], [2.0], ["x"])
    for i in range(5):
        write_pyramid(ps.pyramid(), tmp_path, f"k{i}", keep=3)
    assert len([d for d in tmp_path.iterdir() if not d.name.startswith(".")]) == 3


def test_a_pruned_tile_set_is_written_again(tmp_path, monkeypatch):
    from ui import bigdata

    monkeypatch.setattr(bigdata, "TILES", tmp_path)
    ps = PointSet([1.0, 2.0], [3.0, 4.0], ["a", "b"])
    key = bigdata._tiles("d", ("f",), ps, np.array([True, True]))
    assert (tmp_path / key / "0" / "0" / "0.json").exists()
    import shutil

    shutil.rmtree(tmp_path / key)               # pruned by another filter's set
    assert bigdata._tiles("d", ("f",), ps, np.array([True, True])) == key
    assert (tmp_path / key / "0" / "0" / "0.json").exists()


def test_fast_mask_matches_the_curated_filter_rules():
    import pandas as pd

    from geo.filters import Filters, filter_facilities
    from geo.load import load_table
    from ui.bigdata import mask

    fac = load_table("facilities.csv").df
    for f in (Filters(minerals=("cobalt", "rare_earths")), Filters(countries=("CHN", "AUS"), stages=("processing",)),
              Filters(statuses=("operating",), minerals=("lithium",)), Filters()):
        assert list(fac[mask(fac, f)]["id"]) == list(filter_facilities(fac, f)["id"]), f
    odd = pd.DataFrame({"minerals": ["cobalt", None, "all", ""], "country": ["COD", None, "CHN", ""],
                        "stage": ["mining"] * 4, "status": ["unknown"] * 4})
    assert mask(odd, Filters(minerals=("cobalt",))).tolist() == [True, False, True, False]
    assert mask(odd, Filters(countries=("COD",))).tolist() == [True, False, False, False]


def test_a_tile_built_on_request_is_the_pyramids_tile(mrds300k):
    """The server builds tiles one at a time (geo.tileserver): each must be the pyramid's own text,
    with and without a filter, and a tile with no point is None."""
    sub = mrds300k.iloc[:40_000]
    ps = PointSet(sub["longitude"], sub["latitude"], sub["site_name"])
    for m in (None, (sub["commod1"] == "Copper").to_numpy()):
        p = ps.pyramid(m)
        for (z, x, y), text in p.tiles.items():
            assert ps.tile(z, x, y, m) == text
        empty = [(z, x, y) for z in range(4) for x in range(2 ** z) for y in range(2 ** z) if (z, x, y) not in p.tiles]
        assert empty and all(ps.tile(*k, m) is None for k in empty)
    assert ps.tile(DETAIL_ZOOM + 1, 0, 0) is None and ps.tile(1, 2, 0) is None and ps.tile(0, -1, 0) is None


def test_tile_server_serves_registered_sets_within_its_bounds():
    from geo.tileserver import EMPTY, TileServer

    ts = TileServer(max_sets=2, max_point_sets=2, max_cache_bytes=10_000)
    ps = PointSet([10.0, 10.1, -70.0], [50.0, 50.1, -20.0], ["a", "b", "c"])
    ts.register("aaaaaaaa", ps)
    ts.register("bbbbbbbb", ps, np.array([False, False, True]))
    world = json.loads(ts.tile_bytes("aaaaaaaa", 0, 0, 0))
    assert sorted(f["properties"]["n"] for f in world["features"]) == [1, 2]
    only_c = json.loads(ts.tile_bytes("bbbbbbbb", 0, 0, 0))
    assert [f["properties"]["n"] for f in only_c["features"]] == [1]
    x, y = tile_xy(np.array([10.0]), np.array([50.0]), DETAIL_ZOOM)
    assert ts.tile_bytes("bbbbbbbb", DETAIL_ZOOM, int(x[0]), int(y[0])) == EMPTY   # filtered out: empty, not missing
    assert ts.tile_bytes("cccccccc", 0, 0, 0) is None                              # never registered
    assert ts.tile_bytes("aaaaaaaa", DETAIL_ZOOM + 1, 0, 0) is None                 # not a tile
    ts.register("cccccccc", ps)                                                     # a third set: the oldest goes
    assert ts.tile_bytes("aaaaaaaa", 0, 0, 0) is None and ts.tile_bytes("cccccccc", 0, 0, 0)
    for z in range(DETAIL_ZOOM + 1):                                                # the cache stays in bounds
        for x in range(min(2 ** z, 8)):
            ts.tile_bytes("cccccccc", z, x, 0)
    assert ts.stats()["cached_bytes"] <= 10_000
    with pytest.raises(ValueError):
        ts.register("../../etc", ps)
    few = TileServer(max_sets=10, max_point_sets=1)          # a second distinct point set: the first goes
    few.register("dddddddd", ps)
    few.register("dddddddf", ps, np.array([True, False, True]))
    few.register("eeeeeeee", PointSet([3.0], [4.0], ["y"]))
    assert few.stats()["sets"] == 1 and few.tile_bytes("eeeeeeee", 0, 0, 0)


def test_tile_route_sits_under_the_base_url_path():
    from geo.tileserver import TileServer, url_template

    ts = TileServer()
    assert not ts.serving
    assert ts.routes("/atlas/")[0].path == "/atlas/atlas-tiles/{key}/{z:int}/{x:int}/{y:int}.json"
    assert ts.routes("")[0].path.startswith("/atlas-tiles/") and ts.serving
    assert url_template("0123abcd") == "atlas-tiles/0123abcd/{z}/{x}/{y}.json"   # relative: keeps the prefix
