"""The card fragment of #14: the answer side travels hidden, the card a grade brings is
one GET away, and neither marks a card as shown before it is."""

import re

from tests.conftest import HX, post
from trainer.study import grading


def card_attr(html, name):
    return re.search(rf'<section id="card"[^>]* {name}="([^"]*)"', html).group(1)


def test_the_card_holds_its_answer_its_intervals_and_where_it_goes(client):
    html = client.get("/practice/sample/q1", headers=HX).get_data(as_text=True)
    assert card_attr(html, "data-side") == "question"
    assert card_attr(html, "data-url") == "/practice/sample/q1"
    assert card_attr(html, "data-after") == "/practice/sample/q1/next"
    assert card_attr(html, "data-reveal-url") == "/practice/sample/q1?reveal=1"
    assert "Interview Trainer" in card_attr(html, "data-title")
    assert '<div class="answer" hidden>' in html
    assert re.search(r'data-words="in [^"]+" class="grade grade-3"', html)
    reveal = re.search(r'<form class="reveal-form" method="get" action="/practice/sample/q1">'
                       r'\s*<input type="hidden" name="reveal" value="1">', html)
    assert reveal, "without JavaScript, Show answer is a GET of ?reveal=1"


def test_browse_cards_say_browse_everywhere(client):
    html = client.get("/practice/sample/q2?mode=browse", headers=HX).get_data(as_text=True)
    assert card_attr(html, "data-after") == "/practice/sample/q2/next?mode=browse"
    assert '<input type="hidden" name="mode" value="browse">' in html
    after = client.get("/practice/sample/q2/next?mode=browse", headers=HX).get_data(as_text=True)
    assert card_attr(after, "data-question") == "q3"


def test_the_card_after_is_what_a_grade_brings(client, csrf):
    ahead = client.get("/practice/sample/q1/next", headers=HX).get_data(as_text=True)
    graded = post(client, csrf, "/practice/sample/q1/grade", rating="4").get_data(as_text=True)
    assert card_attr(ahead, "data-question") == card_attr(graded, "data-question") != "q1"


def test_skip_leaves_out_cards_graded_in_the_page(client):
    plain = client.get("/practice/sample/q1/next", headers=HX).get_data(as_text=True)
    first = card_attr(plain, "data-question")
    skipped = client.get(f"/practice/sample/q1/next?skip={first}", headers=HX).get_data(
        as_text=True)
    assert card_attr(skipped, "data-question") not in ("q1", first)


def test_a_card_held_ahead_is_not_counted_as_shown(app, client):
    grading._shown.clear()
    client.get("/practice/sample/q1/next", headers=HX)
    client.get("/focus/sample?seed=3&i=1&ahead=1", headers=HX)
    assert not grading._shown
    client.get("/practice/sample/q2", headers=HX)
    assert any(key[1:] == ("sample", "q2") for key in grading._shown)


def test_focus_cards_hold_the_next_card_of_the_run(client):
    html = client.get("/focus/sample?seed=3&i=0", headers=HX).get_data(as_text=True)
    assert card_attr(html, "data-after") == "/focus/sample?seed=3&amp;i=1&amp;ahead=1"
    last = client.get("/focus/sample?seed=3&i=6", headers=HX).get_data(as_text=True)
    assert card_attr(last, "data-url") == "/focus/sample?seed=3&amp;i=6"
