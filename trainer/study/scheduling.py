"""Spaced repetition through FSRS: what a grade does to a card, and what comes next.

A stored card state is a plain dict (JSON in the profile file)::

    {"pack", "question", "fsrs": Card.to_dict(), "due": epoch seconds,
     "reps", "lapses", "last_rating", "last_review": epoch seconds}

``due`` is kept as a number next to FSRS's own ISO date so counting due cards never
parses dates.
"""

import hashlib
from datetime import UTC, datetime, timedelta

import fsrs

RATINGS = {
    1: fsrs.Rating.Again,
    2: fsrs.Rating.Hard,
    3: fsrs.Rating.Good,
    4: fsrs.Rating.Easy,
}
RATING_LABELS = {1: "Again", 2: "Hard", 3: "Good", 4: "Easy"}


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


def grade(scheduler, pack_id, question_id, state, rating, when=None):
    """Apply ``rating`` (1-4) to a card; return its new state and the review record."""
    if rating not in RATINGS:
        raise ValueError("rating must be 1, 2, 3 or 4")
    when = when or now_utc()
    if state is None:
        card = fsrs.Card(card_id=card_id_for(pack_id, question_id))
        reps = lapses = 0
    else:
        card = fsrs.Card.from_dict(state["fsrs"])
        reps, lapses = state.get("reps", 0), state.get("lapses", 0)
    card, _log = scheduler.review_card(card, RATINGS[rating], review_datetime=when)
    new_state = {
        "pack": pack_id,
        "question": question_id,
        "fsrs": card.to_dict(),
        "due": card.due.timestamp(),
        "reps": reps + 1,
        "lapses": lapses + (1 if rating == 1 and state is not None else 0),
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
    return new_state, review


def due_questions(question_ids, states, now_ts):
    """Questions to study now: due reviews (most overdue first), then new ones in order."""
    due = sorted(
        (states[q]["due"], q) for q in question_ids if q in states and states[q]["due"] <= now_ts
    )
    new = [q for q in question_ids if q not in states]
    return [q for _, q in due] + new


def counts(question_ids, states, now_ts):
    """(new, due) counts for a pack."""
    new = due = 0
    for q in question_ids:  # one pass: every flip counts its pack
        state = states.get(q)
        if state is None:
            new += 1
        elif state["due"] <= now_ts:
            due += 1
    return new, due
