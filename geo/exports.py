"""Exports: filtered data (CSV, GeoJSON + provenance), map images, standalone offline HTML,
chart images and the PPTX briefing pack. Every file says where its figures come from and as
of when, inside the file.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import json
import os
from pathlib import Path

import pandas as pd

from geo.colors import LAYER_COLORS, STAGE_COLORS, hex_color
from geo.text import clean

ATLAS = "Critical Minerals Atlas"
CHROMIUM = "/usr/bin/chromium"


# --- data ----------------------------------------------------------------------------------------

def provenance(df: pd.DataFrame, *, title: str, filters: dict | None = None, link: str = "",
               generated: dt.datetime | None = None) -> dict:
    """What an export contains and where every row comes from."""
    sources = (df.groupby(["source", "source_url"], dropna=False).size().reset_index(name="rows")
               .sort_values("rows", ascending=False) if len(df) else pd.DataFrame(columns=["source", "source_url", "rows"]))
    _, as_of_range = source_summary(df) if "as_of" in df else (0, [])
    return {
        "title": title,
        "publisher": ATLAS,
        "generated": (generated or dt.datetime.now(dt.timezone.utc)).isoformat(timespec="seconds"),
        "link": link,
        "filters": filters or {},
        "rows": int(len(df)),
        "as_of_range": as_of_range,
        "sources": [{"source": clean(r.source, limit=300), "url": clean(r.source_url, limit=500), "rows": int(r.rows)}
                    for r in sources.itertuples()],
        "notes": "Each row carries its own source, source_url, as_of and confidence. "
                 "A site's location column says how exact its point is: 'site' (the plant or pit itself), "
                 "'area' (its surroundings) or 'town' (only the nearest town is located).",
    }


def source_summary(df: pd.DataFrame) -> tuple[int, list[str]]:
    """(distinct sources, [earliest, latest] as-of): what a source line needs, without building
    the whole provenance (the map page shows it on every run; provenance is built on download)."""
    if not len(df):
        return 0, []
    as_of = df["as_of"].astype(str)
    return len(df[["source", "source_url"]].drop_duplicates()), [as_of.min(), as_of.max()]


def sites_geojson(df: pd.DataFrame, meta: dict) -> dict:
    """A FeatureCollection of the sites (points), with the provenance under ``metadata``."""
    props = [c for c in df.columns if c not in ("lat", "lon")]
    feats = []
    for rec in df.to_dict("records"):
        p = {k: (None if (isinstance(v, float) and v != v) or v is pd.NA else
                 (int(v) if hasattr(v, "item") and float(v).is_integer() and k == "start_year" else
                  (v.item() if hasattr(v, "item") else v))) for k, v in rec.items() if k in props}
        feats.append({"type": "Feature", "properties": p,
                      "geometry": {"type": "Point", "coordinates": [float(rec["lon"]), float(rec["lat"])]}})
    return {"type": "FeatureCollection", "metadata": meta, "features": feats}


def sites_csv(df: pd.DataFrame) -> bytes:
    """The rows exactly as filtered (each with its source, URL and as-of)."""
    return df.to_csv(index=False).encode("utf-8")


def geojson_frame(gj: dict) -> pd.DataFrame:
    """Read a GeoJSON export back into rows (for round-trip checks and re-imports)."""
    rows = [{**f["properties"], "lon": f["geometry"]["coordinates"][0], "lat": f["geometry"]["coordinates"][1]}
            for f in gj["features"]]
    return pd.DataFrame(rows)


# --- map image -----------------------------------------------------------------------------------

def map_png(sites: pd.DataFrame, boundaries, *, title: str, subtitle: str = "", source_line: str,
            width: int = 1600, height: int = 900, view: tuple[float, float, float] | None = None,
            shaded: dict[str, tuple[int, int, int]] | None = None) -> bytes:
    """A map picture composed with matplotlib: land, sites by stage, legend, title, source.

    ``view`` (lat, lon, zoom) frames it like the app; otherwise the sites' extent (or the world).
    ``shaded`` colours whole countries (ISO3 -> rgb)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    dpi = 100
    fig = plt.figure(figsize=(width / dpi, height / dpi), dpi=dpi)
    ax = fig.add_axes([0.01, 0.09, 0.78, 0.80])
    ax.set_facecolor(hex_color(LAYER_COLORS["ocean"]))
    if boundaries is not None:
        boundaries.plot(ax=ax, color=hex_color(LAYER_COLORS["land"]), edgecolor=hex_color(LAYER_COLORS["border"]),
                        linewidth=0.4)
        for iso, rgb in (shaded or {}).items():
            sel = boundaries[boundaries["iso3"] == iso]
            if len(sel):
                sel.plot(ax=ax, color=hex_color(rgb), alpha=0.55, edgecolor="#666", linewidth=0.5)
    counts = {}
    for stage, rgb in STAGE_COLORS.items():
        if stage == "refining":
            continue
        s = sites[sites["stage"] == stage] if len(sites) else sites
        counts[stage] = len(s)
        if len(s):
            ax.scatter(s["lon"], s["lat"], s=42, color=hex_color(rgb), edgecolor="#222", linewidth=0.6,
                       zorder=3, label=stage)
    if view is not None:
        lat, lon, zoom = view
        half_w = 180 / (2 ** max(zoom, 0)) * (width / 1000)
        half_h = half_w * height / width * 1.1
        ax.set_xlim(lon - half_w, lon + half_w)
        ax.set_ylim(max(lat - half_h, -85), min(lat + half_h, 85))
    elif len(sites):
        x0, x1 = sites["lon"].min(), sites["lon"].max()
        y0, y1 = sites["lat"].min(), sites["lat"].max()
        pad = max(5.0, 0.15 * max(x1 - x0, y1 - y0))
        ax.set_xlim(max(x0 - pad, -180), min(x1 + pad, 180))
        ax.set_ylim(max(y0 - pad, -60), min(y1 + pad, 85))
    else:
        ax.set_xlim(-180, 180)
        ax.set_ylim(-60, 85)
    ax.set_aspect("equal", adjustable="box")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    for spine in ax.spines.values():
        spine.set_color("#999")
    fig.text(0.01, 0.955, clean(title, limit=120), fontsize=22, fontweight="bold", va="center")
    if subtitle:
        fig.text(0.01, 0.915, clean(subtitle, limit=200), fontsize=13, color="#444", va="center")
    handles = [Line2D([0], [0], marker="o", linestyle="", markersize=10, markerfacecolor=hex_color(rgb),
                      markeredgecolor="#222", label=f"{stage.capitalize()} ({counts.get(stage, 0)})")
               for stage, rgb in STAGE_COLORS.items() if stage != "refining"]
    fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.80, 0.88), frameon=False, fontsize=13,
               title="Sites by stage", title_fontsize=14, alignment="left")
    fig.text(0.01, 0.035, clean(source_line, limit=300), fontsize=10, color="#333", va="center")
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    plt.close(fig)
    return buf.getvalue()


# --- standalone HTML -------------------------------------------------------------------------------

def deckgl_bundle() -> str:
    """The deck.gl JSON-renderer bundle shipped inside the installed pydeck package."""
    import pydeck

    path = Path(pydeck.__file__).parent / "nbextension" / "static" / "index.js"
    return path.read_text(encoding="utf-8")


def standalone_html(deck_json: str, *, title: str, legend: list[dict], source_line: str) -> str:
    """One HTML file that draws the map with no network at all (deck.gl inlined)."""
    spec = json.loads(deck_json)
    for key in ("mapStyle", "mapProvider", "googleMapsKey", "mapboxKey"):
        spec.pop(key, None)
    bundle = deckgl_bundle().replace("</script", "<\\/script")
    data = json.dumps(spec, separators=(",", ":")).replace("</", "<\\/")
    from geo.layers import TOOLTIP, swatch_background

    tooltip = json.dumps(TOOLTIP)
    items = "".join(
        # the file's country layers are plain vector fills (no server-drawn hatch), so plain swatches
        f'<div><span class="sw" style="background:{html.escape(swatch_background(i, hatched=False))}"></span>{html.escape(i["label"])}'
        + (f" ({int(i['count'])})" if i.get("count") is not None else "") + "</div>" for i in legend)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; img-src data: blob:; worker-src blob:; connect-src data: blob:">
<style>
html,body{{margin:0;height:100%;font-family:system-ui,sans-serif;}}
#deck-container{{position:absolute;top:56px;bottom:34px;left:0;right:0;}}
header{{position:absolute;top:0;left:0;right:0;height:56px;padding:8px 16px;box-sizing:border-box;}}
header h1{{margin:0;font-size:22px;}}
footer{{position:absolute;bottom:0;left:0;right:0;height:34px;padding:8px 16px;box-sizing:border-box;font-size:12px;color:#333;background:#fff;}}
#legend{{position:absolute;top:66px;right:12px;background:rgba(255,255,255,.92);padding:8px 12px;font-size:13px;border:1px solid #ccc;border-radius:6px;z-index:2;}}
.sw{{display:inline-block;width:12px;height:12px;border-radius:50%;border:1px solid #333;margin-right:6px;vertical-align:middle;}}
</style></head>
<body><header><h1>{html.escape(title)}</h1></header>
<div id="deck-container"></div><div id="legend"><b>Legend</b>{items}</div>
<footer>{html.escape(source_line)}</footer>
<script>{bundle}</script>
<script>
const jsonInput = {data};
const deckInstance = createDeck({{container: document.getElementById('deck-container'), jsonInput,
  tooltip: {tooltip}, customLibraries: null, configuration: null}});
window.__atlasDeck = deckInstance;
</script></body></html>
"""


# --- charts ----------------------------------------------------------------------------------------

_kaleido_started = False


def chart_with_source(fig, source_line: str, *, title: str | None = None):
    """A copy of ``fig`` with its source and as-of line written under the plot (for files)."""
    import plotly.graph_objects as go

    f = go.Figure(fig)
    h = int(f.layout.height or 450)
    f.add_annotation(text=clean(source_line, limit=220), xref="paper", yref="paper", x=0, y=0, yshift=-70,
                     showarrow=False, xanchor="left", yanchor="top", font=dict(size=11, color="#333"))
    f.update_layout(height=h + 70, margin=dict(b=(f.layout.margin.b or 30) + 80))
    if title:
        f.update_layout(title=dict(text=clean(title, limit=150)), margin=dict(t=70))
    return f


def chart_image(fig, fmt: str = "png", *, width: int = 1200, height: int | None = None, scale: float = 1.0) -> bytes:
    """A plotly figure as PNG or SVG, rendered by kaleido in Debian's Chromium."""
    global _kaleido_started
    import kaleido

    if fmt not in ("png", "svg"):
        raise ValueError(f"unsupported format {fmt!r}")
    if os.path.exists(CHROMIUM):
        os.environ.setdefault("BROWSER_PATH", CHROMIUM)
    if not _kaleido_started:
        kaleido.start_sync_server(silence_warnings=True)
        _kaleido_started = True
    h = height or int(fig.layout.height or 500)
    return kaleido.calc_fig_sync(fig, opts=dict(format=fmt, width=width, height=h, scale=scale))


# --- PPTX briefing pack ----------------------------------------------------------------------------

def pptx_pack(*, title: str, subtitle: str, slides: list[dict], sources: list[str], as_of: str) -> bytes:
    """Title slide, one slide per view (title, image, caption, source line), a sources slide.

    ``slides``: dicts with ``title``, ``caption``, ``image`` (PNG bytes or None), ``source``."""
    from pptx import Presentation
    from pptx.util import Emu, Inches, Pt

    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(13.333), Inches(7.5)
    s = prs.slides.add_slide(prs.slide_layouts[0])
    s.shapes.title.text = clean(title, limit=200)
    s.placeholders[1].text = f"{clean(subtitle, limit=300)}\n{ATLAS} · data as of {as_of}"
    blank = prs.slide_layouts[5]  # title only
    for i, sl in enumerate(slides, 1):
        s = prs.slides.add_slide(blank)
        s.shapes.title.text = f"{i}. {clean(sl['title'], limit=120)}"
        s.shapes.title.text_frame.paragraphs[0].font.size = Pt(30)
        top = Inches(1.35)
        if sl.get("image"):
            from PIL import Image

            img = Image.open(io.BytesIO(sl["image"]))
            max_w, max_h = Inches(12.3), Inches(4.55)
            ratio = min(max_w / img.width, max_h / img.height)
            w, h = int(img.width * ratio), int(img.height * ratio)
            s.shapes.add_picture(io.BytesIO(sl["image"]), Emu(int((prs.slide_width - w) / 2)), top, Emu(w), Emu(h))
        box = s.shapes.add_textbox(Inches(0.5), Inches(6.0), Inches(12.3), Inches(1.0))
        tf = box.text_frame
        tf.word_wrap = True
        tf.text = clean(sl["caption"], limit=700)
        tf.paragraphs[0].font.size = Pt(15)
        p = tf.add_paragraph()
        p.text = clean(sl.get("source") or "", limit=300)
        p.font.size = Pt(10)
    s = prs.slides.add_slide(blank)
    s.shapes.title.text = "Sources"
    box = s.shapes.add_textbox(Inches(0.5), Inches(1.3), Inches(12.3), Inches(5.8))
    tf = box.text_frame
    tf.word_wrap = True
    tf.text = f"Figures from the {ATLAS} dataset as of {as_of}; every row cites its own source."
    for src in sources[:40]:
        p = tf.add_paragraph()
        p.text = "• " + clean(src, limit=250)
        p.font.size = Pt(11)
    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()
