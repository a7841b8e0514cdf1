"""A learner's progress to and from Anki (docs/anki.md, "Progress both ways").

To Anki, :func:`progress_for_anki` picks what a pack's export carries: each card state
of the pack and the reviews that made it (the reviews that still count, since the
pack's last reset); trainer/packs/anki_export.py writes them as Anki's schedule and
revlog.

From Anki, :func:`take_anki_history` replays a deck's review history (read by
trainer/packs/anki_import.py) through this profile's own scheduler, grade by grade, as
if each review had been made here at its time: Anki's ease 1-4 is our rating 1-4, the
revlog id (milliseconds) the review's time, its time taken the review's duration. So
the card states are the ones our FSRS gives for that history, whatever Anki's settings
were. Progress here is never overwritten: only the reviews after a card's last review
here are replayed, on top of its state, so importing the same deck twice adds nothing
and importing a later copy of it adds only what is new. Everything is stored in one go
(:meth:`Profile.merge_import`), as a progress import is.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime

from trainer.profiles.settings import scheduler_for_profile
from trainer.study.history import effective_reviews, review_key
from trainer.study.scheduling import grade

ANKI_NEW = 0  # Anki's card type of a new card
REVLOG_MANUAL = 4  # a revlog entry Anki writes when a card is rescheduled or forgotten


def progress_for_anki(profile, pack):
    """``{question id: {"state": ..., "reviews": [...]}}`` for the pack's learnt cards."""
    records = [r for r in profile.reviews() if r.get("pack") == pack.id]
    reset = max((r["at"] for r in records if r.get("kind") == "reset"), default=None)
    reviews = {}
    for record in effective_reviews(records):
        if reset is None or record["at"] > reset:
            reviews.setdefault(record["question"], []).append(record)
    states = profile.cards_in(pack.id)
    return {q: {"state": states[q], "reviews": reviews.get(q, [])}
            for q in pack.question_ids if q in states}


@dataclass
class HistoryReport:
    """What taking a deck's history did, for the person who asked."""

    cards_added: int = 0
    cards_updated: int = 0
    cards_kept: int = 0
    reviews_added: int = 0
    skipped: list = field(default_factory=list)  # (what, reason)

    def skip(self, what, reason):
        self.skipped.append((what, reason))

    def summary(self):
        parts = [f"{self.reviews_added} review{'' if self.reviews_added == 1 else 's'} "
                 f"taken from Anki", f"{self.cards_added} new card"
                 f"{'' if self.cards_added == 1 else 's'}",
                 f"{self.cards_updated} updated", f"{self.cards_kept} kept as they were"]
        return ", ".join(parts)


def _replay(scheduler, pack_id, question_id, state, rows):
    """The card state and review records after Anki's ``rows`` on top of ``state``."""
    records, not_grades = [], 0
    for review_id, ease, kind, taken_ms, ivl in rows:
        if ease not in (1, 2, 3, 4):
            not_grades += 1
            if kind == REVLOG_MANUAL and ivl == 0:  # "Forget": the card starts again
                state, records = None, []
            continue
        when = datetime.fromtimestamp(review_id / 1000, UTC)
        state, record = grade(scheduler, pack_id, question_id, state, ease, when,
                              duration_ms=taken_ms)
        records.append(record)
    return state, records, not_grades


def take_anki_history(profile, pack, history):
    """Replay ``history`` (``Converted.history``) into ``profile``; return the report."""
    report = HistoryReport()
    scheduler = scheduler_for_profile(profile)
    with profile.lock:
        logged = {review_key(r) for r in profile.reviews() if r.get("pack") == pack.id}
        cards, records = [], []
        for question_id, deck_card in sorted(history.items()):
            if pack.question(question_id) is None:
                report.skip(f"history of {pack.id}/{question_id}", "not in the pack")
                continue
            mine = profile.card(pack.id, question_id)
            since = (mine or {}).get("last_review") or 0
            if deck_card.get("type") == ANKI_NEW and mine is None:
                report.skip(f"history of {pack.id}/{question_id}",
                            "the card is new again in Anki (it was reset there)")
                continue
            rows = sorted(r for r in deck_card["reviews"] if r[0] / 1000 > since)
            older = len(deck_card["reviews"]) - len(rows)
            state, fresh, not_grades = _replay(
                scheduler, pack.id, question_id, dict(mine) if mine else None, rows)
            fresh = [r for r in fresh if review_key(r) not in logged]
            if older and mine is not None:
                report.skip(f"{older} review{'s' if older > 1 else ''} of "
                            f"{pack.id}/{question_id}",
                            "not after your last review here; your progress is kept")
            if not_grades:
                report.skip(f"{not_grades} Anki entr{'ies' if not_grades > 1 else 'y'} of "
                            f"{pack.id}/{question_id}",
                            "rescheduled by hand in Anki, not a grade")
            if state is None or not fresh:
                report.cards_kept += mine is not None
                continue
            cards.append(state)
            records.extend(fresh)
            report.reviews_added += len(fresh)
            if mine is None:
                report.cards_added += 1
            else:
                report.cards_updated += 1
        records.sort(key=lambda r: r["at"])
        profile.merge_import(cards=cards, records=records)
    return report
