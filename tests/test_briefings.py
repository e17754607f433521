"""Briefing files: the shipped ones are valid; broken ones get a message naming file, step, field."""

import json

import pytest

from geo.atlas import load_atlas
from geo.briefings import PAGES, add_step, load_briefings, new_briefing, parse_briefing, step_link, to_json
from geo.paths import DATA_DIR


@pytest.fixture(scope="module")
def vocab():
    return load_atlas().vocabulary()


GOOD = {"id": "t", "title": "T", "as_of": "2025-11-01",
        "steps": [{"page": "minerals", "title": "One", "caption": "c", "params": {"mineral": "cobalt"}},
                  {"page": "map", "title": "Two", "caption": "c", "params": {"select": "mountain-pass"}}]}


def test_shipped_briefings_are_valid_and_cover_the_seed_stories(vocab):
    briefs, problems = load_briefings(DATA_DIR / "briefings", vocab)
    assert problems == []
    assert {"rare-earths-2010-2025", "drc-copper-cobalt-belt"} <= set(briefs)
    re_ = briefs["rare-earths-2010-2025"]
    selected = {s.params.get("select") for s in re_.steps}
    assert {"lynas-kuantan", "mountain-pass"} <= selected
    assert all(s.page in PAGES for b in briefs.values() for s in b.steps)


def _one(data, vocab, name="data/briefings/x.json"):
    raw = data if isinstance(data, (bytes, str)) else json.dumps(data)
    return parse_briefing(raw, name, vocab)


@pytest.mark.parametrize("mutate, expected", [
    (lambda d: d["steps"][1].update(page="atlas"), "step 2, field 'page'"),
    (lambda d: d["steps"][0].pop("caption"), "step 1, field 'caption'"),
    (lambda d: d["steps"][0]["params"].update(mineral="kryptonite"), "step 1 (minerals): Dropped unknown mineral"),
    (lambda d: d["steps"][1]["params"].update(select="no-such-site"), "step 2 (map): Dropped unknown select"),
    (lambda d: d["steps"][1]["params"].update(view="north"), "step 2 (map): Ignored 'view'"),
    (lambda d: d["steps"][0]["params"].update(present="1"), "step 1: parameter(s) present"),
    (lambda d: d.update(steps=[]), "field 'steps'"),
    (lambda d: d.update(id="Bad Id!"), "field 'id'"),
    (lambda d: d.update(as_of="yesterday"), "field 'as_of'"),
    (lambda d: d.update(extra="x"), "field 'extra'"),
])
def test_broken_briefing_names_file_step_and_field(vocab, mutate, expected):
    data = json.loads(json.dumps(GOOD))
    mutate(data)
    b, problems = _one(data, vocab)
    assert b is None
    assert any(p.startswith("data/briefings/x.json: ") and expected in p for p in problems), problems


@pytest.mark.parametrize("raw, expected", [
    (b'{"id": "t",', "not valid JSON at line 1"),
    (b"\xff\xfe\x00", "not UTF-8"),
    (b"[1, 2]", "expected a JSON object"),
    (b" " * 300_000, "at most 200,000"),
])
def test_unreadable_briefing_files(vocab, raw, expected):
    b, problems = _one(raw, vocab)
    assert b is None and len(problems) == 1 and expected in problems[0] and "x.json" in problems[0]


def test_broken_file_in_folder_does_not_hide_the_others(vocab, tmp_path):
    (tmp_path / "good.json").write_text(json.dumps(GOOD))
    (tmp_path / "bad.json").write_text('{"id": "b", "title": "B", "as_of": "2025-01-01", "steps": [{"page": "x"}]}')
    briefs, problems = load_briefings(tmp_path, vocab)
    assert list(briefs) == ["t"]
    assert problems and all(p.startswith("data/briefings/bad.json: step 1") for p in problems)


def test_built_briefing_round_trips_and_links_to_each_step(vocab):
    d = new_briefing("Cobalt: who refines it?")
    assert d["id"] == "cobalt-who-refines-it"
    d = add_step(d, "minerals", {"mineral": "cobalt", "present": "1"}, "Shares", "DRC mines, China refines.")
    d = add_step(d, "what-if", {"mineral": "cobalt", "exporter": "COD"}, "Shock", "If the DRC stopped.")
    b, problems = parse_briefing(to_json(d), "built", vocab)
    assert problems == [] and len(b.steps) == 2 and "present" not in b.steps[0].params
    assert step_link(b, 2, base="https://atlas.example/app") == \
        "https://atlas.example/app/what-if?mineral=cobalt&exporter=COD&briefing=cobalt-who-refines-it&step=2&present=1"
