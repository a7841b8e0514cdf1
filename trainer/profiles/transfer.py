"""Progress as a JSON file: export it here, import it on another machine.

An import is validated and merged, never blindly applied, and never drops anything
without saying so: every card, mark and log record in the file is either merged or
listed in the report with the reason it was skipped.

Merge rules, per card: a card only one side has is added; when both have it, the one
reviewed last wins (ties keep yours). Stars are kept if either side starred; a note is
taken when you have none, and a different note on both sides keeps yours and says so.
Log records (reviews, undos, resets) are added unless the same record is already here.
Settings are taken only where you have not set your own.

The merge is worked out in memory first, then stored in one go: one append (and fsync)
for the log, one atomic write of the profile file (:meth:`Profile.merge_import`), so a
file of the largest size the web takes (config.IMPORT_MAX_BYTES) is merged in seconds,
not minutes.
"""

import json
import math
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

import fsrs

from trainer.profiles.names import NameRefused, clean_display_name
from trainer.profiles.settings import (
    NEW_LIMIT_MAX,
    PARAMETER_COUNT,
    RETENTION_MAX,
    RETENTION_MIN,
    valid_parameters,
)
from trainer.study.card_actions import NOTE_MAX

FORMAT = "interview-trainer-progress"
VERSION = 1
LOG_KINDS = ("review", "undo", "reset")
SETTINGS_CARRIED = ("name", "desired_retention", "new_per_day", "fsrs_parameters")


class ImportRefused(ValueError):
    """The whole file was refused; nothing was changed. The message says why."""


@dataclass
class ImportReport:
    """What an import did, item by item, for the person who asked for it."""

    cards_added: int = 0
    cards_updated: int = 0
    cards_kept: int = 0
    marks_merged: int = 0
    log_added: int = 0
    log_duplicates: int = 0
    settings_taken: list = field(default_factory=list)
    skipped: list = field(default_factory=list)  # (what, reason)

    def skip(self, what, reason):
        self.skipped.append((what, reason))

    @property
    def changed(self):
        return bool(self.cards_added or self.cards_updated or self.marks_merged
                    or self.log_added or self.settings_taken)


def export_progress(profile, now_ts=None):
    """Everything a profile has learned, as one JSON-ready dict."""
    now_ts = time.time() if now_ts is None else now_ts
    settings = profile.settings
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": datetime.fromtimestamp(now_ts, UTC).isoformat(),
        "profile": {k: settings[k] for k in SETTINGS_CARRIED if settings.get(k) is not None},
        "cards": sorted(profile.all_cards(), key=lambda c: (c["pack"], c["question"])),
        "marks": sorted(profile.all_marks(), key=lambda m: (m["pack"], m["question"])),
        "log": profile.reviews(),
    }


def export_bytes(profile, now_ts=None):
    return json.dumps(export_progress(profile, now_ts), ensure_ascii=False,
                      separators=(",", ":")).encode()


def _number(value):
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _usable_parameters(value):
    """21 finite numbers that py-fsrs also accepts (within its bounds per parameter)."""
    if not valid_parameters(value):
        return False
    try:
        fsrs.Scheduler(parameters=tuple(value))
    except ValueError:
        return False
    return True


def _label(item):
    return f"{item.get('pack')}/{item.get('question')}"


def parse_export(raw, max_bytes=None):
    """Check a file's envelope; return the decoded dict or raise :class:`ImportRefused`.

    ``max_bytes`` is the caller's size limit (the web's is config.IMPORT_MAX_BYTES).
    """
    if max_bytes is not None and len(raw) > max_bytes:
        raise ImportRefused(f"The file is larger than {max_bytes // (1024 * 1024)} MB.")
    if not raw.strip():
        raise ImportRefused("The file is empty.")
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ImportRefused("The file is not UTF-8 text.") from None
    except json.JSONDecodeError as exc:
        raise ImportRefused(f"The file is not valid JSON (line {exc.lineno}, column "
                            f"{exc.colno}: {exc.msg}).") from None
    except RecursionError:
        raise ImportRefused("The file nests lists or objects too deeply to be an "
                            "export.") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ImportRefused("This is not an Interview Trainer progress export "
                            f"(its \"format\" should be \"{FORMAT}\").")
    version = data.get("version")
    if version != VERSION:
        raise ImportRefused(f"The file is export version {version!r}; this trainer reads "
                            f"version {VERSION}. Export again from a matching version.")
    for key in ("cards", "marks", "log"):
        if not isinstance(data.get(key, []), list):
            raise ImportRefused(f"\"{key}\" must be a list.")
    if not isinstance(data.get("profile", {}), dict):
        raise ImportRefused("\"profile\" must be an object.")
    return data


def _card_problem(card):
    if not isinstance(card, dict):
        return "not an object"
    if not isinstance(card.get("pack"), str) or not isinstance(card.get("question"), str):
        return "has no pack or question id"
    if not _number(card.get("due")) or not _number(card.get("last_review")):
        return "has no valid due or last_review time"
    if not isinstance(card.get("reps"), int) or not isinstance(card.get("lapses"), int):
        return "has no valid reps or lapses count"
    try:
        fsrs.Card.from_dict(card["fsrs"])
    except (KeyError, TypeError, ValueError, AttributeError):
        return "has a scheduler state that cannot be read"
    return None


def _record_problem(record):
    if not isinstance(record, dict):
        return "not an object"
    kind = record.get("kind", "review")
    if kind not in LOG_KINDS:
        return f"has an unknown kind {kind!r}"
    if not isinstance(record.get("pack"), str) or not _number(record.get("at")):
        return "has no pack or time"
    if kind != "reset" and not isinstance(record.get("question"), str):
        return "has no question id"
    if kind == "review" and record.get("rating") not in (1, 2, 3, 4):
        return "has no rating 1-4"
    if kind == "undo" and not _number(record.get("undoes")):
        return "does not say which review it undoes"
    if kind == "review":
        return _previous_problem(record)
    return None


def _previous_problem(review):
    """A review's record of the state before it (what undo restores) must be readable."""
    previous, before = review.get("previous"), review.get("previous_state")
    if previous is None:
        return None if before is None else "has a state before it but no FSRS record"
    try:
        fsrs.Card.from_dict(previous)
    except (KeyError, TypeError, ValueError, AttributeError):
        return "has an FSRS record before it that cannot be read"
    if before is None:
        return None
    if not isinstance(before, dict) or not _number(before.get("due")) \
            or not isinstance(before.get("reps"), int) \
            or not isinstance(before.get("lapses"), int):
        return "has a state before it that cannot be read"
    return None


def _known(packs, pack_id, question_id=None):
    pack = packs.get(pack_id)
    if pack is None:
        return f"pack '{pack_id}' is not installed here"
    if question_id is not None and pack.question(question_id) is None:
        return f"pack '{pack_id}' has no question '{question_id}' here"
    return None


_CARD_FIELDS = ("pack", "question", "fsrs", "due", "reps", "lapses", "last_rating",
                "last_review", "introduced")


def import_progress(profile, packs, raw, max_bytes=None):
    """Merge an export into ``profile``; return an :class:`ImportReport`.

    Raises :class:`ImportRefused` (before changing anything) when the file as a whole
    cannot be used, or is over ``max_bytes``.
    """
    data = parse_export(raw, max_bytes)
    report = ImportReport()
    with profile.lock:
        profile.merge_import(
            settings=_merge_settings(profile, data.get("profile", {}), report),
            cards=_merge_cards(profile, packs, data.get("cards", []), report),
            marks=_merge_marks(profile, packs, data.get("marks", []), report),
            records=_merge_log(profile, packs, data.get("log", []), report))
    return report


def _merge_settings(profile, incoming, report):
    """The settings to take; the report says which and why others were not."""
    mine = profile.settings
    taken = {}
    name = incoming.get("name")
    if "name" in incoming and not mine.get("name"):
        try:
            taken["name"] = clean_display_name(name)
        except NameRefused as exc:
            report.skip("display name", exc.reason)
    retention = incoming.get("desired_retention")
    if "desired_retention" in incoming and "desired_retention" not in mine:
        if _number(retention) and RETENTION_MIN <= retention <= RETENTION_MAX:
            taken["desired_retention"] = round(retention, 2)
        else:
            report.skip("desired retention", f"not between {RETENTION_MIN} and {RETENTION_MAX}")
    limit = incoming.get("new_per_day")
    if "new_per_day" in incoming and "new_per_day" not in mine:
        if isinstance(limit, int) and not isinstance(limit, bool) and 0 <= limit <= NEW_LIMIT_MAX:
            taken["new_per_day"] = limit
        else:
            report.skip("daily new-question limit", f"not a whole number 0 to {NEW_LIMIT_MAX}")
    parameters = incoming.get("fsrs_parameters")
    if parameters is not None and not valid_parameters(mine.get("fsrs_parameters")):
        if _usable_parameters(parameters):
            taken["fsrs_parameters"] = [float(v) for v in parameters]
        else:
            report.skip("FSRS parameters", f"not {PARAMETER_COUNT} numbers FSRS accepts")
    kept = [k for k in SETTINGS_CARRIED
            if k in incoming and k not in taken and mine.get(k) is not None
            and mine.get(k) != incoming[k]]
    for key in kept:
        report.skip(f"setting {key}", "you already set your own here; kept yours")
    report.settings_taken = sorted(taken)
    return taken


def _merge_cards(profile, packs, cards, report):
    """The card states to store, one per card (a card listed twice: the later review)."""
    merged = {}
    for card in cards:
        problem = _card_problem(card)
        if problem is None:
            problem = _known(packs, card["pack"], card["question"])
        if problem:
            report.skip(f"card {_label(card) if isinstance(card, dict) else '?'}", problem)
            continue
        state = {k: card.get(k) for k in _CARD_FIELDS}
        state["introduced"] = state["introduced"] if _number(state["introduced"]) else 0
        key = (card["pack"], card["question"])
        mine = merged.get(key) or profile.card(*key)
        if mine is None:
            merged[key] = state
            report.cards_added += 1
        elif state["last_review"] > (mine.get("last_review") or 0):
            merged[key] = state
            report.cards_updated += 1
        else:
            report.cards_kept += 1
    return list(merged.values())


def _merge_marks(profile, packs, marks, report):
    """The marks to merge in, one dict per card (pack, question and what changes)."""
    merged = {}
    for mark in marks:
        if not isinstance(mark, dict) or not isinstance(mark.get("pack"), str) \
                or not isinstance(mark.get("question"), str):
            report.skip("a star, bury or note", "has no pack or question id")
            continue
        label = _label(mark)
        problem = _known(packs, mark["pack"], mark["question"])
        if problem:
            report.skip(f"marks on {label}", problem)
            continue
        key = (mark["pack"], mark["question"])
        mine = {**profile.mark(*key), **merged.get(key, {})}
        changes = {}
        if mark.get("starred") is True and not mine.get("starred"):
            changes["starred"] = True
        buried = mark.get("buried_until")
        if _number(buried) and buried > (mine.get("buried_until") or 0):
            changes["buried_until"] = buried
        note = mark.get("note")
        if note:
            if not isinstance(note, str) or len(note) > NOTE_MAX:
                report.skip(f"note on {label}", f"not text of at most {NOTE_MAX} characters")
            elif not mine.get("note"):
                changes["note"] = note
            elif mine["note"] != note:
                report.skip(f"note on {label}", "you have a different note there; kept yours")
        if changes:
            merged[key] = {**merged.get(key, {}), **changes,
                           "pack": mark["pack"], "question": mark["question"]}
            report.marks_merged += 1
    return list(merged.values())


def _record_key(record):
    return (record.get("kind", "review"), record.get("pack"), record.get("question"),
            record.get("at"))


def _merge_log(profile, packs, records, report):
    """The log records to append, oldest first, without those already here."""
    have = {_record_key(r) for r in profile.reviews()}
    fresh = []
    for index, record in enumerate(records, start=1):
        problem = _record_problem(record)
        if problem is None:
            kind = record.get("kind", "review")
            problem = _known(packs, record["pack"],
                             None if kind == "reset" else record["question"])
        if problem:
            report.skip(f"log record {index}", problem)
            continue
        key = _record_key(record)
        if key in have:
            report.log_duplicates += 1
            continue
        have.add(key)
        fresh.append(record)
    fresh.sort(key=lambda r: r["at"])
    report.log_added += len(fresh)
    return fresh
