"""What a learner can do to one card besides grading it: undo, star, bury, note.

* Undo takes back the most recent grade in a pack that still counts: the card gets the
  state it had before (or becomes new again), and an ``undo`` record is appended to the
  log, so history is never rewritten and stats leave the grade out.
* Star and note are marks kept apart from the card's FSRS state: a starred question
  that was never graded is still new.
* Bury hides a card from Review until the end of today (server's local day).
"""

import time
from datetime import datetime, timedelta

import fsrs

from trainer.study.history import is_review, review_key

NOTE_MAX = 1000


class CardActionError(ValueError):
    """A card action the user asked for that cannot be done; the message says why."""


def start_of_day(ts):
    day = datetime.fromtimestamp(ts).replace(hour=0, minute=0, second=0, microsecond=0)
    return day.timestamp()


def end_of_day(ts):
    day = datetime.fromtimestamp(ts).replace(hour=0, minute=0, second=0, microsecond=0)
    return (day + timedelta(days=1)).timestamp()


def is_buried(mark, now_ts):
    return bool(mark) and (mark.get("buried_until") or 0) > now_ts


def _state_before(review, current):
    """The card state a review replaced; None when the review was the card's first."""
    if review.get("previous") is None:
        return None
    if review.get("previous_state") is not None:
        return {"pack": review["pack"], "question": review["question"],
                "fsrs": review["previous"], **review["previous_state"]}
    # A review logged before full states were kept: rebuild what can be rebuilt.
    previous = fsrs.Card.from_dict(review["previous"])
    return {
        **current,
        "fsrs": review["previous"],
        "due": previous.due.timestamp(),
        "reps": max(current.get("reps", 1) - 1, 0),
        "lapses": max(current.get("lapses", 0) - (1 if review.get("rating") == 1 else 0), 0),
        "last_rating": None,
        "last_review": previous.last_review.timestamp() if previous.last_review else None,
    }


def _review_behind(profile, pack_id, question_id, at):
    """The review that still counts and gave the card its state at ``at``, or None.

    Reads the log from its newest end: the review wanted is almost always near it.
    """
    key = (pack_id, question_id, at)
    undone = set()
    for record in profile.reviews_newest_first():
        if record.get("kind") == "undo":
            undone.add((record.get("pack"), record.get("question"), record.get("undoes")))
        elif is_review(record) and review_key(record) == key and key not in undone:
            return record
    return None


def undo_last_grade(profile, pack_id, now_ts=None):
    """Take back the latest grade in ``pack_id``; return the question id it was for.

    Raises :class:`CardActionError` when there is nothing to undo.
    """
    now_ts = time.time() if now_ts is None else now_ts
    with profile.lock:
        states = profile.cards_in(pack_id)
        graded = [s for s in states.values() if s.get("last_review") is not None]
        if not graded:
            raise CardActionError("There is no grade to undo in this pack.")
        latest = max(graded, key=lambda s: s["last_review"])
        question_id = latest["question"]
        review = _review_behind(profile, pack_id, question_id, latest["last_review"])
        if review is None:
            raise CardActionError("The latest grade here came from an import and has no "
                                  "review in this profile's log, so it cannot be undone.")
        record = {"kind": "undo", "pack": pack_id, "question": question_id,
                  "undoes": review["at"], "at": now_ts}
        before = _state_before(review, dict(latest))
        if before is None:
            profile.drop_card(pack_id, question_id, record=record)
        else:
            profile.put_card(before, record=record)
    return question_id


def toggle_star(profile, pack_id, question_id):
    """Star or unstar a card; return whether it is starred now."""
    with profile.lock:
        starred = not profile.mark(pack_id, question_id).get("starred", False)
        profile.set_mark(pack_id, question_id, starred=starred)
    return starred


def toggle_bury(profile, pack_id, question_id, now_ts=None):
    """Bury a card until the end of today, or bring a buried card back; True if buried."""
    now_ts = time.time() if now_ts is None else now_ts
    with profile.lock:
        buried = is_buried(profile.mark(pack_id, question_id), now_ts)
        profile.set_mark(pack_id, question_id,
                         buried_until=None if buried else end_of_day(now_ts))
    return not buried


def clean_note(text):
    """A note as stored: line endings normalised, outer blanks trimmed, bounded."""
    note = (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if len(note) > NOTE_MAX:
        raise CardActionError(f"A note can be at most {NOTE_MAX} characters "
                              f"(this one has {len(note)}).")
    return note


def save_note(profile, pack_id, question_id, text):
    """Store a private note on a card (an empty note removes it); return the note."""
    note = clean_note(text)
    profile.set_mark(pack_id, question_id, note=note or None)
    return note
