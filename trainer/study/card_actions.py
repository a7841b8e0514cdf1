"""What a learner can do to one card besides grading it: undo, redo, star, bury,
suspend, note.

* Undo takes back the most recent grade in a pack that still counts: the card gets the
  state it had before (or becomes new again), and an ``undo`` record is appended to the
  log, so history is never rewritten and stats leave the grade out. Redo, right after,
  gives the grade back (a ``redo`` record): the same state, since grading is
  deterministic; a new grade in the pack ends what can be redone, as in Anki.
* Suspend takes a card out of Review until it is unsuspended (a leech may be suspended
  by itself, per the profile's leech setting).
* Star and note are marks kept apart from the card's FSRS state: a starred question
  that was never graded is still new.
* Bury hides a card from Review until the end of today (server's local day).
"""

import time
from datetime import UTC, datetime, timedelta

import fsrs

from trainer.profiles.settings import scheduler_for_profile
from trainer.study.history import is_review, review_key
from trainer.study.scheduling import grade

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


def is_suspended(mark):
    return bool(mark) and bool(mark.get("suspended"))


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

    Reads the log from its newest end: the review wanted is almost always near it. The
    newest undo or redo of a review decides whether it counts.
    """
    key = (pack_id, question_id, at)
    decided = {}
    for record in profile.reviews_newest_first():
        kind = record.get("kind")
        if kind in ("undo", "redo"):
            target = (record.get("pack"), record.get("question"),
                      record.get("undoes" if kind == "undo" else "redoes"))
            decided.setdefault(target, kind)
        elif is_review(record) and review_key(record) == key and decided.get(key) != "undo":
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


def redo_last_undo(profile, pack_id, now_ts=None):
    """Give back the grade most recently undone in ``pack_id``; return its question id.

    Only while nothing was graded in the pack since the undo, and only when the card is
    still as the undo left it; otherwise :class:`CardActionError` says why.
    """
    now_ts = time.time() if now_ts is None else now_ts
    with profile.lock:
        decided = {}
        for record in profile.reviews_newest_first():
            if record.get("pack") != pack_id:
                continue
            kind = record.get("kind")
            if is_review(record) and decided.get(review_key(record)) != "undo":
                break  # a grade since the last undo: nothing to redo
            if kind in ("undo", "redo"):
                target = (pack_id, record.get("question"),
                          record.get("undoes" if kind == "undo" else "redoes"))
                if kind == "undo" and target not in decided:
                    return _redo(profile, target, now_ts)
                decided.setdefault(target, kind)
        raise CardActionError("There is no undone grade to redo in this pack.")


def _redo(profile, target, now_ts):
    pack_id, question_id, at = target
    review = next((r for r in profile.reviews_newest_first()
                   if is_review(r) and review_key(r) == target), None)
    if review is None:
        raise CardActionError("The undone grade is no longer in the log; nothing to redo.")
    current = profile.card(pack_id, question_id)
    before = _state_before(review, dict(current) if current else {})
    if (before or {}).get("last_review") != (current or {}).get("last_review"):
        raise CardActionError("That card changed since the undo, so the grade cannot be "
                              "given back.")
    state, _ = grade(scheduler_for_profile(profile), pack_id, question_id, before,
                     review["rating"], when=datetime.fromtimestamp(review["at"], UTC),
                     duration_ms=review.get("duration_ms"))
    profile.put_card(state, record={"kind": "redo", "pack": pack_id,
                                    "question": question_id, "redoes": at, "at": now_ts})
    return question_id


def toggle_suspend(profile, pack_id, question_id):
    """Suspend a card (out of Review until unsuspended), or unsuspend it; True if now
    suspended."""
    with profile.lock:
        suspended = not is_suspended(profile.mark(pack_id, question_id))
        set_suspended(profile, pack_id, question_id, suspended)
    return suspended


def set_suspended(profile, pack_id, question_id, suspended):
    """Suspend or unsuspend a card; return whether that changed anything."""
    with profile.lock:
        changed = is_suspended(profile.mark(pack_id, question_id)) != suspended
        if changed:
            profile.set_mark(pack_id, question_id, suspended=suspended or None)
    return changed


def set_aside_cards(profile, packs):
    """Suspended cards and leeches of every installed pack, for the profile page."""
    rows = []
    for pack in packs:
        for question_id, mark in sorted(profile.marks_in(pack.id).items()):
            question = pack.question(question_id)
            if question is None or not (mark.get("suspended") or mark.get("leech")):
                continue
            state = profile.card(pack.id, question_id) or {}
            rows.append({"pack": pack, "question": question,
                         "suspended": bool(mark.get("suspended")),
                         "leech": bool(mark.get("leech")), "lapses": state.get("lapses", 0)})
    return rows


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
