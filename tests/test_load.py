"""Loading and validation: every bad row is named with its line, id and column."""

from geo.load import load_table, read_csv_text, validate

HEADER = ("id,name,stage,kind,minerals,country,lat,lon,location,status,operator,owners,owner_country,"
          "capacity,capacity_unit,start_year,source,source_url,as_of,confidence,notes\n")
GOOD = ("mountain-pass,Mountain Pass,mining,mine,rare_earths,USA,35.47,-115.53,site,operating,MP Materials,,"
        "USA,,,1952,\"USGS, MCS 2025\",https://pubs.usgs.gov/x.pdf,2025-01-31,high,\n")


def _validate(text):
    df, issues = read_csv_text(text, "facilities.csv")
    assert df is not None, issues
    return validate(df, "facilities.csv")


def test_good_row_loads_with_types():
    t = _validate(HEADER + GOOD)
    assert t.ok and t.issues == []
    row = t.df.iloc[0]
    assert row["lat"] == 35.47 and row["start_year"] == 1952


def test_bad_rows_reported_with_line_id_and_column_and_dropped():
    bad = GOOD.replace("mountain-pass,Mountain Pass,mining", "bad-one,Bad,minning").replace(
        "USA,35.47", "XXX,95").replace(",site,", ",pit,")
    t = _validate(HEADER + GOOD + bad)
    assert t.ok and list(t.df["id"]) == ["mountain-pass"]
    msgs = {(i.line, i.row_id, i.column): i.message for i in t.issues}
    assert (3, "bad-one", "stage") in msgs and "'minning' is not one of" in msgs[(3, "bad-one", "stage")]
    assert "outside the range -90 to 90" in msgs[(3, "bad-one", "lat")]
    assert "is not an ISO 3166-1 alpha-3 code" in msgs[(3, "bad-one", "country")]
    assert "'pit' is not one of" in msgs[(3, "bad-one", "location")]
    assert str(t.issues[0]).startswith("facilities.csv, line 3 (id bad-one), column ")


def test_duplicate_id_keeps_first_and_names_the_repeat():
    t = _validate(HEADER + GOOD + GOOD.replace("Mountain Pass,", "Copy,"))
    assert list(t.df["name"]) == ["Mountain Pass"]
    [issue] = t.issues
    assert issue.line == 3 and issue.column == "id" and "repeats an earlier row" in issue.message


def test_non_numeric_and_non_integer_cells():
    row = GOOD.replace(",,,1952,", ",lots,t/y,1952.5,")
    t = _validate(HEADER + row)
    cols = {i.column: i.message for i in t.issues}
    assert cols["capacity"] == "'lots' is not a number"
    assert cols["start_year"] == "'1952.5' is not a whole number"


def test_bad_date_url_and_empty_required_cell():
    row = GOOD.replace("2025-01-31", "31/01/2025").replace("https://pubs.usgs.gov/x.pdf", "javascript:alert(1)")
    row = row.replace("Mountain Pass,", ",")
    msgs = {i.column: i.message for i in _validate(HEADER + row).issues}
    assert "is not a date" in msgs["as_of"]
    assert "is not an http(s) URL" in msgs["source_url"]
    assert msgs["name"] == "a value is required but the cell is empty"


def test_missing_columns_make_the_file_unusable():
    t = _validate("id,name\nx,y\n")
    assert not t.ok
    assert "missing required column(s): stage, kind" in t.issues[0].message


def test_missing_empty_and_non_utf8_files(tmp_path):
    t = load_table("facilities.csv", tmp_path)
    assert not t.ok and "file not found" in t.issues[0].message
    (tmp_path / "facilities.csv").write_text("")
    assert load_table("facilities.csv", tmp_path).issues[0].message == "the file is empty"
    (tmp_path / "facilities.csv").write_bytes(HEADER.encode() + "Sillamäe".encode("latin-1"))
    assert "not UTF-8" in load_table("facilities.csv", tmp_path).issues[0].message


def test_unparseable_csv(tmp_path):
    (tmp_path / "facilities.csv").write_text('id,name\n"unterminated,x\n')
    t = load_table("facilities.csv", tmp_path)
    assert not t.ok


def test_the_atlas_kept_on_disk_is_the_data_and_follows_every_change(data_copy, tmp_path, monkeypatch):
    import geo.atlas as A

    cache = tmp_path / "cache"
    first = A.load_atlas_cached(data_copy, cache)
    assert len(list(cache.glob("atlas-*.pickle"))) == 1
    monkeypatch.setattr(A, "load_atlas", lambda *_: (_ for _ in ()).throw(AssertionError("read afresh")))
    kept = A.load_atlas_cached(data_copy, cache)                  # from the kept copy: no loading
    assert kept.df("facilities.csv").equals(first.df("facilities.csv"))
    assert [str(i) for i in kept.issues] == [str(i) for i in first.issues]
    monkeypatch.undo()
    fac = data_copy / "facilities.csv"                            # a data file changes: loaded afresh
    lines = fac.read_text(encoding="utf-8").splitlines(keepends=True)
    fac.write_text("".join(lines[:-1]), encoding="utf-8")
    changed = A.load_atlas_cached(data_copy, cache)
    assert len(changed.df("facilities.csv")) == len(first.df("facilities.csv")) - 1
    for p in cache.glob("atlas-*.pickle"):                        # an unreadable copy is replaced
        p.write_bytes(b"not a pickle")
    again = A.load_atlas_cached(data_copy, cache)
    assert len(again.df("facilities.csv")) == len(changed.df("facilities.csv"))
    assert len(list(cache.glob("atlas-*.pickle"))) == 2
