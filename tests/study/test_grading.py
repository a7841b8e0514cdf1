"""Every entry point that grades goes through the one grading path, with the profile's
own scheduler: a profile at 70 % retention gets its own (much longer) interval from
practice, Browse, Focus and a live session alike."""

from datetime import UTC, datetime, timedelta

import fsrs
import pytest

from tests.conftest import csrf_from
from tests.views.test_live import Person, host_session, join
from trainer.study.queue import focus_order
from trainer.study.scheduling import card_id_for

DAY = 86400
RETENTION = 70  # per cent: far from the 90 % default, so the intervals differ ~8-fold


def _review_card(question_id, now):
    """A card in FSRS's Review state, due now, last seen 30 days ago (stability 30)."""
    card = fsrs.Card(card_id=card_id_for("sample", question_id), state=fsrs.State.Review,
                     step=None, stability=30.0, difficulty=5.0, due=now,
                     last_review=now - timedelta(days=30))
    return {"pack": "sample", "question": question_id, "fsrs": card.to_dict(),
            "due": now.timestamp(), "reps": 3, "lapses": 0, "last_rating": 3,
            "last_review": (now - timedelta(days=30)).timestamp(), "introduced": 1.0}


def _expected_days(retention, question_id, now):
    scheduler = fsrs.Scheduler(desired_retention=retention, enable_fuzzing=False)
    card = fsrs.Card.from_dict(_review_card(question_id, now)["fsrs"])
    card, _ = scheduler.review_card(card, fsrs.Rating.Good, review_datetime=now)
    return (card.due - now).total_seconds() / DAY


def _person_at_70(app):
    person = Person(app, start="/")
    response = person.post("/profile/settings", {"name": "Ann", "retention": str(RETENTION),
                                                 "new_per_day": "20"}, htmx=False)
    assert response.status_code == 303
    with person.client.session_transaction() as session:
        profile_id = session["profile"]
    return person, app.extensions["trainer"].profiles.get(profile_id)


def _grade_through(entry, app, person, profile, question_id):
    if entry == "practice":
        return person.post(f"/practice/sample/{question_id}/grade", {"rating": "3"})
    if entry == "browse":
        return person.post(f"/practice/sample/{question_id}/grade?mode=browse",
                           {"rating": "3"})
    if entry == "focus":
        pack = app.extensions["trainer"].packs.get("sample")
        order = focus_order(pack, profile.marks_in("sample"), 7)
        return person.post("/focus/sample/grade", {
            "rating": "3", "seed": "7", "i": str(order.index(question_id)),
            "question": question_id, "tag": "", "difficulty": ""})
    raise AssertionError(entry)


@pytest.mark.parametrize("entry", ["practice", "browse", "focus"])
def test_each_study_screen_grades_with_the_profiles_retention(app, entry):
    person, profile = _person_at_70(app)
    now = datetime.now(UTC)
    profile.put_card(_review_card("q2", now))
    response = _grade_through(entry, app, person, profile, "q2")
    assert response.status_code == 200, response.get_data(as_text=True)
    _assert_own_interval(profile, "q2", now)


def test_a_live_grade_that_counts_uses_the_profiles_retention(app):
    host, code = host_session(app, count="1")
    ann, profile = _person_at_70(app)
    ann.csrf = csrf_from(ann.get(f"/live/{code}").get_data(as_text=True))
    assert ann.post(f"/live/{code}/join", {"name": "Ann", "progress": "1"},
                    htmx=False).status_code == 303
    room = app.extensions["live_rooms"].get(code)
    question_id = room.question_ids[0]
    now = datetime.now(UTC)
    profile.put_card(_review_card(question_id, now))
    host.post(f"/live/{code}/host/start")
    ann.post(f"/live/{code}/answer", {"text": "an answer", "confidence": "know"})
    host.post(f"/live/{code}/host/reveal")
    assert ann.post(f"/live/{code}/grade", {"rating": "3"}).status_code == 200
    _assert_own_interval(profile, question_id, now)
    join(app, code, "Bob")  # the room still works for others


def _assert_own_interval(profile, question_id, now):
    state = profile.card("sample", question_id)
    days = (state["due"] - now.timestamp()) / DAY
    own, default = _expected_days(RETENTION / 100, question_id, now), _expected_days(
        0.9, question_id, now)
    assert own > 3 * default  # the two retentions are far apart: the test can tell them
    assert own * 0.9 <= days <= own * 1.1, (days, own, default)  # FSRS fuzz is ~±5 %
