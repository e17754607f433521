"""URL state: round trip, and hostile or malformed links never raise."""

import datetime as dt

import pytest

from geo.urlstate import MAX_ITEMS, ViewState, Vocabulary, parse, to_params

VOCAB = Vocabulary(minerals=frozenset({"cobalt", "lithium", "rare_earths"}),
                   countries=frozenset({"COD", "CHN", "USA"}),
                   facilities=frozenset({"mountain-pass", "kamoto"}))


def test_contract_example_round_trips():
    q = {"mineral": "cobalt,lithium", "country": "COD,CHN", "stage": "processing",
         "status": "operating", "layers": "facilities,policies", "select": "kamoto",
         "view": "-10.7,25.4,6", "asof": "2023-06-30"}
    st, notices = parse(q, VOCAB)
    assert notices == []
    assert st.minerals == ("cobalt", "lithium") and st.countries == ("COD", "CHN")
    assert st.layers == ("facilities", "strategies")  # 'policies' is an alias
    assert st.select == "kamoto" and st.view == (-10.7, 25.4, 6.0)
    assert st.asof == dt.date(2023, 6, 30)
    again, _ = parse(to_params(st), VOCAB)
    assert again == st


def test_defaults_make_an_empty_query():
    assert to_params(ViewState()) == {}
    st, notices = parse({}, VOCAB)
    assert st == ViewState() and notices == []


def test_case_is_normalised_and_repeats_merge():
    st, _ = parse({"mineral": ["Cobalt", "cobalt,LITHIUM"], "country": "cod"}, VOCAB)
    assert st.minerals == ("cobalt", "lithium") and st.countries == ("COD",)


def test_unknown_values_are_dropped_with_a_notice():
    st, notices = parse({"mineral": "cobalt,unobtainium", "country": "XXX", "select": "nowhere"}, VOCAB)
    assert st.minerals == ("cobalt",) and st.countries == () and st.select is None
    assert any("'unobtainium'" in n for n in notices)
    assert any("'XXX'" in n for n in notices)
    assert any("select" in n for n in notices)


@pytest.mark.parametrize("view", ["1,2", "a,b,c", "nan,0,1", "91,0,2", "0,0,99", "0,200,1", "inf,0,1",
                                  "1e309,0,1", "", ",,,"])
def test_hostile_views_are_ignored(view):
    st, notices = parse({"view": view}, VOCAB)
    assert st.view is None
    if view.strip(","):
        assert notices and "view" in notices[0]


@pytest.mark.parametrize("asof", ["2023-13-01", "yesterday", "1800-01-01", "2023-02-30", "'; DROP TABLE"])
def test_bad_dates_are_ignored(asof):
    st, notices = parse({"asof": asof}, VOCAB)
    assert st.asof is None and "asof" in notices[0]


def test_huge_lists_are_cut():
    st, notices = parse({"mineral": ",".join(["cobalt"] * 10_000)}, VOCAB)
    assert st.minerals == () and "too long" in notices[0]
    st, notices = parse({"mineral": ",".join(["x"] * (MAX_ITEMS + 5))}, VOCAB)
    assert f"only the first {MAX_ITEMS}" in notices[0]


def test_injection_strings_are_dropped_and_shortened():
    payload = "<script>alert(1)</script>" * 4
    st, notices = parse({"country": payload, "mineral": "{{7*7}}"}, VOCAB)
    assert st.countries == () and st.minerals == ()
    assert all(len(n) < 200 for n in notices)


def test_layers_none_and_empty():
    assert parse({"layers": "none"}, VOCAB)[0].layers == ()
    assert to_params(ViewState(layers=()))["layers"] == "none"


def test_markdown_escaping_keeps_text_literal():
    from geo.text import md_escape

    assert md_escape("2024-04") == "2024-04"
    assert md_escape("- not a list") == "\\- not a list"
    assert md_escape("1. not a list") == "1\\. not a list"
    assert md_escape("[x](javascript:alert(1))") == "\\[x\\]\\(javascript\\:alert\\(1\\)\\)"
    assert md_escape("<b>x</b>") == "\\<b\\>x\\</b\\>"
    assert md_escape(None) == "" and md_escape(float("nan")) == ""
    assert md_escape("a" * 600).endswith("…") and len(md_escape("a" * 600)) == 500


def test_analysis_parameters_round_trip_and_bad_values_are_dropped():
    vocab = Vocabulary(minerals=VOCAB.minerals, countries=VOCAB.countries, facilities=VOCAB.facilities,
                       partnerships=frozenset({"msp"}))
    st, notices = parse({"partnership": "MSP", "bloc": "usa,euu,XXX", "exporter": "cod",
                         "supply": "refining", "withheld": "50"}, vocab)
    assert (st.partnership, st.bloc, st.exporter, st.supply, st.withheld) == ("msp", ("USA", "EUU"), "COD",
                                                                              "refining", 50)
    assert notices == ["Dropped unknown bloc value(s) 'XXX'."]
    assert parse(to_params(st), vocab)[0] == st
    st, notices = parse({"exporter": "ZZZ", "supply": "eating", "withheld": "150", "partnership": "<b>"}, vocab)
    assert (st.exporter, st.supply, st.withheld, st.partnership) == ("CHN", "mining", 100, None)
    assert len(notices) == 4 and any("withheld" in n and "0 to 100" in n for n in notices)
    assert to_params(st) == {}


def test_presentation_and_briefing_parameters():
    vocab = Vocabulary(briefings=frozenset({"rare-earths"}))
    st, notices = parse({"present": "1", "briefing": "rare-earths", "step": "3"}, vocab)
    assert (st.present, st.briefing, st.step) == (True, "rare-earths", 3) and notices == []
    assert parse(to_params(st), vocab)[0] == st
    st, notices = parse({"present": "maybe", "briefing": "nope", "step": "999"}, vocab)
    assert (st.present, st.briefing, st.step) == (False, None, 1) and len(notices) == 3
