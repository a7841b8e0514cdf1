"""A grade sent again with the same id (the page's outbox retrying after a lost answer)
is applied once, also after a restart of the server."""

import re

import pytest

from tests.conftest import HX, post, profile_of
from trainer.study import grading

GRADE_ID = "a1b2c3d4e5f60718293a4b5c6d7e8f90"


def reviews_of(profile):
    return [r for r in profile.reviews() if r.get("kind") is None]


def test_a_duplicated_grade_id_is_applied_once(app, client, csrf):
    first = post(client, csrf, "/practice/sample/q1/grade", rating="3", grade_id=GRADE_ID)
    assert first.status_code == 200
    profile = profile_of(app, client)
    state = dict(profile.card("sample", "q1"))
    again = post(client, csrf, "/practice/sample/q1/grade", rating="3", grade_id=GRADE_ID)
    assert again.status_code == 200
    assert "Already applied" in again.get_data(as_text=True)
    assert profile.card("sample", "q1") == state
    assert [r["grade_id"] for r in reviews_of(profile)] == [GRADE_ID]


def test_the_id_is_remembered_from_the_log_after_a_restart(app, client, csrf):
    post(client, csrf, "/practice/sample/q1/grade", rating="4", grade_id=GRADE_ID)
    profile = profile_of(app, client)
    grading._grade_ids.clear()  # a new server process knows only what is on disk
    graded = grading.grade_card(profile, "sample", "q1", 1, grade_id=GRADE_ID)
    assert graded.duplicate and graded.rating == 4
    assert len(reviews_of(profile)) == 1


def test_grades_without_an_id_or_with_new_ids_all_count(app, client, csrf):
    post(client, csrf, "/practice/sample/q1/grade", rating="3")
    post(client, csrf, "/practice/sample/q1/grade", rating="3")
    post(client, csrf, "/practice/sample/q1/grade", rating="3", grade_id="x" * 8)
    post(client, csrf, "/practice/sample/q1/grade", rating="3", grade_id="y" * 8)
    assert len(reviews_of(profile_of(app, client))) == 4


@pytest.mark.parametrize("bad", ["short", "x" * 65, "has space!", "<script>"])
def test_a_malformed_grade_id_is_refused(client, csrf, bad):
    response = post(client, csrf, "/practice/sample/q1/grade", rating="3", grade_id=bad)
    assert response.status_code == 400


def test_focus_grades_are_idempotent_too(app, client, csrf):
    run = client.get("/focus/sample?seed=7&i=0", headers=HX).get_data(as_text=True)
    question = re.search(r'data-question="([^"]+)"', run).group(1)
    fields = {"rating": "3", "seed": "7", "i": "0", "question": question, "grade_id": GRADE_ID}
    assert post(client, csrf, "/focus/sample/grade", **fields).status_code == 200
    assert post(client, csrf, "/focus/sample/grade", **fields).status_code == 200
    assert len(reviews_of(profile_of(app, client))) == 1
