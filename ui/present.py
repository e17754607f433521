"""Presentation mode, the briefing player and the share panel (Streamlit glue)."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from urllib.parse import urlencode

import streamlit as st

from geo import briefings as B
from geo import render
from geo import paths
from geo.text import md_escape
from geo.urlstate import parse, to_params
from ui import data, state

# Constant CSS: no data text is ever placed in it.
PRESENT_CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"],
[data-testid="stToolbar"], [data-testid="stDecoration"], [data-testid="stStatusWidget"],
[data-testid="stExpandSidebarButton"], footer { display: none !important; }
[data-testid="stMainBlockContainer"], .block-container { padding-top: 1.2rem !important;
  padding-bottom: 4.5rem !important; max-width: 100% !important; }
html, body, [data-testid="stApp"] { font-size: clamp(16px, 1.05vw, 24px); }
[data-testid="stMarkdownContainer"] p { font-size: 1.1rem; }
[data-testid="stCaptionContainer"] { font-size: 0.95rem; }
h1 { font-size: 1.9rem !important; padding: 0.2rem 0 !important; } h2, h3 { font-size: 1.45rem !important; }
.st-key-briefing_bar { background: #f4f7fb; }
.st-key-briefing_bar p { margin-bottom: 0.2rem; }
.st-key-present_footer { position: fixed; bottom: 0; left: 0; right: 0; z-index: 999;
  background: rgba(255,255,255,0.96); border-top: 1px solid #ccc; padding: 0.3rem 1.5rem 0.55rem; }
.st-key-present_footer p { font-size: 0.85rem !important; margin: 0; color: #333; }
.st-key-present_map { flex: 0 0 auto !important; height: max(470px, calc(100vh - 430px)) !important; }
.st-key-present_map > [data-testid="stElementContainer"] { flex: 1 1 auto; }
.st-key-present_map [data-testid="stFullScreenFrame"], .st-key-present_map [data-testid="stDeckGlJsonChart"] {
  height: 100% !important; }
</style>
"""

# Arrow keys / PageUp / PageDown step through a briefing (clicks the player's buttons).
KEYS_JS = """
<script>
const doc = window.document;
if (!doc.__atlasKeys) {
  doc.__atlasKeys = true;
  doc.addEventListener('keydown', (e) => {
    const t = e.target; const tag = (t && t.tagName) || '';
    if (['INPUT', 'TEXTAREA', 'SELECT'].includes(tag) || (t && t.isContentEditable)) return;
    let key = null;
    if (['ArrowRight', 'PageDown', ' '].includes(e.key)) key = 'brief_next';
    if (['ArrowLeft', 'PageUp'].includes(e.key)) key = 'brief_prev';
    if (!key) return;
    const b = doc.querySelector('.st-key-' + key + ' button');
    if (b && !b.disabled) { e.preventDefault(); b.click(); }
  });
}
</script>
"""


@st.cache_data(show_spinner=False, max_entries=4)
def _load(signature: tuple, data_key: tuple, _vocab) -> tuple[dict, list[str]]:
    """``_vocab`` follows from ``data_key`` (not hashed: hashing it cost ~20 ms a run)."""
    return B.load_briefings(paths.DATA_DIR / "briefings", _vocab)


def briefings(atlas) -> tuple[dict[str, B.Briefing], list[str]]:
    """Shipped briefings (data/briefings/*.json) plus the ones uploaded in this session."""
    folder = paths.DATA_DIR / "briefings"
    sig = tuple(sorted((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in folder.glob("*.json"))) \
        if folder.is_dir() else ()
    shipped, problems = _load(sig, data.cache_key(), atlas.vocabulary())
    return {**shipped, **st.session_state.get("_user_briefings", {})}, problems


def go_to_step(b: B.Briefing, index: int) -> None:
    """Callback: load step ``index`` of ``b`` into the session; app.py switches page."""
    vs, _ = parse(B.step_query(b, index, present=bool(st.session_state.get(state.K_PRESENT))),
                  st.session_state["_vocab"])
    state.apply_view(vs)
    st.session_state["_goto_page"] = b.steps[index - 1].page


def player(b: B.Briefing, index: int) -> None:
    """Title, step caption and previous/next controls of a briefing, above the page."""
    index = min(max(index, 1), len(b.steps))
    step = b.steps[index - 1]
    n = len(b.steps)
    with st.container(border=True, key="briefing_bar"):
        head, nav = st.columns([6, 1.4], vertical_alignment="center")
        with head:
            st.markdown(f"**{md_escape(step.title)}** · {md_escape(b.title)} · {index}/{n}")
            st.markdown(md_escape(step.caption, limit=800))
        with nav:
            a, c, d = st.columns(3)
            a.button("◀", key="brief_prev", disabled=index <= 1, on_click=go_to_step,
                     args=(b, index - 1), width="stretch", help="Previous view (←)")
            c.button("▶", key="brief_next", disabled=index >= n, on_click=go_to_step,
                     args=(b, index + 1), width="stretch", help="Next view (→)")
            d.button("✕", key="brief_exit", on_click=_exit, width="stretch", help="Leave the briefing")
    st.html(KEYS_JS, unsafe_allow_javascript=True)  # constant script, no data in it


def _exit() -> None:
    st.session_state[state.K_BRIEFING] = None
    st.session_state[state.K_PRESENT] = False
    st.session_state[state.K_STEP] = 1


BRIEFING_CSS = """
<style>
[data-testid="stMainBlockContainer"] h1 { display: none !important; }
.st-key-briefing_bar { padding: 0.4rem 0.8rem !important; }
.st-key-briefing_bar [data-testid="stMarkdownContainer"] p { font-size: 1.15rem; }
</style>
"""


def present_chrome(source_line: str, *, briefing: bool) -> None:
    """Hide Streamlit's chrome and pin a source line to the bottom of the screen."""
    st.markdown(PRESENT_CSS + (BRIEFING_CSS if briefing else ""), unsafe_allow_html=True)  # constant CSS only
    with st.container(key="present_footer"):
        hint = " · ← → step" if briefing else ""
        st.markdown(md_escape(source_line, limit=400) + hint)


def app_root(page_url_path: str) -> str:
    """The app's root URL as the browser sees it (base path included), or "" if unknown."""
    url = st.context.url or ""
    if not url:
        return ""
    url = url.rstrip("/")
    if page_url_path and url.endswith("/" + page_url_path):
        url = url[: -len(page_url_path) - 1]
    return url


def share_link(page_url_path: str) -> str:
    params = to_params(state.current_state())
    root = app_root(page_url_path)
    path = f"/{page_url_path}" if page_url_path else "/"
    return f"{root}{path}" + (f"?{urlencode(params)}" if params else "")


def _add_view(page_key: str) -> None:
    ss = st.session_state
    draft = ss.get("_draft") or B.new_briefing(ss.get("bb_name") or "My briefing")
    draft = {**draft, **{k: v for k, v in B.new_briefing(ss.get("bb_name") or draft["title"]).items()
                         if k in ("id", "title")}}
    title = (ss.get("bb_title") or "").strip() or f"View {len(draft['steps']) + 1}"
    caption = (ss.get("bb_caption") or "").strip() or title
    ss["_draft"] = B.add_step(draft, page_key, to_params(state.current_state()), title[:120], caption[:700])
    ss["bb_title"], ss["bb_caption"] = "", ""


def _play_upload() -> None:
    ss = st.session_state
    up = ss.get("bb_upload")
    ss["_upload_problems"] = []
    if up is None:
        return
    b, problems = B.parse_briefing(up.getvalue(), f"uploaded file '{up.name[:80]}'", ss["_vocab"])
    if b is None:
        ss["_upload_problems"] = problems
        return
    ss.setdefault("_user_briefings", {})[b.id] = b
    ss["_vocab"] = replace(ss["_vocab"], briefings=ss["_vocab"].briefings | {b.id})
    go_to_step(b, 1)


def share_panel(page_key: str, page_url_path: str, briefs: dict[str, B.Briefing], problems: list[str]) -> None:
    """Sidebar: the link to this exact view, presentation mode, briefings and the builder."""
    with st.sidebar:
        st.divider()
        with st.popover("Share this view", icon=":material/link:", width="stretch"):
            st.code(share_link(page_url_path), language=None, wrap_lines=True)
            st.caption("Copy the link with the button in the box's corner; it reopens exactly this view."
                       + (" Your uploaded file is not in the link: it stays in this session." if page_key == "your-data"
                          else ""))
        vs = state.current_state()
        params = to_params(vs)
        params["present"] = "1"
        root = app_root(page_url_path)
        st.link_button("Present this view", f"{root}/{page_url_path}?{urlencode(params)}", width="stretch")
        with st.expander("Briefings"):
            for b in briefs.values():
                st.link_button(f"▶ {b.title[:60]}", B.step_link(b, 1, base=root), width="stretch")
                pack_button(b)
            for p in problems:
                st.error(md_escape(p, limit=400))
            st.markdown("**Build a briefing**")
            st.text_input("Briefing title", key="bb_name", placeholder="My briefing")
            st.text_input("Step title", key="bb_title", placeholder="What this view shows")
            st.text_area("Caption", key="bb_caption", height=80, placeholder="One or two sentences, with sources")
            st.button("Add this view", key="bb_add", on_click=_add_view, args=(page_key,), width="stretch",
                      disabled=page_key not in B.PAGES,
                      help=None if page_key in B.PAGES else "Uploaded data is not shared, so it cannot be a step.")
            draft = st.session_state.get("_draft")
            if draft and draft["steps"]:
                st.caption(f"{len(draft['steps'])} view(s) in '{md_escape(draft['title'], limit=80)}'.")
                st.download_button("Download briefing (JSON)", B.to_json(draft).encode(),
                                   file_name=f"{draft['id']}.json", mime="application/json", width="stretch")
                mine, errs = B.parse_briefing(B.to_json(draft), "your briefing", st.session_state["_vocab"])
                if mine is not None:
                    pack_button(mine)
                for p in errs:
                    st.error(md_escape(p, limit=400))
            st.file_uploader("Play a briefing file", type=["json"], key="bb_upload", on_change=_play_upload)
            for p in st.session_state.get("_upload_problems") or []:
                st.error(md_escape(p, limit=400))


def pack_button(b: B.Briefing) -> None:
    """Build the briefing's PPTX pack with a progress bar, then offer it."""
    store = st.session_state.setdefault("_packs", {})
    key = hashlib.sha1(B.to_json(b).encode()).hexdigest()[:10]
    if st.button("Briefing pack (PPTX)", key=f"pack-{b.id}", width="stretch", icon=":material/slideshow:"):
        bar = st.progress(0.0, text="Drawing the slides…")
        try:
            store.clear()  # one pack per session at a time: bounded memory
            store[key] = render.briefing_pack(data.atlas(), b, progress=lambda i, n: bar.progress(
                i / n, text=f"Slide {i} of {n}…"))
            bar.progress(1.0, text="Ready")
        except Exception as e:  # an export must never take the app down
            bar.empty()
            st.error(f"The briefing pack could not be made ({md_escape(type(e).__name__)}).")
    if key in store:
        st.download_button("Download pack (PPTX)", store[key], file_name=f"{b.id}.pptx", key=f"dl-pack-{b.id}",
                           mime="application/vnd.openxmlformats-officedocument.presentationml.presentation",
                           width="stretch", type="primary")
