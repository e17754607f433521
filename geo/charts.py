"""plotly figure builders (pure: data in, figure out), in the Atlas palette."""

from __future__ import annotations

import plotly.graph_objects as go

from geo.colors import OKABE_ITO, STAGE_COLORS, hex_color
from geo.countries import country_name
from geo.metrics import Shares

CHINA = hex_color(OKABE_ITO["vermillion"])


def share_bars(s: Shares, *, top: int = 10, title: str = "", highlight: str = "CHN") -> go.Figure:
    """Horizontal bars of the largest producers' shares (percent of world), one highlighted."""
    c = s.countries.dropna(subset=["share"]).head(top)
    rgb = STAGE_COLORS.get(s.stage, OKABE_ITO["grey"]) if s.measure != "reserves" else OKABE_ITO["grey"]
    colors = [CHINA if code == highlight else hex_color(rgb) for code in c["country"]]
    names = [country_name(code) for code in c["country"]]
    values = (c["share"] * 100).round(1)
    raw = [f"{v:,.0f} {s.unit or ''}".strip() if v == v else "" for v in c["value"]]
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
