"""plotly figure builders (pure: data in, figure out), in the Atlas palette."""

from __future__ import annotations

import html

import plotly.graph_objects as go

from geo.colors import OKABE_ITO, STAGE_COLORS, hex_color
from geo.countries import country_name
from geo.metrics import Shares
from geo.text import clean

CHINA = hex_color(OKABE_ITO["vermillion"])


def _t(value, limit: int = 120) -> str:
    """Data text for a plotly label or hover: entities, so plotly shows it as text (never tags or %{...})."""
    return html.escape(clean(value, limit=limit), quote=True).replace("{", "&#123;").replace("}", "&#125;")


def share_bars(s: Shares, *, top: int = 10, title: str = "", highlight: str = "CHN") -> go.Figure:
    """Horizontal bars of the largest producers' shares (percent of world), one highlighted."""
    c = s.countries.dropna(subset=["share"]).head(top)
    rgb = STAGE_COLORS.get(s.stage, OKABE_ITO["grey"]) if s.measure != "reserves" else OKABE_ITO["grey"]
    colors = [CHINA if code == highlight else hex_color(rgb) for code in c["country"]]
    names = [country_name(code) for code in c["country"]]
    values = (c["share"] * 100).round(1)
    raw = [_t(f"{v:,.0f} {s.unit or ''}".strip()) if v == v else "" for v in c["value"]]
    fig = go.Figure(go.Bar(
        x=[float(v) for v in values[::-1]], y=names[::-1], orientation="h", marker_color=colors[::-1],
        text=[f"{v:.1f}%" for v in values[::-1]], textposition="outside", cliponaxis=False,
        customdata=list(zip(raw[::-1], list(c["country"])[::-1])),
        hovertemplate="%{y} (%{customdata[1]}): %{x:.1f}% of world<br>%{customdata[0]}<extra></extra>",
    ))
    fig.update_layout(
        title=title, height=max(220, 34 * len(c) + 90), margin=dict(l=10, r=40, t=40 if title else 10, b=30),
        xaxis=dict(title="share of world (%)", range=[0, max(100, float(values.max() if len(values) else 0) + 10)]),
        yaxis=dict(title=None), plot_bgcolor="white", showlegend=False, font=dict(size=13),
    )
    fig.update_xaxes(gridcolor="#e5e7eb")
    return fig


def _layout(fig: go.Figure, *, height: int, xtitle: str, xmax: float = 100) -> go.Figure:
    fig.update_layout(height=height, margin=dict(l=10, r=40, t=30, b=30), plot_bgcolor="white",
                      font=dict(size=13), legend=dict(orientation="h", y=1.02, x=0, yanchor="bottom"),
                      xaxis=dict(title=xtitle, range=[0, xmax]), yaxis=dict(title=None, autorange="reversed"),
                      barmode="group")
    fig.update_xaxes(gridcolor="#e5e7eb")
    return fig


def _pct(v) -> float | None:
    return None if v is None or v != v else round(float(v) * 100, 1)


def supply_bars(df, names: dict[str, str]) -> go.Figure:
    """A country's share of world mining and refining, per mineral (``geo.analysis.country_supply``)."""
    fig = go.Figure()
    minerals = list(dict.fromkeys(df["mineral"]))
    labels = [_t(names.get(m, m)) for m in minerals]
    for stage in ("mining", "refining"):
        d = df[df["stage"] == stage].set_index("mineral")
        vals = [_pct(d.loc[m, "share"]) if m in d.index else None for m in minerals]
        fig.add_trace(go.Bar(
            name=stage.capitalize(), y=labels, x=vals, orientation="h",
            marker_color=hex_color(STAGE_COLORS[stage]),
            text=[f"{v:.1f}%" if v is not None else "" for v in vals], textposition="outside", cliponaxis=False,
            customdata=[[int(d.loc[m, "year"]) if m in d.index else "", (f"#{int(d.loc[m, 'rank'])}"
                         if m in d.index and d.loc[m, "rank"] == d.loc[m, "rank"] else "")] for m in minerals],
            hovertemplate="%{y}: %{x:.1f}% of world " + stage + " (%{customdata[0]}) %{customdata[1]}<extra></extra>"))
    return _layout(fig, height=max(240, 44 * len(minerals) + 90), xtitle="share of world (%)")


def exposure_bars(df, names: dict[str, str]) -> go.Figure:
    """Share of world supply held by countries with export controls in force, per mineral."""
    d = df[(df["mining_share"].fillna(0) > 0) | (df["refining_share"].fillna(0) > 0)]
    labels = [_t(names.get(m, m)) for m in d["mineral"]]
    fig = go.Figure()
    for stage in ("mining", "refining"):
        vals = [_pct(v) for v in d[f"{stage}_share"]]
        fig.add_trace(go.Bar(
            name=stage.capitalize(), y=labels, x=vals, orientation="h", marker_color=hex_color(STAGE_COLORS[stage]),
            text=[f"{v:.0f}%" if v is not None else "no data" for v in vals], textposition="outside",
            cliponaxis=False, customdata=[", ".join(c) for c in d["controllers"]],
            hovertemplate="%{y}: %{x:.1f}% of world " + stage + " held by %{customdata}<extra></extra>"))
    return _layout(fig, height=max(220, 44 * len(d) + 90), xtitle="share of world supply under export controls (%)")


PHASE_COLORS = {"announced": hex_color(OKABE_ITO["grey"]), "in force": hex_color(OKABE_ITO["blue"]),
                "suspended": hex_color(OKABE_ITO["yellow"]), "ended, date not recorded": "#d9d9d9"}


def policy_timeline(phases, *, today=None, asof=None, label=None) -> go.Figure:
    """Gantt of measures: announced -> in force -> suspended (``geo.analysis.policy_phases``)."""
    import plotly.express as px  # local: express is slow to import

    d = phases.copy()
    d["label"] = (d.apply(label, axis=1) if label else d["name"]).map(_t)
    for col in ("status", "type"):
        if col in d:
            d[col] = d[col].map(_t)
    order = list(dict.fromkeys(d.sort_values("start")["label"]))
    fig = px.timeline(d, x_start="start", x_end="end", y="label", color="phase",
                      color_discrete_map=PHASE_COLORS, category_orders={"label": order, "phase": list(PHASE_COLORS)},
                      hover_data={"label": False, "status": True, "type": True, "start": True, "end": True})
    fig.update_yaxes(title=None, autorange="reversed")
    fig.update_xaxes(title=None, gridcolor="#e5e7eb")
    for when, text, dash in ((today, "today", "dot"), (asof, "as of", "dash")):
        if when is not None:
            fig.add_vline(x=when.isoformat(), line_dash=dash, line_color="#333")
            fig.add_annotation(x=when.isoformat(), y=1.0, yref="paper", text=text, showarrow=False,
                               yanchor="bottom", font=dict(size=11))
    fig.update_layout(height=max(260, 22 * len(order) + 110), margin=dict(l=10, r=20, t=30, b=30),
                      plot_bgcolor="white", legend=dict(orientation="h", y=1.02, x=0, yanchor="bottom", title=None),
                      font=dict(size=12))
    return fig


def bloc_bars(df, names: dict[str, str], *, stage: str, bloc_label: str, rival: str = "China") -> go.Figure:
    """The bloc's combined share of world supply next to China's, per mineral, for one stage."""
    d = df[df["stage"] == stage]
    labels = [_t(names.get(m, m)) for m in d["mineral"]]
    fig = go.Figure()
    for col, name, color in (("bloc_share", _t(bloc_label), hex_color(OKABE_ITO["blue"])), ("rival_share", rival, CHINA)):
        raw = [_pct(v) for v in d[col]]
        vals = [v if v is not None else 0.0 for v in raw]
        fig.add_trace(go.Bar(name=name, y=labels, x=vals, orientation="h", marker_color=color,
                             text=[f"{v:.1f}%" if v is not None else "not listed" for v in raw], textposition="outside", cliponaxis=False,
                             customdata=list(d["year"]),
                             hovertemplate=name + ", %{y}: %{x:.1f}% of world " + stage + " (%{customdata})<extra></extra>"))
    return _layout(fig, height=max(240, 46 * len(d) + 90), xtitle=f"share of world {stage} (%)")


def whatif_bars(remaining, *, top: int = 8, exporter: str = "CHN") -> go.Figure:
    """Producers' shares before and after the shock (``geo.metrics.what_if(...).remaining``)."""
    r = remaining.dropna(subset=["share_before"]).head(top)
    labels = [country_name(c) for c in r["country"]]
    fig = go.Figure()
    for col, name, color in (("share_before", "before", hex_color(OKABE_ITO["grey"])),
                             ("share_after", "after", hex_color(OKABE_ITO["blue"]))):
        vals = [_pct(v) if v == v else 0.0 for v in r[col]]
        colors = [CHINA if (c == exporter and col == "share_after") else color for c in r["country"]]
        fig.add_trace(go.Bar(name=name, y=labels, x=vals, orientation="h", marker_color=colors,
                             text=[f"{v:.1f}%" for v in vals], textposition="outside", cliponaxis=False,
                             hovertemplate="%{y}: %{x:.1f}% of world " + name + "<extra></extra>"))
    return _layout(fig, height=max(240, 46 * len(r) + 90), xtitle="share of world (%)")
