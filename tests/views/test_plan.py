"""The plan page and the home page's job-loop starter (views/plan.py)."""

import pytest

from tests.conftest import csrf_from, profile_of
from trainer import create_app
from trainer.study.plan import current_plan

QUESTION = """+++
id = "{id}"
difficulty = "{difficulty}"
tags = ["{tag}"]
+++

# Question {id}?

## Answer

Answer {id}.

## Why it matters

Reason.

## Key points

- point

## Follow-ups

- follow-up?
"""


def _pack(folder, pack_id, title, questions):
    root = folder / pack_id
    (root / "questions").mkdir(parents=True)
    (root / "pack.toml").write_text(
        f'id = "{pack_id}"\ntitle = "{title}"\nversion = "1.0.0"\n')
    for n, (difficulty, tag) in enumerate(questions, 1):
        (root / "questions" / f"{n:03}.md").write_text(
            QUESTION.format(id=f"{pack_id}-{n}", difficulty=difficulty, tag=tag))


@pytest.fixture
def app(tmp_path):
    packs = tmp_path / "packs"
    _pack(packs, "flask_core", "Flask core",
          [("junior", "routing"), ("mid", "testing"), ("senior", "deployment")])
    _pack(packs, "python_core", "Python core",
          [("junior", "types"), ("mid", "iteration"), ("senior", "concurrency")])
    return create_app({"DATA_DIR": tmp_path / "data", "SECRET_KEY": "test-secret-key-" + "x" * 32,
                       "LOAD_ENTRY_POINTS": False, "PACK_DIRS": [packs], "TESTING": True})


def test_home_offers_the_roles_and_starting_one_shows_the_plan(app, client):
    home = client.get("/").get_data(as_text=True)
    assert "Flask backend: junior" in home and "Flask backend: senior" in home
    response = client.post("/plan/start", data={"role": "flask-backend-mid",
                                                "csrf_token": csrf_from(home)})
    assert response.status_code == 303 and response.headers["Location"].endswith("/plan")
    page = client.get("/plan").get_data(as_text=True)
    assert "Study plan: Flask backend: mid" in page
    assert 'data-plan-pack="flask_core"' in page and 'data-plan-pack="python_core"' in page
    assert "junior, mid" in page
    plan = current_plan(profile_of(app, client))
    assert plan.role == "flask-backend-mid" and set(plan.packs) == {"flask_core", "python_core"}
    home = client.get("/").get_data(as_text=True)
    assert "Your study plan: <strong>Flask backend: mid</strong>" in home


def test_an_unknown_role_goes_back_home_with_a_message(client):
    csrf = csrf_from(client.get("/").get_data(as_text=True))
    response = client.post("/plan/start", data={"role": "astronaut", "csrf_token": csrf},
                           follow_redirects=True)
    assert "Pick one of the roles offered." in response.get_data(as_text=True)


def test_posts_need_the_csrf_token(client):
    client.get("/")
    assert client.post("/plan/start", data={"role": "flask-backend-mid"}).status_code in (400, 403)
    assert client.post("/plan/off").status_code in (400, 403)


def test_the_learner_changes_the_plan_and_review_follows_it(app, client):
    csrf = csrf_from(client.get("/").get_data(as_text=True))
    client.post("/plan/start", data={"role": "flask-backend-junior", "csrf_token": csrf})
    response = client.post("/plan", data={
        "csrf_token": csrf, "role": "flask-backend-junior", "new_per_day": "4",
        "pack": ["python_core"], "difficulty-python_core": ["senior"]})
    assert response.status_code == 303
    plan = current_plan(profile_of(app, client))
    assert plan.new_per_day == 4 and plan.packs == {"python_core": (("senior",), ())}
    review = client.get("/practice/python_core", follow_redirects=True)
    assert "Question python_core-3?" in review.get_data(as_text=True)
    caught_up = client.get("/practice/flask_core").get_data(as_text=True)
    assert "All caught up" in caught_up and "leaves out 3 of this pack" in caught_up
    modes = client.get("/modes/python_core").get_data(as_text=True)
    assert "/focus/python_core?tag=concurrency&amp;difficulty=senior" in modes


def test_a_plan_form_that_is_wrong_says_why_and_keeps_the_plan(app, client):
    csrf = csrf_from(client.get("/").get_data(as_text=True))
    client.post("/plan/start", data={"role": "flask-backend-mid", "csrf_token": csrf})
    response = client.post("/plan", data={"csrf_token": csrf, "new_per_day": "5"})
    assert response.status_code == 400
    assert "Tick at least one pack" in response.get_data(as_text=True)
    assert current_plan(profile_of(app, client)).role == "flask-backend-mid"


def test_turning_the_plan_off_brings_every_question_back(app, client):
    csrf = csrf_from(client.get("/").get_data(as_text=True))
    client.post("/plan/start", data={"role": "flask-backend-senior", "csrf_token": csrf})
    response = client.post("/plan/off", data={"csrf_token": csrf}, follow_redirects=True)
    assert "Study plan turned off" in response.get_data(as_text=True)
    assert current_plan(profile_of(app, client)) is None
    page = client.get("/plan").get_data(as_text=True)
    assert "No study plan is on" in page and "Flask backend: mid" in page


def test_the_profile_page_says_a_plan_sets_the_new_questions(app, client):
    home = client.get("/").get_data(as_text=True)
    assert 'class="plan-limit"' not in client.get("/profile").get_data(as_text=True)
    client.post("/plan/start", data={"role": "flask-backend-mid", "csrf_token": csrf_from(home)})
    page = client.get("/profile").get_data(as_text=True)
    plan = current_plan(profile_of(app, client))
    assert (f"Your study plan is on, so Review takes {plan.new_per_day} new questions a day"
            in page) and 'href="/plan"' in page
