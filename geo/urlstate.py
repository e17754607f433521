"""The URL is the state: parse and build the query string of every view.

Contract (values are mineral ids and ISO3 codes)::

    ?mineral=cobalt,lithium&country=COD,CHN&stage=processing&status=operating
     &layers=facilities,policies&select=<facility id>&view=lat,lon,zoom&asof=2023-06-30

Analysis pages add: ``partnership=<partnership id>`` or ``bloc=USA,JPN,EUU`` (Partnerships),
``exporter=CHN&supply=refining&withheld=50`` (What-if; ``supply`` is mining or refining,
``withheld`` a percentage 0-100). Briefings add ``briefing=<id>&step=<n>`` and presentation
mode ``present=1``.

Unknown or malformed values are dropped, each with a notice a page can show. Parsing never
raises, whatever the input.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field, replace
from typing import Iterable, Mapping

from geo.text import clean

MAX_ITEMS = 60          # more values than this in one parameter are cut
MAX_PARAM_CHARS = 4000  # longer parameter values are ignored outright
LAYERS = ("facilities", "strategies", "partnerships", "controls", "flows")
DEFAULT_LAYERS = ("facilities", "strategies")
LAYER_ALIASES = {"policies": "strategies", "sites": "facilities", "export_controls": "controls"}
STAGES = ("mining", "processing", "manufacturing", "recycling")
SUPPLY_STAGES = ("mining", "refining")
DEFAULT_EXPORTER, DEFAULT_SUPPLY, DEFAULT_WITHHELD = "CHN", "mining", 100
STATUSES = ("operating", "construction", "development", "exploration",
            "care_and_maintenance", "closed")


@dataclass(frozen=True)
class ViewState:
    minerals: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    stages: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    layers: tuple[str, ...] = DEFAULT_LAYERS
    select: str | None = None
    view: tuple[float, float, float] | None = None
    asof: dt.date | None = None
    partnership: str | None = None
    bloc: tuple[str, ...] = ()
    exporter: str = DEFAULT_EXPORTER
    supply: str = DEFAULT_SUPPLY
    withheld: int = DEFAULT_WITHHELD
    present: bool = False
    briefing: str | None = None
    step: int = 1
    extra: dict[str, str] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Vocabulary:
    """The ids a URL may name."""

    minerals: frozenset[str] = frozenset()
    countries: frozenset[str] = frozenset()
    facilities: frozenset[str] = frozenset()
    partnerships: frozenset[str] = frozenset()
    briefings: frozenset[str] = frozenset()


def _values(raw: object) -> list[str]:
    """All comma-separated values of a parameter that may repeat (str or list of str)."""
    if raw is None:
        return []
    items = raw if isinstance(raw, (list, tuple)) else [raw]
    out: list[str] = []
    for item in items:
        out.extend(v.strip() for v in str(item).split(",") if v.strip())
    return out


def _show(v: str) -> str:
    return clean(v, limit=40)


def _pick(name: str, raw: object, allowed: Iterable[str], notices: list[str], *,
          normalise=lambda v: v, aliases: Mapping[str, str] | None = None) -> tuple[str, ...]:
    if raw is not None and sum(len(str(x)) for x in (raw if isinstance(raw, list) else [raw])) > MAX_PARAM_CHARS:
        notices.append(f"Ignored '{name}': the value is too long.")
        return ()
    values = _values(raw)
    if len(values) > MAX_ITEMS:
        notices.append(f"'{name}' listed {len(values)} values; only the first {MAX_ITEMS} were read.")
        values = values[:MAX_ITEMS]
    allowed = set(allowed)
    kept: list[str] = []
    dropped: list[str] = []
    for v in values:
        n = normalise(v)
        n = (aliases or {}).get(n, n)
        if n in allowed:
            if n not in kept:
                kept.append(n)
        else:
            dropped.append(v)
    if dropped:
        shown = ", ".join(f"'{_show(d)}'" for d in dropped[:5])
        more = f" and {len(dropped) - 5} more" if len(dropped) > 5 else ""
        notices.append(f"Dropped unknown {name} value(s) {shown}{more}.")
    return tuple(kept)


def parse_view(raw: object, notices: list[str]) -> tuple[float, float, float] | None:
    vals = _values(raw)
    if not vals:
        return None
    try:
        if len(vals) != 3:
            raise ValueError
        lat, lon, zoom = (float(v) for v in vals)
        if not all(math.isfinite(x) for x in (lat, lon, zoom)):
            raise ValueError
        if not (-85 <= lat <= 85 and -180 <= lon <= 180 and 0 <= zoom <= 20):
            raise ValueError
    except ValueError:
        notices.append("Ignored 'view': expected lat,lon,zoom with -85≤lat≤85, -180≤lon≤180, 0≤zoom≤20.")
        return None
    return (round(lat, 4), round(lon, 4), round(zoom, 2))


def parse_date(name: str, raw: object, notices: list[str]) -> dt.date | None:
    vals = _values(raw)
    if not vals:
        return None
    v = vals[0]
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", v):
        try:
            d = dt.date.fromisoformat(v)
            if dt.date(1990, 1, 1) <= d <= dt.date(2100, 12, 31):
                return d
        except ValueError:
            pass
    notices.append(f"Ignored '{name}': '{_show(v)}' is not a date between 1990-01-01 and 2100-12-31 (YYYY-MM-DD).")
    return None


def parse_percent(name: str, raw: object, default: int, notices: list[str]) -> int:
    vals = _values(raw)
    if not vals:
        return default
    v = vals[0]
    if re.fullmatch(r"\d{1,3}", v) and 0 <= int(v) <= 100:
        return int(v)
    notices.append(f"Ignored '{name}': '{_show(v)}' is not a whole percentage from 0 to 100.")
    return default


def parse_flag(name: str, raw: object, notices: list[str]) -> bool:
    vals = _values(raw)
    if not vals:
        return False
    v = vals[0].lower()
    if v in ("1", "true", "yes", "on"):
        return True
    if v not in ("0", "false", "no", "off"):
        notices.append(f"Ignored '{name}': '{_show(vals[0])}' is not 1 or 0.")
    return False


def parse_step(raw: object, notices: list[str]) -> int:
    vals = _values(raw)
    if not vals:
        return 1
    if re.fullmatch(r"\d{1,2}", vals[0]) and 1 <= int(vals[0]) <= 60:
        return int(vals[0])
    notices.append(f"Ignored 'step': '{_show(vals[0])}' is not a step number from 1 to 60.")
    return 1


def parse(params: Mapping[str, object], vocab: Vocabulary) -> tuple[ViewState, list[str]]:
    """Read a query-string mapping (values str or list of str) into a :class:`ViewState`."""
    notices: list[str] = []
    try:
        st = ViewState(
            minerals=_pick("mineral", params.get("mineral"), vocab.minerals, notices,
                           normalise=lambda v: v.lower()),
            countries=_pick("country", params.get("country"), vocab.countries, notices,
                            normalise=lambda v: v.upper()),
            stages=_pick("stage", params.get("stage"), STAGES, notices, normalise=str.lower),
            statuses=_pick("status", params.get("status"), STATUSES, notices, normalise=str.lower),
        )
        if "layers" in params and [v.lower() for v in _values(params.get("layers"))] == ["none"]:
            st = replace(st, layers=())
        elif "layers" in params:
            st = replace(st, layers=_pick("layers", params.get("layers"), LAYERS, notices,
                                          normalise=str.lower, aliases=LAYER_ALIASES))
        sel = _pick("select", params.get("select"), vocab.facilities, notices)
        st = replace(st, select=sel[0] if sel else None, view=parse_view(params.get("view"), notices),
                     asof=parse_date("asof", params.get("asof"), notices))
        part = _pick("partnership", params.get("partnership"), vocab.partnerships, notices,
                     normalise=str.lower)
        bloc_vocab = set(vocab.countries) | {"EUU"}
        exporter = _pick("exporter", params.get("exporter"), vocab.countries, notices,
                         normalise=str.upper)
        supply = _pick("supply", params.get("supply"), SUPPLY_STAGES, notices, normalise=str.lower)
        st = replace(st, partnership=part[0] if part else None,
                     bloc=_pick("bloc", params.get("bloc"), bloc_vocab, notices, normalise=str.upper),
                     exporter=exporter[0] if exporter else DEFAULT_EXPORTER,
                     supply=supply[0] if supply else DEFAULT_SUPPLY,
                     withheld=parse_percent("withheld", params.get("withheld"), DEFAULT_WITHHELD, notices))
        brief = _pick("briefing", params.get("briefing"), vocab.briefings, notices, normalise=str.lower)
        st = replace(st, present=parse_flag("present", params.get("present"), notices),
                     briefing=brief[0] if brief else None, step=parse_step(params.get("step"), notices))
    except Exception:  # belt and braces: a URL must never break a page
        return ViewState(), ["The link could not be read; showing the default view."]
    return st, notices


def to_params(st: ViewState) -> dict[str, str]:
    """The query parameters for ``st`` (defaults are left out, so links stay short)."""
    out: dict[str, str] = {}
    for key, vals in (("mineral", st.minerals), ("country", st.countries),
                      ("stage", st.stages), ("status", st.statuses)):
        if vals:
            out[key] = ",".join(vals)
    if tuple(st.layers) != DEFAULT_LAYERS:
        out["layers"] = ",".join(st.layers) if st.layers else "none"
    if st.select:
        out["select"] = st.select
    if st.view:
        lat, lon, zoom = st.view
        out["view"] = f"{lat:g},{lon:g},{zoom:g}"
    if st.asof:
        out["asof"] = st.asof.isoformat()
    if st.partnership:
        out["partnership"] = st.partnership
    if st.bloc:
        out["bloc"] = ",".join(st.bloc)
    if st.exporter != DEFAULT_EXPORTER:
        out["exporter"] = st.exporter
    if st.supply != DEFAULT_SUPPLY:
        out["supply"] = st.supply
    if st.withheld != DEFAULT_WITHHELD:
        out["withheld"] = str(st.withheld)
    if st.briefing:
        out["briefing"] = st.briefing
        out["step"] = str(st.step)
    if st.present:
        out["present"] = "1"
    return out
