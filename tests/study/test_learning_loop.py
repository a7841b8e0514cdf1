"""The learning loop's rules: learn-ahead, the next card's time, interval labels, the
daily review limit, leeches, suspend, redo and review durations."""

from datetime import UTC, datetime, timedelta

import fsrs
import pytest

from trainer.profiles.settings import (
    SettingsError,
    format_steps,
    parse_steps,
    parse_study_settings,
    scheduler_for_profile,
)
from trainer.profiles.store import Profile
from trainer.study import card_actions
from trainer.study.grading import card_shown, grade_card, is_leech_lapse
from trainer.study.history import effective_reviews
from trainer.study.queue import next_due, next_in_review, review_counts
from trainer.study.scheduling import (
    card_id_for,
    grade,
    interval_label,
    interval_words,
    next_intervals,
    spread_days,
)

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


class TinyPack:
    """Two questions are all the queue needs."""

    id = "p"
    question_ids = ("a", "b")
    question_id_set = frozenset(question_ids)

    def neighbour(self, question_id, step):
        ids = self.question_ids
        return ids[(ids.index(question_id) + step) % len(ids)]


@pytest.fixture
def profile(tmp_path):
    return Profile(tmp_path, "p" * 22)


def _review_card(question_id, due, stability=20.0):
    last = due - timedelta(days=stability)
    card = fsrs.Card(card_id=card_id_for("p", question_id), state=fsrs.State.Review,
                     step=None, stability=stability, difficulty=5.0, due=due,
                     last_review=last)
    return {"pack": "p", "question": question_id, "fsrs": card.to_dict(),
            "due": due.timestamp(), "reps": 4, "lapses": 0, "last_rating": 3,
            "last_review": last.timestamp(), "introduced": 1.0}


# interval labels ---------------------------------------------------------------------
@pytest.mark.parametrize(("seconds", "label"), [
    (30, "<1m"), (60, "1m"), (330, "6m"), (600, "10m"), (5400, "1.5h"), (4 * 86400, "4d"),
    (45 * 86400, "1.5mo"), (60 * 86400, "2mo"), (400 * 86400, "1.1y"),
])
def test_interval_labels_read_as_anki_writes_them(seconds, label):
    assert interval_label(seconds) == label


def test_an_interval_within_learn_ahead_carries_a_less_than_sign():
    assert interval_label(600, learn_ahead_seconds=1200) == "<10m"
    assert interval_label(4 * 86400, learn_ahead_seconds=1200) == "4d"
    assert interval_words(58) == "in 58 seconds" and interval_words(86400 * 4) == "in 4 days"


def test_the_buttons_show_what_the_grade_then_does(profile):
    """Deterministic: the preview and the grade agree, long intervals included."""
    state = _review_card("a", NOW, stability=60.0)
    scheduler = scheduler_for_profile(profile)
    preview = next_intervals(scheduler, "p", "a", state, NOW)
    for rating, seconds in preview.items():
        graded, _ = grade(scheduler, "p", "a", state, rating, NOW)
        assert graded["due"] - NOW.timestamp() == pytest.approx(seconds)
    assert preview[1] < preview[2] < preview[3] < preview[4]
    labels = {r: interval_label(s, 1200) for r, s in next_intervals(
        scheduler, "p", "a", None, NOW).items()}
    assert labels[1] == "<1m" and labels[3] == "<10m" and labels[4].endswith("d")


def test_the_spread_moves_long_intervals_a_little_and_the_same_way_each_time():
    assert spread_days(2, 7, 1) == 2  # short intervals are never moved
    moved = {spread_days(100, card, 3) for card in range(50)}
    assert len(moved) > 3 and all(95 <= d <= 105 for d in moved)
    assert spread_days(100, 11, 3) == spread_days(100, 11, 3)


# learn-ahead and the next card --------------------------------------------------------
def test_a_failed_card_comes_back_when_nothing_else_is_left(profile):
    pack = TinyPack()
    now = NOW.timestamp()
    for question_id in pack.question_ids:  # fail both new cards
        grade_card(profile, "p", question_id, 1, when=NOW)
    assert next_in_review(profile, pack, now_ts=now) == "a"  # due in 1 min: learn ahead
    assert next_in_review(profile, pack, exclude="a", now_ts=now) == "a"
    profile.update_settings(learn_ahead_minutes=0)
    assert next_in_review(profile, pack, now_ts=now) is None
    due, available = next_due(profile, pack, now)
    assert due == pytest.approx(now + 60) and available == pytest.approx(now + 60)


def test_next_due_says_when_a_review_card_comes(profile):
    pack = TinyPack()
    now = NOW.timestamp()
    profile.put_card(_review_card("a", NOW + timedelta(days=3)))
    profile.put_card(_review_card("b", NOW + timedelta(days=5)))
    assert next_in_review(profile, pack, now_ts=now) is None
    due, available = next_due(profile, pack, now)
    assert due == available == pytest.approx(now + 3 * 86400)


def test_the_daily_review_limit_holds_review_cards_back(profile):
    pack = TinyPack()
    profile.put_card(_review_card("a", NOW - timedelta(days=1)))
    profile.put_card(_review_card("b", NOW - timedelta(days=2)))
    profile.update_settings(reviews_per_day=1)
    now = NOW.timestamp()
    assert next_in_review(profile, pack, now_ts=now) == "b"
    grade_card(profile, "p", "b", 3, when=NOW)
    assert next_in_review(profile, pack, now_ts=now) is None  # a waits for tomorrow
    profile.update_settings(reviews_per_day=2)
    assert next_in_review(profile, pack, now_ts=now) == "a"


# leeches and suspend -----------------------------------------------------------------
def test_leech_lapses_follow_anki():
    assert [n for n in range(1, 20) if is_leech_lapse(n, 8)] == [8, 12, 16]
    assert [n for n in range(1, 5) if is_leech_lapse(n, 1)] == [1, 2, 3, 4]


@pytest.mark.parametrize("action", ["tag", "suspend"])
def test_the_eighth_lapse_makes_a_leech(profile, action):
    profile.update_settings(leech_action=action)
    state = _review_card("a", NOW)
    profile.put_card({**state, "lapses": 7})
    graded = grade_card(profile, "p", "a", 1, when=NOW)
    assert graded.leech and graded.suspended == (action == "suspend")
    mark = profile.mark("p", "a")
    assert mark["leech"] is True and bool(mark.get("suspended")) == (action == "suspend")
    again = grade_card(profile, "p", "b", 3, when=NOW)
    assert not again.leech


def test_a_suspended_card_is_left_out_of_review_and_its_counts(profile):
    pack = TinyPack()
    now = NOW.timestamp()
    assert card_actions.toggle_suspend(profile, "p", "a") is True
    assert next_in_review(profile, pack, now_ts=now) == "b"
    counts = review_counts(pack, profile, profile.cards_in("p"), now)
    assert counts["new_count"] == 1 and counts["suspended_count"] == 1
    assert card_actions.toggle_suspend(profile, "p", "a") is False
    assert profile.mark("p", "a") == {}  # an empty mark is removed


# redo --------------------------------------------------------------------------------
def test_redo_gives_back_the_undone_grade_exactly(profile):
    grade_card(profile, "p", "a", 3, when=NOW)
    grade_card(profile, "p", "a", 3, when=NOW + timedelta(minutes=10))
    graded = dict(profile.card("p", "a"))
    card_actions.undo_last_grade(profile, "p")
    assert profile.card("p", "a")["reps"] == 1
    assert card_actions.redo_last_undo(profile, "p") == "a"
    assert dict(profile.card("p", "a")) == graded
    assert len(effective_reviews(profile.reviews())) == 2
    with pytest.raises(card_actions.CardActionError):
        card_actions.redo_last_undo(profile, "p")  # nothing left to redo
    card_actions.undo_last_grade(profile, "p")  # a redone grade can be undone again
    assert len(effective_reviews(profile.reviews())) == 1


def test_redo_walks_back_through_several_undos(profile):
    grade_card(profile, "p", "a", 3, when=NOW)
    grade_card(profile, "p", "b", 4, when=NOW + timedelta(seconds=5))
    card_actions.undo_last_grade(profile, "p")  # b
    card_actions.undo_last_grade(profile, "p")  # a
    assert card_actions.redo_last_undo(profile, "p") == "a"
    assert card_actions.redo_last_undo(profile, "p") == "b"
    assert profile.card("p", "b")["last_rating"] == 4


def test_a_new_grade_ends_what_can_be_redone(profile):
    grade_card(profile, "p", "a", 3, when=NOW)
    card_actions.undo_last_grade(profile, "p")
    grade_card(profile, "p", "b", 3, when=NOW + timedelta(seconds=5))
    with pytest.raises(card_actions.CardActionError, match="no undone grade"):
        card_actions.redo_last_undo(profile, "p")


# durations and settings ---------------------------------------------------------------
def test_a_review_keeps_how_long_the_card_was_shown_capped_at_a_minute(profile):
    card_shown(profile, "p", "a", NOW.timestamp() - 12.5)
    grade_card(profile, "p", "a", 3, when=NOW)
    card_shown(profile, "p", "b", NOW.timestamp() - 600)
    grade_card(profile, "p", "b", 3, when=NOW)
    grade_card(profile, "p", "a", 3, when=NOW + timedelta(minutes=10))  # not shown again
    durations = [r.get("duration_ms") for r in profile.reviews()]
    assert durations == [12500, 60000, None]


def test_steps_are_written_as_anki_writes_them():
    assert parse_steps("1m 10m") == (60, 600)
    assert parse_steps("30s, 1h 2d") == (30, 3600, 172800)
    assert format_steps((60, 600, 5400)) == "1m 10m 90m"
    for bad in ("", "10", "1w", "0m", "8d", " ".join(["1m"] * 11)):
        with pytest.raises(SettingsError):
            parse_steps(bad)


def test_a_study_settings_form_is_validated_and_optional_fields_kept():
    changes = parse_study_settings({"retention": "85", "new_per_day": "10",
                                    "learning_steps": "2m 15m", "leech_action": "suspend",
                                    "reviews_per_day": "150"})
    assert changes == {"desired_retention": 0.85, "new_per_day": 10,
                       "learning_steps": [120, 900], "leech_action": "suspend",
                       "reviews_per_day": 150}
    for bad in ({"leech_action": "delete"}, {"reviews_per_day": "-1"},
                {"learn_ahead_minutes": "2000"}, {"leech_threshold": "0"}):
        with pytest.raises(SettingsError):
            parse_study_settings({"retention": "90", "new_per_day": "5", **bad})


def test_the_profiles_steps_reach_its_scheduler(profile):
    profile.update_settings(learning_steps=[120, 900])
    scheduler = scheduler_for_profile(profile)
    assert [s.total_seconds() for s in scheduler.learning_steps] == [120, 900]
    graded = grade_card(profile, "p", "a", 1, when=NOW)
    assert graded.due == pytest.approx(NOW.timestamp() + 120)
