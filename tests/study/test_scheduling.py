"""FSRS scheduling: grades move due dates, and what comes next is chosen right."""

from datetime import UTC, datetime, timedelta

import pytest

from trainer.study.scheduling import card_id_for, counts, due_questions, grade, make_scheduler

NOW = datetime(2026, 1, 1, 12, tzinfo=UTC)


def test_card_ids_are_stable_and_distinct():
    assert card_id_for("p", "a") == card_id_for("p", "a")
    assert card_id_for("p", "a") != card_id_for("p", "b")
    assert 0 < card_id_for("p", "a") < 2**63


def test_again_comes_back_sooner_than_easy():
    s = make_scheduler()
    again, _ = grade(s, "p", "q", None, 1, NOW)
    easy, _ = grade(s, "p", "q", None, 4, NOW)
    assert again["due"] < easy["due"]
    assert easy["due"] - NOW.timestamp() >= 24 * 3600


def test_grade_records_review_with_previous_state():
    s = make_scheduler()
    first, review1 = grade(s, "p", "q", None, 3, NOW)
    assert review1["previous"] is None and review1["rating"] == 3
    second, review2 = grade(s, "p", "q", first, 3, NOW + timedelta(days=1))
    assert review2["previous"] == first["fsrs"]
    assert second["reps"] == 2
    assert second["due"] > first["due"]


def test_lapse_counted_on_again_after_review():
    """A lapse is a review card forgotten, as Anki counts them (leeches count lapses)."""
    s = make_scheduler()
    first, _ = grade(s, "p", "q", None, 3, NOW)  # learning: first step done
    graduated, _ = grade(s, "p", "q", first, 3, NOW + timedelta(minutes=10))  # review
    assert first["lapses"] == graduated["lapses"] == 0
    second, _ = grade(s, "p", "q", graduated, 1, NOW + timedelta(days=3))
    assert second["lapses"] == 1


def test_again_on_a_learning_step_is_not_a_lapse():
    s = make_scheduler()
    first, _ = grade(s, "p", "q", None, 3, NOW)
    again, _ = grade(s, "p", "q", first, 1, NOW + timedelta(minutes=1))
    assert again["lapses"] == 0


def test_bad_rating_refused():
    with pytest.raises(ValueError):
        grade(make_scheduler(), "p", "q", None, 5, NOW)


def test_due_order_overdue_first_then_new_in_pack_order():
    states = {"b": {"due": 50.0}, "c": {"due": 10.0}, "d": {"due": 500.0}}
    assert due_questions(["a", "b", "c", "d", "e"], states, 100.0) == ["c", "b", "a", "e"]
    assert counts(["a", "b", "c", "d", "e"], states, 100.0) == (2, 2)
