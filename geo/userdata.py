"""Bring your own data: read an uploaded file into a map layer shaped like the curated sites.

Accepted: CSV/TSV/TXT (a USGS MRDS CSV export included), GeoJSON, GeoParquet (or plain Parquet
with coordinate columns), and ZIP archives holding a shapefile or one such file.

Every failure is an :class:`UploadError` whose message names the file and, where it applies,
the row and column. Rows that cannot be placed on the map are left out and listed as
:class:`RowProblem`. Nothing here writes outside a private temporary directory, and the
uploaded bytes are never executed or rendered as markup.
"""

from __future__ import annotations

import csv
import io
import json
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import numpy as np
import pandas as pd
import pycountry

from geo.countries import _SHORT, SPECIAL
from geo.text import clean

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """What one upload may cost. ``max_bytes`` matches ``server.maxUploadSize`` in .streamlit/config.toml."""

    max_bytes: int = 50 * MB
    max_rows: int = 400_000
    max_columns: int = 500
    zip_max_entries: int = 100
    zip_max_total: int = 300 * MB       # uncompressed, all members
    zip_max_ratio: int = 100            # uncompressed / compressed, per member
    max_cell_chars: int = 2_000


LIMITS = Limits()
TEXT_SUFFIXES = {".csv", ".tsv", ".txt"}
JSON_SUFFIXES = {".geojson", ".json"}
PARQUET_SUFFIXES = {".parquet", ".geoparquet"}
ARCHIVE_SUFFIXES = {".zip"}
ACCEPTED = sorted(s.lstrip(".") for s in TEXT_SUFFIXES | JSON_SUFFIXES | PARQUET_SUFFIXES | ARCHIVE_SUFFIXES)
NESTED = (".zip", ".gz", ".tgz", ".tar", ".7z", ".rar", ".bz2", ".xz", ".kmz")
SHP_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")


class UploadError(ValueError):
    """A file that cannot be used at all. ``str()`` is the message for the user."""


@dataclass(frozen=True)
class RowProblem:
    row: int          # 1-based data row (CSV: the header is line 1, so row r is on line r + 1)
    column: str
    problem: str

    def __str__(self) -> str:
        return f"row {self.row}, column '{clean(self.column, limit=60)}': {self.problem}"


# --- column detection ------------------------------------------------------------------------

def _norm(name: object) -> str:
    return re.sub(r"[^a-z0-9]+", "_", str(name).strip().lower()).strip("_")


CANDIDATES = {
    "lat": ("latitude", "lat", "lat_dd", "decimal_latitude", "latitude_dd", "y", "ycoord", "lat_wgs84"),
    "lon": ("longitude", "lon", "lng", "long", "lon_dd", "decimal_longitude", "longitude_dd", "x", "xcoord",
            "lon_wgs84"),
    "name": ("site_name", "name", "site", "mine", "mine_name", "deposit", "deposit_name", "facility", "project",
             "title", "label"),
    "country": ("country", "country_name", "iso3", "country_code", "iso", "iso_a3", "nation"),
    "status": ("dev_stat", "status", "development_status", "stage_status", "state"),
    "stage": ("stage", "supply_chain_stage", "type", "kind"),
    "id": ("dep_id", "id", "site_id", "rec_id", "fid", "objectid"),
}
MINERAL_CANDIDATES = ("commod1", "commod2", "commod3", "commodity", "commodities", "mineral", "minerals",
                      "commod", "primary_commodity", "main_commodity", "element", "metal", "metals")
MRDS_COLUMNS = {"dep_id", "site_name", "latitude", "longitude", "commod1", "dev_stat"}


@dataclass
class Columns:
    """Which uploaded column plays which part (None: not present)."""

    lat: str | None = None
    lon: str | None = None
    name: str | None = None
    country: str | None = None
    status: str | None = None
    stage: str | None = None
    id: str | None = None
    minerals: tuple[str, ...] = ()


def detect_columns(columns) -> Columns:
    """Guess the role of each column from its header (case, spaces and punctuation ignored)."""
    by_norm: dict[str, str] = {}
    for c in columns:
        by_norm.setdefault(_norm(c), c)
    found = Columns()
    for role, names in CANDIDATES.items():
        for n in names:
            if n in by_norm:
                setattr(found, role, by_norm[n])
                break
    found.minerals = tuple(by_norm[n] for n in MINERAL_CANDIDATES if n in by_norm)
    return found


def is_mrds(columns) -> bool:
    return MRDS_COLUMNS <= {_norm(c) for c in columns}


# --- value mapping ---------------------------------------------------------------------------

MINERAL_ALIASES = {
    "ree": "rare_earths", "rees": "rare_earths", "rare earth": "rare_earths", "rare earths": "rare_earths",
    "rare earth elements": "rare_earths", "rare-earth elements": "rare_earths", "rare-earths": "rare_earths",
    "ree-y": "rare_earths", "reo": "rare_earths", "lanthanides": "rare_earths", "lree": "rare_earths",
    "hree": "rare_earths", "neodymium": "rare_earths", "praseodymium": "rare_earths", "dysprosium": "rare_earths",
    "terbium": "rare_earths", "lanthanum": "rare_earths", "cerium": "rare_earths", "yttrium": "rare_earths",
    "samarium": "rare_earths", "europium": "rare_earths", "gadolinium": "rare_earths", "monazite": "rare_earths",
    "bastnaesite": "rare_earths", "bastnasite": "rare_earths", "xenotime": "rare_earths", "ndpr": "rare_earths",
    "pgm": "platinum_group_metals", "pge": "platinum_group_metals", "pgms": "platinum_group_metals",
    "platinum": "platinum_group_metals", "palladium": "platinum_group_metals", "rhodium": "platinum_group_metals",
    "iridium": "platinum_group_metals", "ruthenium": "platinum_group_metals", "osmium": "platinum_group_metals",
    "platinum group": "platinum_group_metals", "aluminum": "aluminium", "bauxite": "aluminium",
    "alumina": "aluminium", "barite": "baryte", "barium": "baryte", "fluorite": "fluorspar",
    "fluorine": "fluorspar", "cesium": "caesium", "columbium": "niobium", "iron": "iron_ore",
    "phosphate": "phosphate_rock", "phosphates": "phosphate_rock", "potassium": "potash",
    "graphite": "graphite", "natural graphite": "graphite", "coal, metallurgical": "coking_coal",
    "metallurgical coal": "coking_coal", "spodumene": "lithium", "lithium brine": "lithium",
    "tantalite": "tantalum", "coltan": "tantalum", "cassiterite": "tin", "wolframite": "tungsten",
    "scheelite": "tungsten", "wolfram": "tungsten", "chromite": "chromium", "ilmenite": "titanium",
    "rutile": "titanium", "zircon": "zirconium", "stibnite": "antimony", "molybdenite": "molybdenum",
}


class MineralMapper:
    """Maps commodity names (``"Rare earths"``, ``"REE"``, ``"Cobalt"``, ``"Co"``) to Atlas mineral ids."""

    def __init__(self, minerals: pd.DataFrame | None):
        table: dict[str, str] = {}
        if minerals is not None:
            for r in minerals.itertuples():
                table[str(r.id).lower()] = r.id
                table[str(r.id).replace("_", " ").lower()] = r.id
                table[str(r.name).lower()] = r.id
                table[re.sub(r"\s*\(.*\)", "", str(r.name)).lower()] = r.id
                sym = getattr(r, "symbol", None)
                if isinstance(sym, str) and sym.strip():
                    table[sym.strip().lower()] = r.id
            known = set(minerals["id"])
            table.update({k: v for k, v in MINERAL_ALIASES.items() if v in known})
        self.table = table

    def one(self, value: str) -> str | None:
        v = " ".join(value.strip().lower().split())
        if not v:
            return None
        if v in self.table:
            return self.table[v]
        # "Niobium (Columbium)", "Fluorine-Fluorite", "Phosphorus-Phosphates", "Cobalt ore"
        for part in re.split(r"[()\-/]| ore$| metal$", v):
            p = part.strip()
            if p in self.table:
                return self.table[p]
        return None

    def cell(self, value: object) -> tuple[list[str], list[str]]:
        """(mineral ids, unmapped names) for one cell that may list several commodities."""
        text = clean(value, limit=LIMITS.max_cell_chars)
        ids: list[str] = []
        unmapped: list[str] = []
        for part in re.split(r"[,;|]", text):
            part = part.strip()
            if not part:
                continue
            m = self.one(part)
            if m is None:
                unmapped.append(part)
            elif m not in ids:
                ids.append(m)
        return ids, unmapped


_COUNTRY_EXTRA = {v.lower(): k for k, v in _SHORT.items()} | {
    "united states of america": "USA", "us": "USA", "u.s.": "USA", "u.s.a.": "USA", "uk": "GBR",
    "great britain": "GBR", "england": "GBR", "scotland": "GBR", "wales": "GBR", "burma": "MMR",
    "congo (kinshasa)": "COD", "democratic republic of the congo": "COD", "drc": "COD", "zaire": "COD",
    "congo (brazzaville)": "COG", "republic of the congo": "COG", "ivory coast": "CIV",
    "south korea": "KOR", "korea, south": "KOR", "korea, republic of": "KOR", "north korea": "PRK",
    "korea, north": "PRK", "russia": "RUS", "kosovo": "XKX", "laos": "LAO", "swaziland": "SWZ",
    "czech republic": "CZE", "turkey": "TUR", "bolivia": "BOL", "iran": "IRN", "syria": "SYR",
    "vietnam": "VNM", "tanzania": "TZA", "venezuela": "VEN", "macedonia": "MKD", "moldova": "MDA",
    "brunei": "BRN", "cape verde": "CPV", "east timor": "TLS", "palestine": "PSE",
}


def country_code(value: object) -> str | None:
    """ISO3 for a country name or ISO2/ISO3 code (pycountry), or None if it is not recognised."""
    text = clean(value, limit=80)
    if not text:
        return None
    low = text.lower()
    if low in _COUNTRY_EXTRA:
        return _COUNTRY_EXTRA[low]
    if text.upper() in SPECIAL and text.upper() == "XKX":
        return "XKX"
    try:
        return pycountry.countries.lookup(text).alpha_3
    except LookupError:
        pass
    try:
        hits = pycountry.countries.search_fuzzy(text)
    except LookupError:
        return None
    return hits[0].alpha_3 if len(hits) == 1 else None


STATUS_MAP = {  # editorial mapping of common status words to the Atlas's statuses
    "producer": "operating", "operating": "operating", "active": "operating", "production": "operating",
    "producing": "operating", "past producer": "closed", "closed": "closed", "inactive": "closed",
    "abandoned": "closed", "historic": "closed", "prospect": "exploration", "occurrence": "exploration",
    "exploration": "exploration", "deposit": "exploration", "development": "development",
    "feasibility": "development", "construction": "construction", "under construction": "construction",
    "care and maintenance": "care_and_maintenance", "care_and_maintenance": "care_and_maintenance",
    "suspended": "care_and_maintenance", "idle": "care_and_maintenance",
}
STAGE_MAP = {
    "mine": "mining", "mining": "mining", "deposit": "mining", "occurrence": "mining", "prospect": "mining",
    "plant": "processing", "processing": "processing", "refinery": "processing", "smelter": "processing",
    "refining": "processing", "manufacturing": "manufacturing", "factory": "manufacturing",
    "recycling": "recycling",
}


# --- reading ---------------------------------------------------------------------------------

def _suffix(name: str) -> str:
    return PurePosixPath(name.lower()).suffix


def decode_text(data: bytes, file: str) -> tuple[str, list[str]]:
    """Text of a CSV upload: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252 with a notice."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return data.decode("utf-16"), []
        except UnicodeDecodeError as exc:
            raise UploadError(f"{file}: starts like UTF-16 text but byte {exc.start} is not valid UTF-16.") from None
    head = data[:65536]
    if b"\x00" in head:
        raise UploadError(f"{file}: this is a binary file, not text (it contains NUL bytes). "
                          "Upload CSV text, GeoJSON, GeoParquet or a zipped shapefile.")
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        first_bad = exc.start
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as exc:
        line2 = data[: exc.start].count(b"\n") + 1
        raise UploadError(f"{file}: not UTF-8 text (first bad byte at offset {first_bad}, line {line}) and not "
                          f"Windows-1252 either (line {line2}). Save it as UTF-8 CSV and upload it again.") from None
    return text, [f"{file} is not UTF-8 (first non-UTF-8 byte on line {line}); it was read as Windows-1252. "
                  "Check accented names."]


def read_csv_bytes(data: bytes, file: str, limits: Limits = LIMITS) -> tuple[pd.DataFrame, list[str]]:
    text, notices = decode_text(data, file)
    if not text.strip():
        raise UploadError(f"{file}: the file is empty.")
    sample = text[:65536]
    if _suffix(file) == ".tsv":
        sep = "\t"
    else:
        try:
            sep = csv.Sniffer().sniff(sample.split("\n", 1)[0] + "\n", delimiters=",;\t|").delimiter
        except csv.Error:
            sep = ","
    try:
        df = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, na_values=[""],
                         skip_blank_lines=True, nrows=limits.max_rows + 1, engine="c")
    except pd.errors.EmptyDataError:
        raise UploadError(f"{file}: the file is empty.") from None
    except pd.errors.ParserError as exc:
        m = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
        if m:
            raise UploadError(f"{file}: line {m.group(2)} has {m.group(3)} fields but the header has "
                              f"{m.group(1)} columns (a stray '{sep}' or an unclosed quote?).") from None
        raise UploadError(f"{file}: this is not a readable CSV table ({clean(exc, limit=160)}).") from None
    if len(df.columns) > limits.max_columns:
        raise UploadError(f"{file}: {len(df.columns)} columns; at most {limits.max_columns} are accepted.")
    if len(df) > limits.max_rows:
        raise UploadError(f"{file}: more than {limits.max_rows:,} rows; split the file or filter it first.")
    if df.empty:
        raise UploadError(f"{file}: the header is there but there are no data rows.")
    return df, notices


def _features_frame(features: list, file: str) -> tuple[pd.DataFrame, list[RowProblem]]:
    from shapely.geometry import shape

    rows, problems = [], []
    for i, feat in enumerate(features, start=1):
        if not isinstance(feat, dict):
            problems.append(RowProblem(i, "feature", "not a GeoJSON Feature object"))
            continue
        props = feat.get("properties") or {}
        if not isinstance(props, dict):
            props = {}
        rec = {str(k): (v if isinstance(v, (str, int, float)) or v is None else json.dumps(v)[:200])
               for k, v in props.items()}
        geom = feat.get("geometry")
        try:
            g = shape(geom) if geom else None
        except Exception as exc:  # noqa: BLE001 - any malformed geometry is reported
            problems.append(RowProblem(i, "geometry", f"not a valid GeoJSON geometry ({clean(exc, limit=80)})"))
            continue
        point = _point_of(g, i, problems)
        if point is None:
            continue
        rec["__lon"], rec["__lat"] = point
        rows.append(rec)
    return pd.DataFrame(rows), problems


def _point_of(g, row: int, problems: list[RowProblem]) -> tuple[float, float] | None:
    import shapely

    if g is None or g.is_empty:
        problems.append(RowProblem(row, "geometry", "no geometry"))
        return None
    if not g.is_valid:
        problems.append(RowProblem(row, "geometry", f"invalid geometry ({clean(shapely.is_valid_reason(g), limit=80)})"))
        return None
    p = g if g.geom_type == "Point" else g.representative_point()
    return float(p.x), float(p.y)


def read_geojson_bytes(data: bytes, file: str, limits: Limits = LIMITS) -> tuple[pd.DataFrame, list[RowProblem]]:
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise UploadError(f"{file}: GeoJSON must be UTF-8 text (bad byte at offset {exc.start}).") from None
    except RecursionError:
        raise UploadError(f"{file}: the JSON is nested too deeply to be GeoJSON.") from None
    except json.JSONDecodeError as exc:
        raise UploadError(f"{file}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}).") from None
    if isinstance(doc, dict) and doc.get("type") == "FeatureCollection":
        features = doc.get("features")
        if not isinstance(features, list):
            raise UploadError(f"{file}: a FeatureCollection needs a 'features' list.")
    elif isinstance(doc, dict) and doc.get("type") == "Feature":
        features = [doc]
    else:
        raise UploadError(f"{file}: JSON but not GeoJSON (expected \"type\": \"FeatureCollection\" or \"Feature\").")
    if not features:
        raise UploadError(f"{file}: the FeatureCollection has no features.")
    if len(features) > limits.max_rows:
        raise UploadError(f"{file}: {len(features):,} features; at most {limits.max_rows:,} are accepted.")
    df, problems = _features_frame(features, file)
    return df, problems


def read_parquet_bytes(data: bytes, file: str, limits: Limits = LIMITS) -> tuple[pd.DataFrame, list[RowProblem]]:
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001
        raise UploadError(f"{file}: not a readable Parquet file ({clean(type(exc).__name__)}).") from None
    if pf.metadata.num_rows > limits.max_rows:
        raise UploadError(f"{file}: {pf.metadata.num_rows:,} rows; at most {limits.max_rows:,} are accepted.")
    if pf.metadata.num_rows == 0:
        raise UploadError(f"{file}: the table has no rows.")
    geo_meta = (pf.schema_arrow.metadata or {}).get(b"geo")
    try:
        table = pf.read()
    except Exception as exc:  # noqa: BLE001
        raise UploadError(f"{file}: the Parquet data could not be read ({clean(type(exc).__name__)}).") from None
    df = table.to_pandas()
    problems: list[RowProblem] = []
    if geo_meta:
        import shapely

        try:
            col = json.loads(geo_meta).get("primary_column", "geometry")
        except (ValueError, AttributeError):
            col = "geometry"
        if col in df.columns:
            pts_lon, pts_lat, keep = [], [], []
            for i, wkb in enumerate(df[col], start=1):
                try:
                    g = shapely.from_wkb(wkb) if wkb is not None else None
                except Exception:  # noqa: BLE001
                    problems.append(RowProblem(i, col, "geometry is not valid WKB"))
                    keep.append(False)
                    continue
                p = _point_of(g, i, problems)
                keep.append(p is not None)
                if p is not None:
                    pts_lon.append(p[0])
                    pts_lat.append(p[1])
            df = df.drop(columns=[col])[keep].reset_index(drop=True)
            df["__lon"], df["__lat"] = pts_lon, pts_lat
    for c in df.columns:
        if df[c].dtype == object:
            df[c] = df[c].map(lambda v: v if v is None or isinstance(v, (str, int, float)) else str(v)[:200])
    return df, problems


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, file: str, limits: Limits, budget: list[int]) -> bytes:
    """Read one archive member, stopping as soon as it exceeds what its header (and the budget) allow."""
    out = bytearray()
    with zf.open(info) as fh:
        while chunk := fh.read(1 << 20):
            out += chunk
            budget[0] -= len(chunk)
            if len(out) > info.file_size or budget[0] < 0:
                raise UploadError(f"{file}: '{clean(info.filename, limit=80)}' unpacks to more than the archive "
                                  f"declares or than {limits.zip_max_total // MB} MB in all; refused.")
    return bytes(out)


def read_zip_bytes(data: bytes, file: str, limits: Limits = LIMITS):
    """(frame, notices, problems) of a zipped shapefile or a zip holding one CSV/GeoJSON/Parquet file."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = [i for i in zf.infolist() if not i.is_dir()]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        raise UploadError(f"{file}: not a readable ZIP archive (damaged or not a zip).") from None
    if not infos:
        raise UploadError(f"{file}: the archive is empty.")
    if len(infos) > limits.zip_max_entries:
        raise UploadError(f"{file}: {len(infos)} files in the archive; at most {limits.zip_max_entries} are accepted.")
    total = sum(i.file_size for i in infos)
    if total > limits.zip_max_total:
        raise UploadError(f"{file}: unpacks to {total / MB:,.0f} MB; at most {limits.zip_max_total // MB} MB "
                          "are accepted.")
    for i in infos:
        name = i.filename.lower()
        if name.endswith(NESTED):
            raise UploadError(f"{file}: contains another archive ('{clean(i.filename, limit=80)}'); "
                              "nested archives are not accepted. Unpack it and upload the inner file.")
        if i.file_size > 1 * MB and i.file_size > limits.zip_max_ratio * max(i.compress_size, 1):
            raise UploadError(f"{file}: '{clean(i.filename, limit=80)}' compresses {i.file_size // max(i.compress_size, 1):,}:1, "
                              f"more than {limits.zip_max_ratio}:1 (a zip bomb?); refused.")
        if i.flag_bits & 0x1:
            raise UploadError(f"{file}: '{clean(i.filename, limit=80)}' is encrypted; upload an unencrypted archive.")
    budget = [limits.zip_max_total]
    usable = [i for i in infos if not PurePosixPath(i.filename).name.startswith(("._", "."))
              and "__MACOSX" not in i.filename]
    shps = [i for i in usable if i.filename.lower().endswith(".shp")]
    if shps:
        return _read_shapefile(zf, shps[0], usable, file, limits, budget, extra=len(shps) - 1)
    tables = [i for i in usable if _suffix(i.filename) in TEXT_SUFFIXES | JSON_SUFFIXES | PARQUET_SUFFIXES]
    if len(tables) != 1:
        found = ", ".join(sorted({_suffix(i.filename) or "(no extension)" for i in usable})[:8])
        raise UploadError(f"{file}: expected a shapefile (.shp with .shx and .dbf) or exactly one CSV, GeoJSON "
                          f"or Parquet file inside; found {len(tables)} table files ({found}).")
    inner = tables[0]
    name = f"{file}/{PurePosixPath(inner.filename).name}"
    frame, notices, problems = read_any(name, _read_member(zf, inner, file, limits, budget), limits, _inner=True)
    return frame, notices, problems


def _read_shapefile(zf, shp, usable, file, limits, budget, *, extra: int):
    import pyogrio

    stem = shp.filename[:-4]
    parts = {i.filename[len(stem):].lower(): i for i in usable if i.filename.startswith(stem)
             and i.filename[len(stem):].lower() in SHP_PARTS}
    missing = [p for p in (".shx", ".dbf") if p not in parts]
    if missing:
        raise UploadError(f"{file}: the shapefile '{clean(PurePosixPath(shp.filename).name, limit=80)}' lacks "
                          f"its {' and '.join(missing)} part(s); zip all the files of the shapefile together.")
    notices = [f"{file}: {extra} more shapefile(s) in the archive were ignored; only the first was read."] if extra else []
    with tempfile.TemporaryDirectory(prefix="atlas-upload-") as tmp:
        for ext, info in parts.items():
            (Path(tmp) / f"layer{ext}").write_bytes(_read_member(zf, info, file, limits, budget))
        try:
            info = pyogrio.read_info(Path(tmp) / "layer.shp")
            if info["features"] > limits.max_rows:
                raise UploadError(f"{file}: {info['features']:,} features; at most {limits.max_rows:,} are accepted.")
            gdf = pyogrio.read_dataframe(Path(tmp) / "layer.shp", on_invalid="ignore")
        except UploadError:
            raise
        except Exception as exc:  # noqa: BLE001 - GDAL errors on damaged parts
            raise UploadError(f"{file}: the shapefile could not be read ({clean(exc, limit=160)}).") from None
    if gdf.empty:
        raise UploadError(f"{file}: the shapefile has no features.")
    if gdf.crs is None:
        notices.append(f"{file}: no .prj (coordinate system); coordinates were taken as longitude/latitude.")
    elif gdf.crs.to_epsg() != 4326:
        try:
            gdf = gdf.to_crs(4326)
        except Exception as exc:  # noqa: BLE001
            raise UploadError(f"{file}: its coordinate system could not be converted to latitude/longitude "
                              f"({clean(exc, limit=120)}).") from None
    problems: list[RowProblem] = []
    lon, lat, keep = [], [], []
    for i, g in enumerate(gdf.geometry, start=1):
        p = _point_of(g, i, problems)
        keep.append(p is not None)
        if p is not None:
            lon.append(p[0])
            lat.append(p[1])
    df = pd.DataFrame(gdf.drop(columns="geometry"))[keep].reset_index(drop=True)
    df["__lon"], df["__lat"] = lon, lat
    return df, notices, problems


def read_any(file: str, data: bytes, limits: Limits = LIMITS, *, _inner: bool = False):
    """(raw frame, notices, row problems) of an uploaded file, or UploadError."""
    suffix = _suffix(file)
    if not data:
        raise UploadError(f"{file}: the file is empty.")
    if len(data) > limits.max_bytes and not _inner:
        raise UploadError(f"{file}: {len(data) / MB:,.0f} MB; at most {limits.max_bytes // MB} MB are accepted.")
    if suffix in TEXT_SUFFIXES:
        df, notices = read_csv_bytes(data, file, limits)
        return df, notices, []
    if suffix in JSON_SUFFIXES:
        df, problems = read_geojson_bytes(data, file, limits)
        return df, [], problems
    if suffix in PARQUET_SUFFIXES:
        df, problems = read_parquet_bytes(data, file, limits)
        return df, [], problems
    if suffix in ARCHIVE_SUFFIXES and not _inner:
        return read_zip_bytes(data, file, limits)
    raise UploadError(f"{file}: files of type '{clean(suffix or 'none', limit=20)}' are not accepted; "
                      f"use one of {', '.join('.' + s for s in ACCEPTED)}.")


# --- to a layer ------------------------------------------------------------------------------

@dataclass
class UserLayer:
    file: str
    sites: pd.DataFrame                 # shaped like the curated facilities (same columns the map uses)
    columns: Columns
    rows_read: int
    notices: list[str] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    unmapped_minerals: dict[str, int] = field(default_factory=dict)
    unmapped_countries: dict[str, int] = field(default_factory=dict)
    mrds: bool = False

    @property
    def summary(self) -> str:
        left = self.rows_read - len(self.sites)
        return (f"{len(self.sites):,} of {self.rows_read:,} rows from {clean(self.file, limit=80)} are on the map"
                + (f"; {left:,} left out (see below)" if left else ""))


def _numbers(raw: pd.Series, col: str, low: float, high: float, problems: list[RowProblem]) -> pd.Series:
    vals = pd.to_numeric(raw.astype(str).str.strip().str.replace(",", ".", regex=False)
                         if raw.dtype == object else raw, errors="coerce")
    vals = vals.where(np.isfinite(vals.astype(float)))
    bad_num = vals.isna() & raw.notna()
    missing = raw.isna()
    out_range = vals.notna() & ((vals < low) | (vals > high))
    for idx in np.flatnonzero(bad_num.to_numpy())[:200]:
        problems.append(RowProblem(int(idx) + 1, col, f"'{clean(raw.iloc[idx], limit=30)}' is not a number"))
    for idx in np.flatnonzero(missing.to_numpy())[:200]:
        problems.append(RowProblem(int(idx) + 1, col, "empty"))
    for idx in np.flatnonzero(out_range.to_numpy())[:200]:
        problems.append(RowProblem(int(idx) + 1, col, f"{vals.iloc[idx]:g} is outside {low:g} to {high:g}"))
    return vals.where(~out_range)


def to_layer(raw: pd.DataFrame, file: str, minerals: pd.DataFrame | None, *, columns: Columns | None = None,
             notices: list[str] | None = None, problems: list[RowProblem] | None = None,
             default_stage: str = "mining", as_of: str | None = None) -> UserLayer:
    """Turn a raw uploaded table into sites the map, filters, tooltips and exports understand."""
    import datetime as dt

    cols = columns or detect_columns([c for c in raw.columns if not str(c).startswith("__")])
    problems = list(problems or [])
    notices = list(notices or [])
    n = len(raw)
    if "__lon" in raw.columns:
        lon = raw["__lon"].astype(float)
        lat = raw["__lat"].astype(float)
        lon_ok = lon.between(-180, 180)
        lat_ok = lat.between(-90, 90)
        for idx in np.flatnonzero(~(lon_ok & lat_ok).to_numpy())[:200]:
            problems.append(RowProblem(int(idx) + 1, "geometry", "coordinates are not longitude/latitude degrees"))
        lon, lat = lon.where(lon_ok & lat_ok), lat.where(lon_ok & lat_ok)
    else:
        if not cols.lat or not cols.lon:
            have = ", ".join(f"'{clean(c, limit=30)}'" for c in list(raw.columns)[:12])
            raise UploadError(f"{file}: no latitude/longitude columns found (columns: {have}). Name them "
                              "'latitude' and 'longitude', or choose them below.")
        if cols.lat == cols.lon:
            raise UploadError(f"{file}: latitude and longitude cannot both be column '{clean(cols.lat, limit=40)}'.")
        for c in (cols.lat, cols.lon):
            if c not in raw.columns:
                raise UploadError(f"{file}: there is no column '{clean(c, limit=40)}'.")
        lat = _numbers(raw[cols.lat], cols.lat, -90, 90, problems)
        lon = _numbers(raw[cols.lon], cols.lon, -180, 180, problems)
    ok = (lat.notna() & lon.notna()).to_numpy()
    if not ok.any():
        first = "; ".join(str(p) for p in problems[:3])
        raise UploadError(f"{file}: no row has usable coordinates ({first}).")

    def per_value(values: pd.Series, fn) -> np.ndarray:
        """``fn`` of every cell, computed once per distinct value (missing cells: ``fn(None)``)."""
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        done = np.array([fn(v) for v in uniques] + [fn(None)], dtype=object)
        return done[codes]  # code -1 (missing) picks the last entry

    def text(col: str | None, default: str = "") -> pd.Series:
        if col and col in raw.columns:
            return pd.Series(per_value(raw[col], lambda v: clean(v, limit=300)), index=raw.index, dtype=object)
        return pd.Series(default, index=raw.index, dtype=object)

    mapper = MineralMapper(minerals)
    unmapped: dict[str, int] = {}
    mcols = [c for c in cols.minerals if c in raw.columns]
    if mcols:  # column-wise (a row-wise join took ~20 s for 300k rows)
        parts = [raw[c].astype("string").fillna("").astype(object) for c in mcols]
        joined = parts[0].str.cat(parts[1:], sep=",") if len(parts) > 1 else parts[0]
    else:
        joined = pd.Series("", index=raw.index)
    codes_m, distinct = pd.factorize(joined, use_na_sentinel=True)
    counts = np.bincount(codes_m[codes_m >= 0], minlength=len(distinct))
    mapped = [mapper.cell(v) for v in distinct]
    mineral_ids = np.array([";".join(found) for found, _ in mapped] + [""], dtype=object)[codes_m]
    for (_, miss), k in zip(mapped, counts):
        for m in miss:
            unmapped[m] = unmapped.get(m, 0) + int(k)
    countries_raw = text(cols.country)
    codes = {v: country_code(v) for v in countries_raw.unique() if v}
    vc = countries_raw.value_counts()
    unmapped_c = {v: int(vc[v]) for v, c in codes.items() if c is None}
    status_raw = text(cols.status).str.lower()
    stage_raw = text(cols.stage).str.lower()
    names = text(cols.name)
    ids = text(cols.id)
    rowno = pd.Series(np.arange(1, n + 1), index=raw.index)
    stem = re.sub(r"[^a-z0-9]+", "-", PurePosixPath(file).stem.lower())[:30].strip("-") or "upload"
    sites = pd.DataFrame({
        "id": np.where(ids.ne(""), "u-" + ids.str.slice(0, 60), f"u-{stem}-" + rowno.astype(str)),
        "name": np.where(names.ne(""), names, "Row " + rowno.astype(str)),
        "stage": np.where(status_raw.eq("plant") & ~stage_raw.isin(list(STAGE_MAP)), STAGE_MAP["plant"],
                          stage_raw.map(STAGE_MAP).astype(object).fillna(default_stage).to_numpy(object)),
        "kind": "uploaded site",
        "minerals": mineral_ids,
        "country": countries_raw.map({k: v for k, v in codes.items() if v}).astype(object).fillna("").to_numpy(object),
        "lat": lat.round(5).to_numpy(),
        "lon": lon.round(5).to_numpy(),
        "status": status_raw.map(STATUS_MAP).astype(object).fillna("unknown").to_numpy(object),
        "status_in_file": status_raw.to_numpy(),
        "operator": "",
        "owners": "",
        "owner_country": None,
        "capacity": np.nan,
        "capacity_unit": "",
        "start_year": pd.array([pd.NA] * n, dtype="Int64"),
        "source": f"Your upload: {clean(file, limit=100)} (row " + rowno.astype(str) + ")",
        "source_url": "",
        "as_of": as_of or dt.date.today().isoformat(),
        "confidence": "unverified",
        "notes": "",
        "row": rowno.to_numpy(),
    })[ok].reset_index(drop=True)
    mrds = is_mrds(raw.columns)
    if mrds:
        notices.append("Recognised a USGS MRDS export: dev_stat Producer → operating, Past Producer → closed, "
                       "Prospect/Occurrence → exploration, Plant → processing stage.")
    layer = UserLayer(file=file, sites=sites, columns=cols, rows_read=n, notices=notices, problems=problems,
                      unmapped_minerals=dict(sorted(unmapped.items(), key=lambda kv: -kv[1])),
                      unmapped_countries=dict(sorted(unmapped_c.items(), key=lambda kv: -kv[1])), mrds=mrds)
    return layer


def read_upload(file: str, data: bytes, *, limits: Limits = LIMITS, size: int | None = None):
    """(raw frame, notices, row problems) of one upload. ``size`` (if known) is checked before parsing."""
    if size is not None and size > limits.max_bytes:
        raise UploadError(f"{file}: {size / MB:,.0f} MB; at most {limits.max_bytes // MB} MB are accepted.")
    raw, notices, problems = read_any(file, data, limits)
    if raw.empty:
        first = "; ".join(str(p) for p in problems[:3])
        raise UploadError(f"{file}: no usable rows{(' (' + first + ')') if first else ''}.")
    return raw, notices, problems


def load_upload(file: str, data: bytes, minerals: pd.DataFrame | None, *, columns: Columns | None = None,
                limits: Limits = LIMITS, size: int | None = None) -> tuple[pd.DataFrame, UserLayer]:
    """Read and convert one upload."""
    raw, notices, problems = read_upload(file, data, limits=limits, size=size)
    return raw, to_layer(raw, file, minerals, columns=columns, notices=notices, problems=problems)
