"""Answer first: the typed answer beside the model answer, a checklist, a suggested grade."""

import re

from tests.conftest import HX, post


def test_question_side_offers_answer_first(client):
    html = client.get("/practice/sample/q1").get_data(as_text=True)
    assert '<form class="answer-first"' in html
    assert '<label for="typed" data-keys="a">' in html
    assert 'maxlength="4000"' in html


def test_typed_answer_is_shown_escaped_with_points_ticked_and_a_grade(client, csrf):
    response = post(client, csrf, "/practice/sample/q1/answer",
                    answer="<i>My</i> main point is this")
    html = response.get_data(as_text=True)
    assert 'data-side="answer"' in html
    assert '<p class="typed">&lt;i&gt;My&lt;/i&gt; main point is this</p>' in html
    assert "Answer body 1" in html
    assert html.count('name="point"') == 2 and html.count(" checked>") == 2
    assert '<strong class="suggested-grade">Easy</strong>' in html
    assert re.search(r'class="grade grade-4 suggested" data-keys="4 Space Enter"', html)
    assert 'data-keys="3">' in html  # Good gives up Space to the suggestion


def test_an_answer_that_misses_everything_suggests_again(client, csrf):
    html = post(client, csrf, "/practice/sample/q2/answer", answer="no idea").get_data(
        as_text=True)
    assert " checked>" not in html
    assert '<strong class="suggested-grade">Again</strong>' in html


def test_empty_typed_answer_still_compares(client, csrf):
    html = post(client, csrf, "/practice/sample/q2/answer", answer="  ").get_data(as_text=True)
    assert "(you left it empty)" in html


def test_overlong_answer_is_refused_with_the_limit(client, csrf):
    response = post(client, csrf, "/practice/sample/q1/answer", answer="x" * 4001)
    assert response.status_code == 400
    assert "at most 4000 characters" in response.get_data(as_text=True)


def test_ticking_points_redraws_the_grade_buttons(client, csrf):
    response = client.post("/practice/suggest-grade",
                           data={"points_total": "3", "point": ["0", "2"]},
                           headers={**HX, "X-CSRF-Token": csrf})
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="grade-buttons"')
    assert '<span class="ticked">2</span> of 3' in html
    assert '<strong class="suggested-grade">Good</strong>' in html
    for bad in ({"points_total": "2", "point": ["5"]}, {"points_total": "x"},
                {"points_total": "1000"}):
        assert client.post("/practice/suggest-grade", data=bad,
                           headers={**HX, "X-CSRF-Token": csrf}).status_code == 400
    assert client.post("/practice/suggest-grade", data={"points_total": "1"},
                       headers=HX).status_code == 400  # CSRF


def test_grading_after_answer_first_records_the_grade(client, csrf):
    post(client, csrf, "/practice/sample/q1/answer", answer="point")
    response = post(client, csrf, "/practice/sample/q1/grade", rating="4", point=["0", "1"],
                    points_total="2")
    assert response.headers["HX-Push-Url"] == "/practice/sample/q2"
    exported = client.get("/profile/export").get_json()
    assert [(r["question"], r["rating"]) for r in exported["log"]] == [("q1", 4)]


def test_focus_mode_offers_answer_first_too(client, csrf):
    html = client.get("/focus/sample?seed=5&i=0").get_data(as_text=True)
    question = re.search(r'data-question="(q\d)"', html).group(1)
    assert 'action="/focus/sample/answer"' in html
    response = post(client, csrf, "/focus/sample/answer", answer="a point", question=question,
                    seed="5", i="0")
    html = response.get_data(as_text=True)
    assert 'data-mode="focus"' in html and '<p class="typed">a point</p>' in html
    assert 'action="/focus/sample/grade"' in html
