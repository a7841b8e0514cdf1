"""Spaced repetition through FSRS: what a grade does to a card, and what comes next.

A stored card state is a plain dict (JSON in the profile file)::

    {"pack", "question", "fsrs": Card.to_dict(), "due": epoch seconds,
     "reps", "lapses", "last_rating", "last_review": epoch seconds}

``due`` is kept as a number next to FSRS's own ISO date so counting due cards never
parses dates.
"""

import hashlib
import random
from datetime import UTC, datetime, timedelta

import fsrs

RATINGS = {
    1: fsrs.Rating.Again,
    2: fsrs.Rating.Hard,
    3: fsrs.Rating.Good,
    4: fsrs.Rating.Easy,
}
RATING_LABELS = {1: "Again", 2: "Hard", 3: "Good", 4: "Easy"}
REVIEW_STATE = int(fsrs.State.Review)
LEARNING_STATES = (int(fsrs.State.Learning), int(fsrs.State.Relearning))


def card_id_for(pack_id, question_id):
    """A stable 63-bit FSRS card id for a question.

    Always passed to ``fsrs.Card``: without one, fsrs derives the id from the clock and
    sleeps a millisecond to keep ids unique.
    """
    digest = hashlib.blake2b(f"{pack_id}/{question_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 1


DEFAULT_LEARNING_STEPS = (60, 600)  # seconds: 1m 10m, as Anki
DEFAULT_RELEARNING_STEPS = (600,)  # 10m


def make_scheduler(desired_retention=0.9, parameters=None,
                   learning_steps=DEFAULT_LEARNING_STEPS,
                   relearning_steps=DEFAULT_RELEARNING_STEPS):
    """An FSRS scheduler: default parameters unless a profile fitted its own."""
    options = {} if parameters is None else {"parameters": tuple(parameters)}
    return fsrs.Scheduler(
        desired_retention=desired_retention,
        learning_steps=tuple(timedelta(seconds=s) for s in learning_steps),
        relearning_steps=tuple(timedelta(seconds=s) for s in relearning_steps),
        enable_fuzzing=False,  # our own spread (spread_days) is deterministic
        **options)


_schedulers: dict[tuple, fsrs.Scheduler] = {}
SCHEDULERS_MAX = 1024


def scheduler_for(desired_retention, parameters=None,
                  learning_steps=DEFAULT_LEARNING_STEPS,
                  relearning_steps=DEFAULT_RELEARNING_STEPS):
    """A shared scheduler per set of settings (each profile may choose its own).

    Building one costs more than a grade, so they are kept; past SCHEDULERS_MAX distinct
    settings (each fitted parameter set is one) the store starts again empty.
    """
    key = (round(float(desired_retention), 2),
           None if parameters is None else tuple(parameters),
           tuple(learning_steps), tuple(relearning_steps))
    scheduler = _schedulers.get(key)
    if scheduler is None:
        if len(_schedulers) >= SCHEDULERS_MAX:
            _schedulers.clear()
        scheduler = _schedulers.setdefault(key, make_scheduler(*key))
    return scheduler


def now_utc():
    return datetime.now(UTC)


DURATION_MAX_MS = 60_000  # as Anki: a card left open over lunch counts one minute
SPREAD_FROM_DAYS = 3
SPREAD_SHARE = 0.05


def spread_days(days, card_id, reps):
    """A review interval moved by up to about 5 % (at least a day), so cards learnt
    together do not all fall due on one day. Deterministic (seeded by the card and its
    review count), so the interval a grade button shows is the one the grade gives."""
    if days < SPREAD_FROM_DAYS:
        return days
    reach = max(1, round(days * SPREAD_SHARE))
    offset = random.Random(card_id * 1_000_003 + reps).randint(-reach, reach)  # noqa: S311
    return max(SPREAD_FROM_DAYS - 1, days + offset)


def grade(scheduler, pack_id, question_id, state, rating, when=None, duration_ms=None):
    """Apply ``rating`` (1-4) to a card; return its new state and the review record.

    Pure: nothing is saved, so the grade buttons can ask what each grade would do.
    ``duration_ms`` (how long the card was shown before the grade) is capped at
    :data:`DURATION_MAX_MS` and kept in the record for the stats.
    """
    if rating not in RATINGS:
        raise ValueError("rating must be 1, 2, 3 or 4")
    when = when or now_utc()
    if state is None:
        card = fsrs.Card(card_id=card_id_for(pack_id, question_id))
        reps = lapses = 0
    else:
        card = fsrs.Card.from_dict(state["fsrs"])
        reps, lapses = state.get("reps", 0), state.get("lapses", 0)
    was_review = card.state == fsrs.State.Review
    card, _log = scheduler.review_card(card, RATINGS[rating], review_datetime=when)
    if card.state == fsrs.State.Review:
        days = (card.due - when).days
        card.due = when + timedelta(days=spread_days(days, card.card_id, reps))
    new_state = {
        "pack": pack_id,
        "question": question_id,
        "fsrs": card.to_dict(),
        "due": card.due.timestamp(),
        "reps": reps + 1,
        # A lapse is a review card forgotten (as Anki counts them), not a learning step.
        "lapses": lapses + (1 if rating == 1 and was_review else 0),
        "last_rating": rating,
        "last_review": when.timestamp(),
        "introduced": state.get("introduced", 0) if state else when.timestamp(),
    }
    review = {
        "pack": pack_id,
        "question": question_id,
        "rating": rating,
        "at": when.timestamp(),
        "due": new_state["due"],
        "previous": state["fsrs"] if state else None,
        # What undo restores besides ``previous`` (the FSRS record, not repeated here).
        "previous_state": {k: v for k, v in state.items()
                           if k not in ("pack", "question", "fsrs")} if state else None,
    }
    if duration_ms is not None:
        review["duration_ms"] = max(0, min(int(duration_ms), DURATION_MAX_MS))
    return new_state, review


def next_intervals(scheduler, pack_id, question_id, state, when=None):
    """What each grade would do now: {rating: seconds until the card is due again}."""
    when = when or now_utc()
    return {rating: grade(scheduler, pack_id, question_id, state, rating, when)[0]["due"]
            - when.timestamp() for rating in RATINGS}


def card_state_name(state):
    """new, learning, review or relearning: the card's FSRS state in the product's words."""
    if state is None:
        return "new"
    return STATE_NAMES.get(state["fsrs"].get("state"), "review")


STATE_NAMES = {int(fsrs.State.Learning): "learning", int(fsrs.State.Review): "review",
               int(fsrs.State.Relearning): "relearning"}


def interval_label(seconds, learn_ahead_seconds=0):
    """An interval as Anki writes it on a grade button: <1m, 6m, 1.5h, 4d, 2.3mo, 1.1y.

    As Anki does, an interval within the learn-ahead window carries "<": the card may
    come back sooner than that, when nothing else is left.
    """
    seconds = max(seconds, 0)
    if seconds < 60:
        return "<1m"
    if seconds < 3600:
        text = f"{round(seconds / 60)}m"
    elif seconds < 86400:
        text = _one_decimal(seconds / 3600, "h")
    elif seconds < 30 * 86400:
        text = f"{round(seconds / 86400)}d"
    elif seconds < 365 * 86400:
        text = _one_decimal(seconds / (30 * 86400), "mo")
    else:
        text = _one_decimal(seconds / (365 * 86400), "y")
    return f"<{text}" if seconds < learn_ahead_seconds else text


def interval_words(seconds):
    """The same interval for a sentence: "in 58 seconds", "in 10 minutes", "in 4 days"."""
    seconds = max(round(seconds), 0)
    for size, unit in ((365 * 86400, "year"), (30 * 86400, "month"), (86400, "day"),
                       (3600, "hour"), (60, "minute")):
        if seconds >= size:
            n = round(seconds / size)
            return f"in {n} {unit}{'s' if n != 1 else ''}"
    return f"in {seconds} second{'s' if seconds != 1 else ''}"


def _one_decimal(value, unit):
    text = f"{value:.1f}".removesuffix(".0")
    return f"{text}{unit}"


def due_questions(question_ids, states, now_ts):
    """Questions to study now: due reviews (most overdue first), then new ones in order."""
    due = sorted(
        (states[q]["due"], q) for q in question_ids if q in states and states[q]["due"] <= now_ts
    )
    new = [q for q in question_ids if q not in states]
    return [q for _, q in due] + new


def counts(question_ids, states, now_ts):
    """(new, due) counts for a pack (``question_ids`` distinct, a set or a sequence).

    Every flip counts its pack, so the pass goes over the cards met, found by a set
    intersection, rather than over every question.
    """
    ids = question_ids if isinstance(question_ids, (set, frozenset)) else set(question_ids)
    met = states.keys() & ids
    due = sum(1 for q in met if states[q]["due"] <= now_ts)
    return len(ids) - len(met), due
