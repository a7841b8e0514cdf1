"""Cached page parts (trainer/web/fragments.py): reused HTML, never another session's token."""

import re

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
    assert ann_token not in bob_html and fragments.PLACEHOLDER not in bob_html


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


def test_the_card_actions_part_reads_only_the_values_it_is_given(app):
    """A cached part must not read the page, the request or the session: its key is only
    the values passed, so anything else would be served to the wrong visitor."""
    from jinja2 import meta

    source = app.jinja_env.loader.get_source(app.jinja_env, "card_actions.html")[0]
    # Names the template sets in both branches of an if still count as undeclared here.
    local = set(re.findall(r"{%\s*set (\w+)", source))
    names = meta.find_undeclared_variables(app.jinja_env.parse(source)) - local
    given = {"pack_id", "question_id", "mode_arg", "revealed", "starred", "note", "buried",
             "suspended", "undo_available", "redo_available", "editing_note", "note_max",
             "note_draft", "run"}
    assert names <= given | {"url_for", "csrf_token"}, names - given
