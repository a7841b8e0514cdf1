"""A pack as an Anki package (``.apkg``), written with the official ``anki`` library.

One note per question, of the note type "Interview Trainer" with the fields Question,
Answer, Why it matters, Key points and Follow-ups (our sanitised HTML; key points and
follow-ups as lists), one card (question on the front, the rest on the back) and a
clean stylesheet with the colours for highlighted code. Tags are the question's tags
plus ``difficulty::<level>``; the note's GUID is ``trainer:<pack>:<question>``, so
importing the package again (here, or into Anki twice) updates the same notes. Images
go along as Anki media named ``<pack>-<name>``. What is lost: references, the optional
"Say it" section, and the learner's progress (docs/anki.md).
"""

import re
import tempfile
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


def write_package(pack, out_path):
    """Write ``pack`` to ``out_path`` as an .apkg; return the number of notes."""
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
            note_ids = []
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
            col.export_anki_package(
                out_path=str(out_path),
                options=ExportAnkiPackageOptions(with_scheduling=False,
                                                 with_deck_configs=False, with_media=True),
                limit=NoteIdsLimit(note_ids))
        finally:
            col.close()
    return len(note_ids)


def package_bytes(pack):
    """The .apkg of ``pack`` as bytes (for a download)."""
    with tempfile.TemporaryDirectory(prefix="trainer-anki-export-") as tmp:
        out = Path(tmp) / f"{pack.id}.apkg"
        write_package(pack, out)
        return out.read_bytes()
