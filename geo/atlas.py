"""The Atlas's data, loaded once: every curated table plus country boundaries."""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo.countries import country_name, load_boundaries
from geo.load import Issue, Table, load_all
from geo import paths
from geo.urlstate import Vocabulary


@dataclass
class Atlas:
    tables: dict[str, Table]
    boundaries: gpd.GeoDataFrame | None
    issues: list[Issue] = field(default_factory=list)
    data_dir: Path | None = None

    def df(self, name: str) -> pd.DataFrame | None:
        """The validated table, or None if its file could not be used."""
        t = self.tables.get(name)
        return None if t is None else t.df

    def problem(self, name: str) -> list[Issue]:
        """Issues that made table ``name`` unusable (empty if it loaded)."""
        t = self.tables.get(name)
        return [] if t is None or t.ok else t.issues

    @property
    def mineral_names(self) -> dict[str, str]:
        if "_names" not in self.__dict__:  # an Atlas is never changed once loaded: computed once
            m = self.df("minerals.csv")
            self.__dict__["_names"] = {} if m is None else dict(zip(m["id"], m["name"]))
        return self.__dict__["_names"]

    def vocabulary(self) -> Vocabulary:
        if "_vocabulary" not in self.__dict__:
            self.__dict__["_vocabulary"] = self._vocabulary()
        return self.__dict__["_vocabulary"]

    def _vocabulary(self) -> Vocabulary:
        fac = self.df("facilities.csv")
        countries = set() if self.boundaries is None else set(self.boundaries["iso3"])
        if fac is not None:
            countries |= set(fac["country"])
        return Vocabulary(
            minerals=frozenset(self.mineral_names),
            countries=frozenset(countries),
            facilities=frozenset(() if fac is None else fac["id"]),
            partnerships=frozenset(() if (par := self.df("partnerships.csv")) is None else par["id"]),
        )

    def country_options(self) -> list[str]:
        """ISO3 codes that appear in facilities, policies or production, sorted by name."""
        codes: set[str] = set()
        for name, col in (("facilities.csv", "country"), ("policies.csv", "jurisdiction"),
                          ("production.csv", "country")):
            d = self.df(name)
            if d is not None:
                codes |= set(d[col].dropna())
        codes -= {"WLD", "OTH", "EUU"}
        return sorted(codes, key=country_name)


def file_signature(data_dir: Path | None = None) -> tuple:
    """(name, size, mtime) of every data file: a cache key that changes when data changes."""
    data_dir = Path(data_dir or paths.DATA_DIR)
    if not data_dir.is_dir():
        return ()
    return tuple(sorted((str(p.relative_to(data_dir)), p.stat().st_size, p.stat().st_mtime_ns)
                        for p in data_dir.rglob("*") if p.is_file()))


def load_atlas(data_dir: Path | None = None) -> Atlas:
    data_dir = Path(data_dir or paths.DATA_DIR)
    tables = load_all(data_dir)
    issues = [i for t in tables.values() for i in t.issues]
    path = data_dir / "boundaries" / "countries.geojson"
    try:
        boundaries = load_boundaries(path)
    except Exception as exc:  # noqa: BLE001 - any failure is reported, not raised
        boundaries = None
        issues.append(Issue(path.name, f"country boundaries could not be read ({type(exc).__name__})"))
    return Atlas(tables, boundaries, issues, data_dir)


CACHE_DIR = paths.ROOT / ".cache" / "atlas"  # ignored by git; never under data/


def cache_key(data_dir: Path | None = None) -> str:
    """Names a loaded Atlas: the data files (name, size, mtime), where they are, the code that
    loads and checks them (every geo/*.py) and the library versions that pickle it."""
    data_dir = Path(data_dir or paths.DATA_DIR)
    h = hashlib.sha256(repr((str(data_dir.resolve()), file_signature(data_dir), sys.version,
                             pd.__version__, gpd.__version__)).encode())
    for src in sorted(Path(__file__).parent.glob("*.py")):
        h.update(src.name.encode() + src.read_bytes())
    return h.hexdigest()[:32]


def load_atlas_cached(data_dir: Path | None = None, cache_dir: Path | None = None, *, keep: int = 4) -> Atlas:
    """:func:`load_atlas`, kept on disk between server starts (reading and checking every table
    takes ~0.45 s here; the kept copy ~0.01 s). The copy is named by :func:`cache_key`, so any
    change to a data file or to the loading code loads afresh; a copy that cannot be read is
    replaced. Only the newest ``keep`` copies stay."""
    cache_dir = Path(cache_dir or CACHE_DIR)
    path = cache_dir / f"atlas-{cache_key(data_dir)}.pickle"
    if path.is_file():
        try:
            with path.open("rb") as fh:
                atlas = pickle.load(fh)  # our own file, written below (the folder is the project's)
            if isinstance(atlas, Atlas):
                return atlas
        except Exception:  # noqa: BLE001 - unreadable (e.g. a library upgrade): load afresh
            pass
    atlas = load_atlas(data_dir)
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=cache_dir, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(atlas, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
        for old in sorted(cache_dir.glob("atlas-*.pickle"), key=lambda p: p.stat().st_mtime)[:-keep]:
            old.unlink(missing_ok=True)
    except OSError:  # a read-only checkout still works, just without the kept copy
        pass
    return atlas
