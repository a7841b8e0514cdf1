"""Search without a request: the index, the ranking rule, filters, snippets and bounds."""

import pytest
from markupsafe import Markup

from trainer.packs.model import Pack, Question
from trainer.study import search as search_module
from trainer.study.search import (
    QUERY_MAX,
    RESULTS_MAX,
    WORDS_MAX,
    Filters,
    SearchRefused,
    index_for,
    marked_html,
    plain_text,
    search,
)


def question(qid, title, answer="", key_points=(), tags=("misc",), difficulty="mid",
             why=""):
    return Question(id=qid, title=title, title_html=Markup.escape(title),
                    answer_html=Markup(answer), why_html=Markup(why),
                    key_points=tuple(Markup(k) for k in key_points), follow_ups=(),
                    difficulty=difficulty, tags=tuple(tags))


class Registry:
    """What search reads of a PackRegistry: ``packs`` (replaced on reload) and ``get``."""

    def __init__(self, *packs):
        self.packs = {p.id: p for p in packs}

    def get(self, pack_id):
        return self.packs.get(pack_id)


class Profile:
    def __init__(self, cards=None, marks=None):
        self.cards, self.marks = cards or {}, marks or {}

    def cards_in(self, pack_id):
        return dict(self.cards.get(pack_id, {}))

    def marks_in(self, pack_id):
        return dict(self.marks.get(pack_id, {}))


def ids(found):
    return [(r.pack_id, r.question.id) for r in found.results]


@pytest.fixture
def registry():
    web = Pack(id="web", title="Web", version="1", questions=(
        question("body", "What is a request?", "<p>A <em>cookie</em> rides on it.</p>",
                 tags=("http",)),
        question("title", "How does a cookie work?", "<p>Set-Cookie, then Cookie.</p>",
                 tags=("http", "state"), difficulty="junior"),
        question("points", "Sessions", "<p>Server side.</p>", key_points=("cookie id",),
                 difficulty="senior"),
    ))
    py = Pack(id="py", title="Python", version="1", questions=(
        question("gil", "The GIL", "<p>One thread runs bytecode &amp; the rest wait.</p>",
                 tags=("threads",)),
        question("hash", "Rehash or hash?", "<p>Hashing a dict key.</p>", tags=("dict",)),
    ))
    return Registry(web, py)


def test_title_matches_rank_above_key_points_above_answer_bodies(registry):
    found = search(registry, Profile(), "cookie")
    assert ids(found) == [("web", "title"), ("web", "points"), ("web", "body")]
    assert found.total == 3


def test_every_word_must_match(registry):
    assert ids(search(registry, Profile(), "cookie server")) == [("web", "points")]
    assert search(registry, Profile(), "cookie gil").total == 0


def test_matching_ignores_case_and_reads_entities(registry):
    assert ids(search(registry, Profile(), "BYTECODE & REST")) == [("py", "gil")]


def test_a_word_start_beats_a_match_inside_a_word():
    pack = Pack(id="p", title="P", version="1", questions=(
        question("inside", "Rehash"), question("start", "Hashing")))
    assert ids(search(Registry(pack), Profile(), "hash")) == [("p", "start"), ("p", "inside")]


def test_the_whole_query_in_a_title_beats_scattered_words():
    pack = Pack(id="p", title="P", version="1", questions=(
        question("scattered", "Cache the key", "<p>A cache key.</p>"),
        question("phrase", "Cache key")))
    assert ids(search(Registry(pack), Profile(), "cache key"))[0] == ("p", "phrase")


def test_tags_and_notes_are_searched(registry):
    assert ids(search(registry, Profile(), "threads")) == [("py", "gil")]
    profile = Profile(marks={"py": {"hash": {"note": "Asked at ACME, 2024"}}})
    found = search(registry, profile, "acme")
    assert ids(found) == [("py", "hash")]
    assert ("ACME", True) in found.results[0].snippet


def test_filters_narrow_and_an_empty_query_lists_what_they_match(registry):
    assert ids(search(registry, Profile(), "", Filters(tag="http"))) == [
        ("web", "body"), ("web", "title")]
    assert ids(search(registry, Profile(), "", Filters(difficulty="senior"))) == [
        ("web", "points")]
    assert ids(search(registry, Profile(), "cookie", Filters(pack="py"))) == []
    assert search(registry, Profile(), "").results == []  # nothing asked: no list


def test_card_state_and_marks_filter():
    pack = Pack(id="p", title="P", version="1", questions=tuple(
        question(q, q) for q in ("a", "b", "c", "d", "e")))
    cards = {"p": {"b": {"fsrs": {"state": 1}}, "c": {"fsrs": {"state": 2}},
                   "d": {"fsrs": {"state": 3}}}}
    marks = {"p": {"a": {"starred": True}, "b": {"leech": True},
                   "c": {"suspended": True, "leech": True}}}
    registry, profile = Registry(pack), Profile(cards, marks)

    def only(**flt):
        return [q for _, q in ids(search(registry, profile, "", Filters(**flt)))]

    assert only(state="new") == ["a", "e"]
    assert only(state="learning") == ["b"]
    assert only(state="review") == ["c"]
    assert only(state="relearning") == ["d"]
    assert only(starred=True) == ["a"]
    assert only(leech=True) == ["b", "c"]
    assert only(suspended=True) == ["c"]
    assert only(leech=True, state="review") == ["c"]
    found = search(registry, profile, "a")
    assert found.results[0].starred and found.results[0].state == "new"


def test_a_filter_that_names_nothing_is_refused(registry):
    for flt in (Filters(pack="nope"), Filters(tag="nope"), Filters(difficulty="hard"),
                Filters(state="due"), Filters(tag="x" * 200)):
        with pytest.raises(SearchRefused):
            search(registry, Profile(), "", flt)


def test_the_query_is_bounded(registry):
    with pytest.raises(SearchRefused, match=str(QUERY_MAX)):
        search(registry, Profile(), "a" * (QUERY_MAX + 1))
    words = " ".join(f"w{i}" for i in range(WORDS_MAX + 3))
    found = search(registry, Profile(), words)
    assert len(found.words) == WORDS_MAX
    assert found.words_dropped == 3


def test_results_are_capped_and_the_rest_counted():
    pack = Pack(id="p", title="P", version="1", questions=tuple(
        question(f"q{i}", f"Question {i}") for i in range(RESULTS_MAX + 7)))
    found = search(Registry(pack), Profile(), "question")
    assert len(found.results) == RESULTS_MAX
    assert found.total == RESULTS_MAX + 7
    assert found.more == 7


def test_the_snippet_is_plain_text_cut_around_the_match():
    filler = " ".join(f"word{i}" for i in range(80))
    pack = Pack(id="p", title="P", version="1", questions=(question(
        "q", "Title", f"<p>{filler} <code>&lt;needle&gt;</code> {filler}</p>"),))
    snippet = search(Registry(pack), Profile(), "needle").results[0].snippet
    text = "".join(piece for piece, _ in snippet)
    assert ("needle", True) in snippet
    assert "<needle>" in text and "<code>" not in text
    assert text.startswith("…") and text.endswith("…")
    assert len(text) <= search_module.SNIPPET_CHARS + 2


def test_the_title_is_highlighted_piece_by_piece(registry):
    title = search(registry, Profile(), "cookie").results[0].title
    assert title == (("How does a ", False), ("cookie", True), (" work?", False))


def test_plain_text_keeps_words_apart_across_blocks():
    assert plain_text(Markup("<ul><li>one</li><li>two</li></ul><p>a&nbsp;b</p>")) == \
        "one two a b"


def test_the_index_is_built_once_per_load(registry):
    first = index_for(registry)
    assert index_for(registry) is first
    registry.packs = dict(registry.packs)  # what a reload does: a new packs dict
    assert index_for(registry) is not first


def test_marked_html_escapes_every_piece_and_marks_the_matches():
    html = marked_html((('<a href="x">', False), ("&", True), ("'", False)))
    assert str(html) == "&lt;a href=&quot;x&quot;&gt;<mark>&amp;</mark>&#x27;"


def test_a_note_outranks_the_answer_but_not_a_key_point():
    pack = Pack(id="p", title="P", version="1", questions=(
        question("answer", "A", "<p>widget</p>"),
        question("noted", "B", "<p>widget</p>"),
        question("point", "C", key_points=("widget",))))
    profile = Profile(marks={"p": {"noted": {"note": "widget"}}})
    assert [q for _, q in ids(search(Registry(pack), profile, "widget"))] == [
        "point", "noted", "answer"]
