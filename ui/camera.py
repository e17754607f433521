"""Report the map camera the user panned or zoomed to, so the link (view=lat,lon,zoom) keeps it.

Streamlit's pydeck chart does not report its view state. This small JavaScript-only component
(st.components.v2, no iframe, no network) reads the camera of the page's deck.gl map every half
second and, once the map has stopped moving and differs from the camera the page asked for,
sends ``lat,lon,zoom`` back. Maps Streamlit marks stale (the previous page's, during a page
switch) are skipped. Python checks it like any link value (geo.urlstate.parse_view) and
keeps it as the session's camera: it goes into the link and the exports, while the map's own
initial view is left alone, so reporting never redraws the map.

Finding the deck.gl instance relies on how @deck.gl/react keeps it (a React ref holding
``{deck}``) — an internal detail of the Streamlit frontend. If a Streamlit upgrade changes it, the
component finds nothing and does nothing (the test in tests/browser/test_share_present_browser.py
drags the map and fails loudly).
"""

from __future__ import annotations

import streamlit as st

from geo.urlstate import parse_view
from ui import state

_JS = r"""
const TOLERANCE = { lat: 1e-3, lon: 1e-3, zoom: 0.01 };

function findDeck(root) {
  // Skip maps Streamlit marks stale (e.g. the previous page's small map, still on screen while
  // the Map page runs): reading one of those would report its camera as the user's.
  const canvas = [...root.querySelectorAll('[data-testid="stDeckGlJsonChart"] canvas')]
    .find((c) => !c.closest('[data-stale="true"]'));
  if (!canvas) return null;
  const key = Object.keys(canvas).find((k) => k.startsWith('__reactFiber$'));
  let fiber = key ? canvas[key] : null;
  for (let i = 0; fiber && i < 40; i += 1, fiber = fiber.return) {
    let hook = fiber.memoizedState;
    for (let j = 0; hook && typeof hook === 'object' && j < 60; j += 1, hook = hook.next) {
      const held = hook.memoizedState;
      const deck = held && held.current && held.current.deck;
      if (deck && typeof deck.getViewports === 'function') return deck;
    }
  }
  return null;
}

function camera(deck) {
  const vp = deck.getViewports()[0];
  if (!vp || !Number.isFinite(vp.latitude) || !Number.isFinite(vp.longitude)) return null;
  let lon = ((vp.longitude + 540) % 360) - 180;  // deck.gl lets longitude run past +-180
  return { lat: vp.latitude, lon: lon, zoom: vp.zoom };
}

function same(a, b) {
  return !!a && !!b && Math.abs(a.lat - b.lat) < TOLERANCE.lat &&
    Math.abs(a.lon - b.lon) < TOLERANCE.lon && Math.abs(a.zoom - b.zoom) < TOLERANCE.zoom;
}

export default function (component) {
  const { data, setStateValue, parentElement } = component;
  const host = parentElement.host || parentElement;
  if (host.__atlasCameraTimer) clearInterval(host.__atlasCameraTimer);
  const asked = data && data.view ? { lat: data.view[0], lon: data.view[1], zoom: data.view[2] } : null;
  let reported = asked;  // the camera Python already knows about
  let previous = null;   // the camera half a second ago
  const tick = () => {
    const deck = findDeck(document);
    if (!deck) return;
    const now = camera(deck);
    if (!now) return;
    const still = same(now, previous);
    previous = now;
    if (still && !same(now, reported)) {
      reported = now;
      setStateValue('view', [now.lat.toFixed(4), now.lon.toFixed(4), now.zoom.toFixed(2)].join(','));
    }
  };
  host.__atlasCameraTimer = setInterval(tick, 500);
  return () => clearInterval(host.__atlasCameraTimer);
}
"""

_component = st.components.v2.component("atlas_camera", js=_JS)


def _on_view() -> None:
    raw = (st.session_state.get("map_camera") or {}).get("view")
    view = parse_view(raw, [])  # the browser's value is checked like any link value
    if view is not None:
        st.session_state[state.K_CAMERA] = view


def follow(shown_view: tuple[float, float, float]) -> None:
    """Mount the reporter; ``shown_view`` is the camera the map was asked to show."""
    _component(key="map_camera", data={"view": list(shown_view)}, default={"view": None},
               on_view_change=_on_view, height=0)
