"""Briefings: ordered lists of views (page + state + caption) kept as JSON files in
``data/briefings/``, validated here, stepped through in presentation mode.

A file looks like::

    {"id": "rare-earths", "title": "...", "subtitle": "...", "as_of": "2025-11-01",
     "steps": [{"page": "minerals", "title": "...", "caption": "...",
                "params": {"mineral": "rare_earths"}}, ...]}

``params`` are the page's URL parameters (see ``geo.urlstate``); they are checked against the
Atlas's ids, so a briefing can never point at a mineral or site that does not exist.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Literal
from urllib.parse import urlencode

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from geo.urlstate import Vocabulary, parse

#: page key -> url path (the Map is the root)
PAGES = {"map": "", "minerals": "minerals", "countries": "countries", "policies": "policies",
         "partnerships": "partnerships", "what-if": "what-if", "sources": "sources"}
MAX_FILE_BYTES = 200_000
STATE_PARAMS = ("present", "briefing", "step")


class Step(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    page: Literal["map", "minerals", "countries", "policies", "partnerships", "what-if", "sources"]
    title: str = Field(min_length=1, max_length=120)
    caption: str = Field(min_length=1, max_length=700)
    params: dict[str, str] = Field(default_factory=dict)


class Briefing(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,60}$")
    title: str = Field(min_length=1, max_length=120)
    subtitle: str = Field(default="", max_length=300)
    author: str = Field(default="", max_length=120)
    as_of: dt.date
    steps: list[Step] = Field(min_length=1, max_length=60)


def _where(loc: tuple) -> str:
    """('steps', 2, 'page') -> "step 3, field 'page'"."""
    parts = []
    items = list(loc)
    if len(items) >= 2 and items[0] == "steps" and isinstance(items[1], int):
        parts.append(f"step {items[1] + 1}")
        items = items[2:]
    if items:
        parts.append("field '" + ".".join(str(i) for i in items) + "'")
    return ", ".join(parts) or "top level"


def parse_briefing(raw: bytes | str, name: str, vocab: Vocabulary | None = None) -> tuple[Briefing | None, list[str]]:
    """Read one briefing file. Returns (briefing or None, problems). Every problem names the
    file and, where it applies, the step and field."""
    if isinstance(raw, bytes):
        if len(raw) > MAX_FILE_BYTES:
            return None, [f"{name}: the file is {len(raw):,} bytes; a briefing may be at most {MAX_FILE_BYTES:,}."]
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            return None, [f"{name}: not UTF-8 text (byte {e.start})."]
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as e:
        return None, [f"{name}: not valid JSON at line {e.lineno}, column {e.colno}: {e.msg}."]
    if not isinstance(data, dict):
        return None, [f"{name}: expected a JSON object with id, title, as_of and steps."]
    try:
        b = Briefing.model_validate(data)
    except ValidationError as e:
        return None, [f"{name}: {_where(err['loc'])}: {err['msg']}." for err in e.errors()[:20]]
    problems = []
    if vocab is not None:
        for i, step in enumerate(b.steps, 1):
            bad = [k for k in step.params if k in STATE_PARAMS]
            if bad:
                problems.append(f"{name}: step {i}: parameter(s) {', '.join(bad)} are set by the player, not the step.")
            _, notices = parse(step.params, vocab)
            problems.extend(f"{name}: step {i} ({step.page}): {n}" for n in notices)
    return (None if problems else b), problems


def load_briefings(folder: Path, vocab: Vocabulary | None = None) -> tuple[dict[str, Briefing], list[str]]:
    """Every ``*.json`` in ``folder``: {id: briefing} for the valid ones, problems for the rest."""
    out: dict[str, Briefing] = {}
    problems: list[str] = []
    if not folder.is_dir():
        return out, problems
    for path in sorted(folder.glob("*.json")):
        name = f"data/briefings/{path.name}"
        try:
            raw = path.read_bytes()
        except OSError as e:
            problems.append(f"{name}: cannot be read ({e.strerror}).")
            continue
        b, errs = parse_briefing(raw, name, vocab)
        problems.extend(errs)
        if b is not None:
            if b.id in out:
                problems.append(f"{name}: id '{b.id}' is used by another briefing; this one is ignored.")
            else:
                out[b.id] = b
    return out, problems


def step_query(b: Briefing, index: int, *, present: bool = True) -> dict[str, str]:
    """Query parameters that open step ``index`` (1-based) of ``b``."""
    step = b.steps[index - 1]
    q = dict(step.params)
    q.update({"briefing": b.id, "step": str(index)})
    if present:
        q["present"] = "1"
    return q


def step_link(b: Briefing, index: int, *, base: str = "", present: bool = True) -> str:
    path = PAGES[b.steps[index - 1].page]
    return f"{base.rstrip('/')}/{path}?{urlencode(step_query(b, index, present=present))}"


def new_briefing(title: str, *, subtitle: str = "", author: str = "", today: dt.date | None = None) -> dict:
    """A briefing being built in the app (a plain dict; validated when downloaded)."""
    slug = "".join(c if c.isalnum() else "-" for c in title.lower()).strip("-")
    slug = "-".join(p for p in slug.split("-") if p)[:60] or "my-briefing"
    return {"id": slug, "title": title or "My briefing", "subtitle": subtitle, "author": author,
            "as_of": (today or dt.date.today()).isoformat(), "steps": []}


def add_step(draft: dict, page: str, params: dict[str, str], title: str, caption: str) -> dict:
    params = {k: v for k, v in params.items() if k not in STATE_PARAMS}
    draft = {**draft, "steps": [*draft["steps"], {"page": page, "title": title, "caption": caption,
                                                  "params": params}]}
    return draft


def to_json(draft: dict | Briefing) -> str:
    data = draft.model_dump(mode="json") if isinstance(draft, Briefing) else draft
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
