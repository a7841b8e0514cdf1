"""Card actions through the test client: undo, star, bury, note; and the log they leave."""

import re

from tests.conftest import HX, post, profile_of
from trainer.study.history import effective_reviews


def test_undo_restores_the_previous_state_and_logs_an_undo(app, client, csrf):
    post(client, csrf, "/practice/sample/q1/grade", rating="3")
    profile = profile_of(app, client)
    first = dict(profile.card("sample", "q1"))
    post(client, csrf, "/practice/sample/q2/grade", rating="4")
    post(client, csrf, "/practice/sample/q1/grade", rating="1")
    assert profile.card("sample", "q1")["reps"] == 2

    response = post(client, csrf, "/practice/sample/undo")
    assert response.headers["HX-Push-Url"] == "/practice/sample/q1"
    html = response.get_data(as_text=True)
    assert 'data-question="q1"' in html and 'data-side="question"' in html
    assert "Undid your grade" in html
    assert dict(profile.card("sample", "q1")) == first

    post(client, csrf, "/practice/sample/undo")  # q2's grade
    assert profile.card("sample", "q2") is None
    post(client, csrf, "/practice/sample/undo")  # q1's first grade: new again
    assert profile.card("sample", "q1") is None
    records = profile.reviews()
    assert [r.get("kind", "review") for r in records] == ["review"] * 3 + ["undo"] * 3
    assert effective_reviews(records) == []


def test_undo_with_nothing_to_undo_says_so(client, csrf):
    response = post(client, csrf, "/practice/sample/undo", question="q1")
    assert response.status_code == 200
    assert "no grade to undo" in response.get_data(as_text=True)
    plain = client.post("/practice/sample/undo", data={"csrf_token": csrf})
    assert plain.status_code == 409


def test_undo_control_appears_once_something_was_graded(client, csrf):
    """Hidden, not left out, before the first grade: a grade made in the page (#14)
    shows it without waiting for the server."""
    hidden = '<span class="undo-control" hidden><button type="submit" class="undo"'
    html = client.get("/practice/sample/q1").get_data(as_text=True)
    assert hidden in html
    html = post(client, csrf, "/practice/sample/q1/grade", rating="3").get_data(as_text=True)
    assert 'data-keys="u Ctrl+z"' in html and hidden not in html


def test_undo_needs_csrf(client, csrf):
    post(client, csrf, "/practice/sample/q1/grade", rating="3")
    response = client.post("/practice/sample/undo", headers=HX)
    assert response.status_code == 400


def test_star_toggles_and_keeps_the_card_new(app, client, csrf):
    html = post(client, csrf, "/practice/sample/q2/star", reveal="1").get_data(as_text=True)
    assert 'aria-pressed="true"' in html and 'data-side="answer"' in html
    profile = profile_of(app, client)
    assert profile.mark("sample", "q2")["starred"] is True
    assert profile.card("sample", "q2") is None
    post(client, csrf, "/practice/sample/q2/star")
    assert profile.mark("sample", "q2") == {}


def test_bury_skips_a_card_until_tomorrow(app, client, csrf):
    response = post(client, csrf, "/practice/sample/q1/bury")
    assert response.headers["HX-Push-Url"] == "/practice/sample/q2"
    assert "Buried" in response.get_data(as_text=True)
    assert client.get("/practice/sample").headers["Location"] == "/practice/sample/q2"
    html = client.get("/practice/sample/q1").get_data(as_text=True)
    assert "Unbury" in html
    post(client, csrf, "/practice/sample/q1/bury")
    assert client.get("/practice/sample").headers["Location"] == "/practice/sample/q1"


def test_note_is_saved_bounded_and_escaped(app, client, csrf):
    form = client.get("/practice/sample/q1?note=1", headers=HX).get_data(as_text=True)
    assert '<textarea id="note" name="note"' in form and "autofocus" in form
    html = post(client, csrf, "/practice/sample/q1/note",
                note="  <b>remember</b>\r\nthe app context  ").get_data(as_text=True)
    assert "&lt;b&gt;remember&lt;/b&gt;\nthe app context" in html
    assert profile_of(app, client).mark("sample", "q1")["note"] == (
        "<b>remember</b>\nthe app context")
    too_long = post(client, csrf, "/practice/sample/q1/note", note="x" * 1001)
    text = too_long.get_data(as_text=True)
    assert "at most 1000 characters" in text
    assert re.search(r"<textarea[^>]*>x{1001}</textarea>", text)  # the draft is kept
    assert profile_of(app, client).mark("sample", "q1")["note"].startswith("<b>")
    post(client, csrf, "/practice/sample/q1/note", note="   ")
    assert "note" not in profile_of(app, client).mark("sample", "q1")


def test_actions_on_unknown_questions_are_404(client, csrf):
    for action in ("star", "bury", "note"):
        assert post(client, csrf, f"/practice/sample/nope/{action}").status_code == 404
    assert post(client, csrf, "/practice/nope/undo").status_code == 404


def test_every_action_is_in_the_shortcut_overlay(client):
    html = client.get("/practice/sample/q1").get_data(as_text=True)
    overlay = html[html.index('<dialog id="shortcuts"'):]
    for key in ("<kbd>u</kbd>", "<kbd>Z</kbd>", "<kbd>*</kbd>", "<kbd>-</kbd>", "<kbd>e</kbd>"):
        assert key in overlay
    assert "not during a starred-only Focus run" in overlay
    assert "Review and Browse only, not in Focus" in overlay
    assert "key-notice" not in html and "aria-disabled" not in html  # Review: all live


def test_star_bury_and_undo_are_buttons_of_one_form_that_works_without_javascript(
        app, client, csrf):
    """One form carries the fields and CSRF token; each button posts to its own URL."""
    post(client, csrf, "/practice/sample/q1/grade", rating="3")
    html = client.get("/practice/sample/q2").get_data(as_text=True)
    form = re.search(r'<form class="card-actions".*?</form>', html, re.S).group(0)
    assert form.count('name="csrf_token"') == 1
    buttons = re.findall(r'<button type="submit" class="(\w+)" formaction="([^"]+)" '
                         r'data-hx-post="([^"]+)"', form)
    assert [(cls, action) for cls, action, _ in buttons] == [
        ("star", "/practice/sample/q2/star"), ("bury", "/practice/sample/q2/bury"),
        ("suspend", "/practice/sample/q2/suspend"), ("undo", "/practice/sample/undo")]
    assert all(action == hx for _, action, hx in buttons)
    # A browser without JavaScript sends the form's fields to the button's formaction.
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form))
    starred = client.post("/practice/sample/q2/star", data=fields)
    assert starred.status_code == 303
    assert profile_of(app, client).mark("sample", "q2")["starred"] is True
    undone = client.post("/practice/sample/undo", data=fields)
    assert undone.status_code == 303 and profile_of(app, client).card("sample", "q1") is None
