"""Pictures of views for exports: what a briefing step shows, as a PNG with its source line.

The same functions the pages use (filters, metrics, charts) build each picture, so a slide
shows the numbers the page shows.
"""

from __future__ import annotations

import datetime as dt

from geo import exports as E
from geo.analysis import (best_shares, bloc_totals, country_supply, facilities_asof, filter_policies,
                          partnership_members, policy_phases)
from geo.briefings import Briefing, Step
from geo.charts import bloc_bars, policy_timeline, share_bars, supply_bars, whatif_bars
from geo.countries import country_name
from geo.filters import Filters, filter_facilities
from geo.metrics import what_if
from geo.urlstate import parse


def _src(s) -> str:
    r = s.table.iloc[0]
    return f"Source: {r['source']} (as of {r['as_of']})."


def step_visual(atlas, step: Step, *, width: int = 1600, height: int = 900) -> tuple[bytes | None, str]:
    """(PNG or None, source line) for one briefing step."""
    vs, _ = parse(step.params, atlas.vocabulary())
    names = atlas.mineral_names
    prod = atlas.df("production.csv")
    mineral = vs.minerals[0] if vs.minerals else "cobalt"
    if step.page == "map":
        fac = atlas.df("facilities.csv")
        if fac is None:
            return None, ""
        sites = filter_facilities(fac, Filters(vs.minerals, vs.countries, vs.stages, vs.statuses))
        if vs.asof:
            sites, _ = facilities_asof(sites, vs.asof)
        what = ", ".join(names.get(m, m) for m in vs.minerals) or "All minerals"
        where = ", ".join(country_name(c) for c in vs.countries)
        line = "Sources: each site's own (facilities.csv); boundaries Natural Earth."
        png = E.map_png(sites, atlas.boundaries, title=step.title, subtitle=f"{what}{' · ' + where if where else ''}"
                        f" · {len(sites)} sites", source_line=line, width=width, height=height, view=vs.view)
        return png, line
    fig, line = None, ""
    if step.page == "minerals" and prod is not None:
        s = best_shares(prod, mineral, "mining") or best_shares(prod, mineral, "refining")
        if s is not None:
            fig = share_bars(s, title=f"{names.get(mineral, mineral)}: share of world {s.stage}, {s.year}")
            line = _src(s)
    elif step.page == "countries" and prod is not None:
        country = vs.countries[0] if vs.countries else "JPN"
        sup = country_supply(prod, country)
        if len(sup):
            fig = supply_bars(sup, names)
            fig.update_layout(title=f"{country_name(country)}: share of world supply")
            line = "Source: " + "; ".join(dict.fromkeys(sup["source"])) + "."
    elif step.page == "policies":
        pol = atlas.df("policies.csv")
        if pol is not None:
            p = filter_policies(pol, countries=vs.countries, minerals=vs.minerals, on=vs.asof)
            ph = policy_phases(p, dt.date.today())
            if len(ph):
                fig = policy_timeline(ph, today=dt.date.today(), asof=vs.asof,
                                      label=lambda r: f"{country_name(r['jurisdiction'])} · {str(r['name'])[:60]}")
                line = "Sources: each measure's own (policies.csv)."
    elif step.page == "partnerships" and prod is not None:
        members = partnership_members(atlas.df("partnership_members.csv"), vs.partnership) if vs.partnership \
            else list(vs.bloc)
        tot = bloc_totals(prod, members, minerals=vs.minerals)
        par = atlas.df("partnerships.csv")
        label = (dict(zip(par["id"], par["short_name"])).get(vs.partnership, "Bloc") if par is not None
                 and vs.partnership else "Bloc")
        if len(tot[tot["stage"] == "mining"]):
            fig = bloc_bars(tot, names, stage="mining", bloc_label=label)
            line = "Source: " + "; ".join(dict.fromkeys(tot["source"])) + "."
    elif step.page == "what-if" and prod is not None:
        s = best_shares(prod, mineral, vs.supply)
        if s is not None:
            fig = whatif_bars(what_if(s, vs.exporter, vs.withheld / 100).remaining, exporter=vs.exporter)
            fig.update_layout(title=f"{names.get(mineral, mineral)} {vs.supply}: shares before and after "
                                    f"{country_name(vs.exporter)} withholds {vs.withheld}%")
            line = _src(s)
    if fig is None:
        return None, line
    fig.update_layout(margin=dict(l=20, r=60, t=70, b=40))
    return E.chart_image(fig, "png", width=width, height=max(500, min(height, int(fig.layout.height or 600)))), line


def briefing_pack(atlas, b: Briefing, *, progress=None) -> bytes:
    """The PPTX of a briefing. ``progress(i, n)`` is called after each step."""
    slides, sources = [], []
    for i, step in enumerate(b.steps, 1):
        png, line = step_visual(atlas, step)
        slides.append({"title": step.title, "caption": step.caption, "image": png, "source": line})
        if line:
            sources.append(f"{step.title}: {line}")
        if progress:
            progress(i, len(b.steps))
    return E.pptx_pack(title=b.title, subtitle=b.subtitle, slides=slides, sources=sources,
                       as_of=b.as_of.isoformat())
