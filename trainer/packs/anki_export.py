"""A pack as an Anki package (``.apkg``), written with the official ``anki`` library.

One note per question, of the note type "Interview Trainer" with the fields Question,
Answer, Why it matters, Key points and Follow-ups (our sanitised HTML; key points and
follow-ups as lists), one card (question on the front, the rest on the back) and a
clean stylesheet with the colours for highlighted code. Tags are the question's tags
plus ``difficulty::<level>``; the note's GUID is ``trainer:<pack>:<question>``, so
importing the package again (here, or into Anki twice) updates the same notes. Images
go along as Anki media named ``<pack>-<name>``. What is lost: references and the
optional "Say it" section (docs/anki.md).

With ``progress`` (a learner's card states and reviews, from
trainer/study/anki_progress.py) each card takes its schedule along: Anki's type, queue,
due, interval, ease and its FSRS memory state (stability and difficulty), and each
review becomes a revlog entry, so the cards arrive in Anki due when they are due here.
"""

import math
import re
import tempfile
import time
from pathlib import Path

from trainer.packs.anki_import import NEEDS_ANKI, anki_available
from trainer.packs.assets import ASSET_URL_PATTERN, read_asset
from trainer.packs.model import PackRefused
from trainer.packs.render import pygments_css

NOTE_TYPE = "Interview Trainer"
FIELDS = ("Question", "Answer", "Why it matters", "Key points", "Follow-ups")
FRONT = '<div class="question">{{Question}}</div>'
BACK = """{{FrontSide}}
<hr id="answer">
<div class="answer">{{Answer}}</div>
{{#Why it matters}}<h3>Why it matters</h3><div>{{Why it matters}}</div>{{/Why it matters}}
{{#Key points}}<h3>Key points</h3>{{Key points}}{{/Key points}}
{{#Follow-ups}}<h3>Follow-ups</h3>{{Follow-ups}}{{/Follow-ups}}"""
CSS = """.card { font-family: system-ui, sans-serif; font-size: 18px; line-height: 1.5;
  text-align: left; max-width: 40em; margin: 0 auto; padding: 0 1em; }
.question { font-size: 1.25em; font-weight: 600; }
h3 { font-size: 1em; margin: 1.2em 0 0.3em; color: #555; }
pre { background: #f6f8fa; padding: 0.6em; overflow-x: auto; border-radius: 4px; }
img { max-width: 100%; }
.image-alt { display: block; font-size: 0.85em; color: #666; }
"""
SRC = re.compile(r'src="([^"]+)"')
DAY = 86400
EASE = 2500  # Anki's starting ease (permille); its FSRS reads the memory state instead
# FSRS's card states (fsrs.State) as Anki's card types; a revlog entry's type is the
# card's type before the review (learn 0, review 1, relearn 2).
LEARNING, REVIEW, RELEARNING = 1, 2, 3
CARD_TYPES = {LEARNING: 1, REVIEW: 2, RELEARNING: 3}
REVLOG_TYPES = {None: 0, LEARNING: 0, REVIEW: 1, RELEARNING: 2}
QUEUE_LEARN, QUEUE_REVIEW, QUEUE_DAY_LEARN = 1, 2, 3


def guid(pack_id, question_id):
    return f"trainer:{pack_id}:{question_id}"


def _note_type(col):
    models = col.models
    kind = models.new(NOTE_TYPE)
    for name in FIELDS:
        models.add_field(kind, models.new_field(name))
    template = models.new_template("Card 1")
    template["qfmt"], template["afmt"] = FRONT, BACK
    models.add_template(kind, template)
    kind["css"] = CSS + pygments_css()
    models.add(kind)
    return models.by_name(NOTE_TYPE)


def _with_media(html, pack, col):
    """``html`` with our asset URLs turned into Anki media names (the files added)."""

    def swap(match):
        url = match.group(1)
        if not ASSET_URL_PATTERN.match(url):
            return match.group(0)
        name = url.rsplit("/", 1)[1]
        found = read_asset(pack.path, name)
        if found is None:
            return match.group(0)
        media = col.media.write_data(f"{pack.id}-{name}", found[0])
        return f'src="{media}"'

    return SRC.sub(swap, str(html))


def _list(items):
    return "<ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>" if items else ""


def _anki_day(col, ts):
    """The Anki day number (of ``col``) on which the moment ``ts`` falls."""
    return col.sched.today + math.floor((ts - col.sched.day_cutoff) / DAY) + 1


def _schedule(col, card, state, now_ts):
    """Give an Anki card the schedule of our card ``state`` (trainer/study/scheduling.py)."""
    from anki.cards import FSRSMemoryState

    memory = state["fsrs"]
    kind = memory.get("state")
    card.type = CARD_TYPES.get(kind, CARD_TYPES[REVIEW])
    card.reps, card.lapses = state.get("reps", 0), state.get("lapses", 0)
    card.factor = EASE
    due = state["due"]
    if kind == REVIEW:
        card.queue, card.due = QUEUE_REVIEW, _anki_day(col, due)
        card.ivl = max(1, round((due - (state.get("last_review") or now_ts)) / DAY))
        card.left = 0
    else:  # a learning step: due at its minute today, or on its day
        card.ivl = 0 if kind == LEARNING else 1
        card.left = 1
        if due < col.sched.day_cutoff:
            card.queue, card.due = QUEUE_LEARN, int(due)
        else:
            card.queue, card.due = QUEUE_DAY_LEARN, _anki_day(col, due)
    if memory.get("stability") and memory.get("difficulty"):
        card.memory_state = FSRSMemoryState(stability=float(memory["stability"]),
                                            difficulty=float(memory["difficulty"]))
    if state.get("last_review"):
        card.last_review_time = int(state["last_review"])
    col.update_card(card)


def _revlog(col, card_id, reviews, taken):
    """One revlog row per review: its time (ms, the row's id), grade, interval given
    (days, or negative seconds for a step) and the card's type before it."""
    last_ivl = 0
    for review in reviews:
        entry = int(review["at"] * 1000)
        while entry in taken:
            entry += 1
        taken.add(entry)
        wait = review["due"] - review["at"]
        ivl = round(wait / DAY) if wait >= DAY else -max(1, round(wait))
        kind = (review.get("previous") or {}).get("state")
        col.db.execute(
            "insert into revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type) "
            "values (?, ?, -1, ?, ?, ?, ?, ?, ?)", entry, card_id, review["rating"], ivl,
            last_ivl, EASE if ivl > 0 else 0, int(review.get("duration_ms") or 0),
            REVLOG_TYPES.get(kind, 1))
        last_ivl = ivl


def write_package(pack, out_path, progress=None, now_ts=None):
    """Write ``pack`` to ``out_path`` as an .apkg; return the number of notes.

    ``progress`` maps a question id to ``{"state": card state, "reviews": [review
    records, oldest first]}``; those cards are written with their schedule and history.
    """
    if not anki_available():
        raise PackRefused([NEEDS_ANKI.replace("reading", "writing")])
    from anki.collection import (
        Collection,
        ExportAnkiPackageOptions,
        NoteIdsLimit,
    )

    with tempfile.TemporaryDirectory(prefix="trainer-anki-export-") as tmp:
        col = Collection(str(Path(tmp) / "collection.anki2"))
        try:
            kind = _note_type(col)
            deck_id = col.decks.id(pack.title)
            note_ids, progress, taken = [], progress or {}, set()
            now_ts = time.time() if now_ts is None else now_ts
            for question in pack.questions:
                note = col.new_note(kind)
                note["Question"] = _with_media(question.title_html, pack, col)
                note["Answer"] = _with_media(question.answer_html, pack, col)
                note["Why it matters"] = _with_media(question.why_html, pack, col)
                note["Key points"] = _with_media(_list(question.key_points), pack, col)
                note["Follow-ups"] = _with_media(_list(question.follow_ups), pack, col)
                note.tags = [*question.tags, f"difficulty::{question.difficulty}"]
                note.guid = guid(pack.id, question.id)
                col.add_note(note, deck_id)
                note_ids.append(note.id)
                learnt = progress.get(question.id)
                if learnt and learnt.get("state"):
                    card = note.cards()[0]
                    _schedule(col, card, learnt["state"], now_ts)
                    _revlog(col, card.id, learnt.get("reviews", ()), taken)
            col.export_anki_package(
                out_path=str(out_path),
                options=ExportAnkiPackageOptions(with_scheduling=bool(progress),
                                                 with_deck_configs=False, with_media=True),
                limit=NoteIdsLimit(note_ids))
        finally:
            col.close()
    return len(note_ids)


def package_bytes(pack, progress=None):
    """The .apkg of ``pack`` as bytes (for a download), with ``progress`` if given."""
    with tempfile.TemporaryDirectory(prefix="trainer-anki-export-") as tmp:
        out = Path(tmp) / f"{pack.id}.apkg"
        write_package(pack, out, progress)
        return out.read_bytes()
