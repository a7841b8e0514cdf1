"""Cached page parts (trainer/web/fragments.py): reused HTML, never another session's token."""

import re

import pytest

from tests.conftest import csrf_from
from trainer.web import fragments

HX = {"HX-Request": "true"}


def actions_of(html):
    return re.search(r'<form class="card-actions".*?</form>', html, re.S).group(0)


def test_each_session_gets_its_own_token_in_the_cached_card_actions(app):
    ann, bob = app.test_client(), app.test_client()
    ann_html = ann.get("/practice/sample/q2", headers=HX).get_data(as_text=True)
    cached = len(app.extensions[fragments.EXTENSION])
    bob_html = bob.get("/practice/sample/q2", headers=HX).get_data(as_text=True)
    assert len(app.extensions[fragments.EXTENSION]) == cached  # Bob reused Ann's part
    ann_token, bob_token = csrf_from(ann_html), csrf_from(bob_html)
    assert ann_token != bob_token
    assert f'value="{bob_token}"' in actions_of(bob_html)
    assert ann_token not in bob_html and fragments.MARK not in bob_html


def test_a_change_of_marks_gives_other_html(app, client, csrf):
    before = actions_of(client.get("/practice/sample/q2").get_data(as_text=True))
    assert 'aria-pressed="false"' in before
    client.post("/practice/sample/q2/star", data={"csrf_token": csrf}, headers=HX)
    after = actions_of(client.get("/practice/sample/q2").get_data(as_text=True))
    assert 'aria-pressed="true"' in after and "★ Starred" in after


def test_a_note_is_escaped_in_the_cached_part(app, client, csrf):
    client.post("/practice/sample/q2/note", data={"csrf_token": csrf, "note": "<b>x</b>"},
                headers=HX)
    html = client.get("/practice/sample/q2").get_data(as_text=True)
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "<b>x</b>" not in html


def test_unhashable_values_are_rendered_but_not_kept(app):
    with app.test_request_context("/"):
        app.preprocess_request()
        first = fragments.part("card_actions.html", pack_id="sample", question_id="q1",
                               mode_arg=None, revealed=False, starred=False, note="",
                               buried=False, undo_available=False, editing_note=False,
                               note_max=10, note_draft=None,
                               run={"actions": {"star": "/s", "note": "/n", "note_form": "/f",
                                                "current": "/c", "undo": "/u"},
                                    "fields": {"i": 1}})
        assert 'formaction="/s"' in first and 'name="i" value="1"' in first
        assert app.extensions[fragments.EXTENSION] == {}


PART_VALUES = {
    "card_actions.html": {"pack_id", "question_id", "mode_arg", "revealed", "starred", "note",
                          "buried", "suspended", "undo_available", "redo_available",
                          "editing_note", "note_max", "note_draft", "run"},
    "_card.html": {"pack_id", "pack_title", "mode", "mode_label", "links", "run", "question",
                   "revealed", "position", "total", "starred", "has_notice", "intervals",
                   "answer_side_html", "answer_max", "checked"},
    "_review_counts.html": {"new_count", "new_held", "due_count"},
    "_answer_side.html": {"question"},
}
# What a part may read besides its values: app-wide template globals, ``fill``, and
# say_it_level, which _say_it.html reads with a default and no card sets.
PART_GLOBALS = {"url_for", "csrf_token", "ratings", "fill", "say_it_level"}


def _undeclared(app, name, seen=None):
    """Names ``name`` reads from its caller, through the templates it includes."""
    from jinja2 import meta

    env = app.jinja_env
    source = env.loader.get_source(env, name)[0]
    tree = env.parse(source)
    # Names the template sets in both branches of an if still count as undeclared here.
    local = set(re.findall(r"{%\s*set (\w+)", source))
    for assignments in re.findall(r"{%\s*with ([^%]*)%}", source):
        local |= set(re.findall(r"(\w+)\s*=", assignments))
    names = meta.find_undeclared_variables(tree) - local
    seen = seen or {name}
    for included in meta.find_referenced_templates(tree):
        if included and included not in seen:
            seen.add(included)
            names |= _undeclared(app, included, seen) - local
    return names


@pytest.mark.parametrize("name", sorted(PART_VALUES))
def test_each_part_reads_only_the_values_it_is_given(app, name):
    """A kept part must not read the page, the request or the session: its key is only
    the values passed, so anything else would be served to the wrong visitor."""
    names = _undeclared(app, name)
    allowed = PART_VALUES[name] | PART_GLOBALS
    assert names <= allowed, names - allowed


def test_the_card_part_is_kept_across_visitors_with_their_own_fill(app):
    """Two visitors on one card share its HTML; each gets their own counts and token."""
    ann, bob = app.test_client(), app.test_client()
    ann.get("/practice/sample/q2", headers=HX)
    ann_token = csrf_from(ann.get("/").get_data(as_text=True))
    ann.post("/practice/sample/q1/grade", data={"csrf_token": ann_token, "rating": "3"},
             headers=HX)
    kept = len(app.extensions[fragments.EXTENSION])
    ann_html = ann.get("/practice/sample/q2", headers=HX).get_data(as_text=True)
    bob_html = bob.get("/practice/sample/q2", headers=HX).get_data(as_text=True)
    new_count = re.compile(r'<span class="new-count">(\d+)</span>')
    assert int(new_count.search(ann_html).group(1)) == int(
        new_count.search(bob_html).group(1)) - 1  # Ann graded one new card, Bob none
    assert csrf_from(bob_html) not in ann_html and csrf_from(ann_html) not in bob_html
    assert fragments.MARK not in ann_html + bob_html
    # Bob's card reused the card part Ann's made: only his own counts part was new.
    assert len(app.extensions[fragments.EXTENSION]) <= kept + 1


def test_a_hole_is_filled_escaped_and_an_unfilled_one_is_an_error(app):
    with app.test_request_context("/"):
        app.preprocess_request()
        pieces = ("<p>", "notice", "</p>")
        assert fragments._filled(pieces, {"notice": "<b>"}) == "<p>&lt;b&gt;</p>"
        with pytest.raises(KeyError):
            fragments._filled(pieces, {})


def test_a_typed_answer_renders_its_card_afresh(app, client, csrf):
    """A typed answer is the learner's own: its card is never kept for anyone else."""
    client.get("/practice/sample/q2", headers=HX)
    kept = dict(app.extensions[fragments.EXTENSION])
    html = client.post("/practice/sample/q2/answer", headers=HX,
                       data={"csrf_token": csrf, "answer": "my own words"}).get_data(
                           as_text=True)
    assert "my own words" in html
    assert not any("my own words" in "".join(v[1])
                   for v in app.extensions[fragments.EXTENSION].values())
    assert set(app.extensions[fragments.EXTENSION]) >= set(kept)


def test_the_kept_parts_are_bounded_by_size(app, monkeypatch):
    """A card is about 14 kB; many of them must not grow the server without end."""
    client = app.test_client()
    client.get("/practice/sample/q1", headers=HX)
    one_card = app.extensions[fragments.EXTENSION].chars
    monkeypatch.setattr(fragments, "MAX_CHARS", int(2.5 * one_card))
    sizes = []
    for qid in ("q2", "q3", "q1", "q2", "q3"):
        client.get(f"/practice/sample/{qid}", headers=HX)
        kept = app.extensions[fragments.EXTENSION]
        assert kept.chars == sum(len(p) for _, pieces in kept.values() for p in pieces)
        assert kept.chars <= fragments.MAX_CHARS
        sizes.append(len(kept))
    assert min(sizes) < max(sizes)  # it started again empty at least once


def test_keeping_a_key_again_counts_its_size_once(app):
    kept = app.extensions[fragments.EXTENSION]
    kept.keep("k", ((), ("abc",)))
    kept.keep("k", ((), ("abcd",)))  # two threads missed at once, both keep it
    assert kept.chars == 4
