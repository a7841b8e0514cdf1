"""Profiles: one person's name, card states and review history, in files of their own.

A profile is anonymous: its id lives in the signed session cookie and names its files
in ``<data>/profiles/``. Keeping one file per profile means one person's write costs
what their own progress weighs, never everyone's.

* ``<id>.json`` is a TinyDB file with the profile's settings and one document per card
  it has seen (the FSRS state). It is rewritten atomically on each grade.
* ``<id>.reviews.jsonl`` is the review history, append-only and fsynced per line, so a
  grade costs the same with ten reviews behind it or ten thousand. A last line cut short
  by a crash was never acknowledged: reading skips it (with a warning), and the next
  append cuts it off first, so it never fuses with the new line. A damaged line anywhere
  else raises :class:`DataFileError` naming the file and the line.
"""

import json
import logging
import os
import re
import secrets
import threading
import weakref
from collections import OrderedDict
from pathlib import Path

from tinydb.table import Document

from trainer.storage import DataFileError, lock_for, open_db

PROFILE_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
TAIL_CHUNK = 64 * 1024
log = logging.getLogger(__name__)


def new_profile_id():
    """Return a fresh, unguessable profile id."""
    return secrets.token_urlsafe(16)


# What a card's marks may hold; a mark with none of them set is removed.
MARK_KEYS = ("starred", "buried_until", "note", "suspended", "leech")


def card_key(pack_id, question_id):
    return f"{pack_id}/{question_id}"


class Profile:
    """One person's progress. Every method holds the file's lock for its whole work."""

    def __init__(self, folder, profile_id):
        if not PROFILE_ID.match(profile_id):
            raise ValueError("malformed profile id")
        self.id = profile_id
        self.path = Path(folder) / f"{profile_id}.json"
        self.reviews_path = Path(folder) / f"{profile_id}.reviews.jsonl"
        self.lock = lock_for(self.path)
        with self.lock:
            self._db = open_db(self.path)
            self._settings = self._db.table("profile")
            self._cards = self._db.table("cards")
            self._by_key = {card_key(d["pack"], d["question"]): d for d in self._cards.all()}
            self._cards_version = 0  # bumped on every change to the cards (see _index)
            self._derived = (None, {}, {})
            self._marks = self._db.table("marks")
            self._marks_by_key = {
                card_key(d["pack"], d["question"]): d for d in self._marks.all()}

    # settings -----------------------------------------------------------------------
    @property
    def settings(self):
        with self.lock:
            doc = self._settings.get(doc_id=1)
            return dict(doc) if doc else {}

    def update_settings(self, **changes):
        with self.lock:
            merged = {**self.settings, **changes}
            self._settings.upsert(Document(merged, doc_id=1))

    @property
    def name(self):
        return self.settings.get("name", "")

    # cards ----------------------------------------------------------------------------
    def card(self, pack_id, question_id):
        """The stored state of one card, or None when it was never reviewed."""
        return self._by_key.get(card_key(pack_id, question_id))

    def cards_in(self, pack_id):
        """Map question id to stored state for every reviewed card of a pack."""
        by_pack, _ = self._index()
        return dict(by_pack.get(pack_id, {}))

    def introduced_since(self, since):
        """How many cards (of every pack) met their first grade at or after ``since``."""
        _, introduced = self._index()
        count = introduced.get(since)
        if count is None:
            count = introduced[since] = sum(
                1 for d in list(self._by_key.values()) if (d.get("introduced") or 0) >= since)
        return count

    def _index(self):
        """Cards by pack, and introduction counts, kept until the cards change.

        Every flip asks for one pack's cards and for today's new questions; with a long
        history, a pass over every card of every pack each time would be most of a flip.
        The version is read before the pass, so a grade landing during it only makes the
        next call build the index again.
        """
        version = self._cards_version
        built, by_pack, introduced = self._derived
        if built != version:
            by_pack, introduced = {}, {}
            for d in list(self._by_key.values()):
                by_pack.setdefault(d["pack"], {})[d["question"]] = d
            self._derived = (version, by_pack, introduced)
        return by_pack, introduced

    def reviewed_since(self, since):
        """How many cards met before ``since`` were graded at or after it: today's reviews,
        for the daily review limit (kept with the introduction counts)."""
        _, counted = self._index()
        key = ("reviewed", since)
        count = counted.get(key)
        if count is None:
            count = counted[key] = sum(
                1 for d in list(self._by_key.values())
                if (d.get("last_review") or 0) >= since and (d.get("introduced") or 0) < since)
        return count

    def save_review(self, state, review):
        """Store a card's new state and append the review that produced it.

        The review line is fsynced before the card file is replaced, so an acknowledged
        grade is on disk in both places.
        """
        key = card_key(state["pack"], state["question"])
        with self.lock:
            self._append_review(review)
            old = self._by_key.get(key)
            if old is not None:
                doc = Document(state, doc_id=old.doc_id)
                self._cards.upsert(doc)
            else:
                doc_id = self._cards.insert(state)
                doc = Document(state, doc_id=doc_id)
            self._by_key[key] = doc
            self._cards_version += 1

    def put_card(self, state, record=None):
        """Replace one card's state (undo, import); ``record`` is appended to the log first.

        ``state`` None with ``record`` naming a card forgets that card (undoing its first
        grade makes it new again).
        """
        with self.lock:
            if record is not None:
                self._append_review(record)
            if state is None:
                return
            key = card_key(state["pack"], state["question"])
            old = self._by_key.get(key)
            if old is not None:
                self._cards.upsert(Document(state, doc_id=old.doc_id))
                self._by_key[key] = Document(state, doc_id=old.doc_id)
            else:
                doc_id = self._cards.insert(state)
                self._by_key[key] = Document(state, doc_id=doc_id)
            self._cards_version += 1

    def drop_card(self, pack_id, question_id, record=None):
        """Forget one card's state, so the question is new again."""
        key = card_key(pack_id, question_id)
        with self.lock:
            if record is not None:
                self._append_review(record)
            old = self._by_key.get(key)
            if old is not None:
                self._cards.remove(doc_ids=[old.doc_id])
                del self._by_key[key]
                self._cards_version += 1

    def drop_pack(self, pack_id, record=None):
        """Forget every card state and mark of one pack (a reset). The log keeps history."""
        with self.lock:
            if record is not None:
                self._append_review(record)
            cards = [k for k, d in self._by_key.items() if d["pack"] == pack_id]
            if cards:
                self._cards.remove(doc_ids=[self._by_key[k].doc_id for k in cards])
                for k in cards:
                    del self._by_key[k]
                self._cards_version += 1
            marks = [k for k, d in self._marks_by_key.items() if d["pack"] == pack_id]
            if marks:
                self._marks.remove(doc_ids=[self._marks_by_key[k].doc_id for k in marks])
                for k in marks:
                    del self._marks_by_key[k]
            return len(cards), len(marks)

    def all_cards(self):
        """Every stored card state, of every pack."""
        with self.lock:
            return [dict(d) for d in self._by_key.values()]

    def append_records(self, records):
        """Append log records (imported reviews) in one go, each line fsynced."""
        with self.lock:
            for record in records:
                self._append_review(record)

    # marks: star, bury, note -- kept apart from card states so a marked card stays new
    def mark(self, pack_id, question_id):
        """The marks of one card (``starred``, ``buried_until``, ``note``), or {}."""
        doc = self._marks_by_key.get(card_key(pack_id, question_id))
        return dict(doc) if doc else {}

    def marks_in(self, pack_id):
        return {d["question"]: dict(d) for d in list(self._marks_by_key.values())
                if d["pack"] == pack_id}

    def all_marks(self):
        with self.lock:
            return [dict(d) for d in self._marks_by_key.values()]

    def set_mark(self, pack_id, question_id, **changes):
        """Merge ``changes`` into a card's marks; a mark left empty is removed."""
        key = card_key(pack_id, question_id)
        with self.lock:
            old = self._marks_by_key.get(key)
            merged = {**(dict(old) if old else {}), **changes,
                      "pack": pack_id, "question": question_id}
            empty = not any(merged.get(k) for k in MARK_KEYS)
            if old is not None and empty:
                self._marks.remove(doc_ids=[old.doc_id])
                del self._marks_by_key[key]
            elif old is not None:
                self._marks.upsert(Document(merged, doc_id=old.doc_id))
                self._marks_by_key[key] = Document(merged, doc_id=old.doc_id)
            elif not empty:
                doc_id = self._marks.insert(merged)
                self._marks_by_key[key] = Document(merged, doc_id=doc_id)
            return merged

    def _append_review(self, review):
        line = json.dumps(review, ensure_ascii=False, separators=(",", ":")) + "\n"
        self.reviews_path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.reviews_path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            _cut_torn_tail(fd, self.reviews_path)
            os.write(fd, line.encode())
            os.fsync(fd)
        finally:
            os.close(fd)

    def _log_lines(self):
        """The log's complete lines, without a torn last one; [] when there is no log."""
        with self.lock:
            try:
                raw = self.reviews_path.read_bytes()
            except FileNotFoundError:
                return []
            except OSError as exc:
                raise DataFileError(self.reviews_path, exc.strerror or str(exc)) from exc
        lines = raw.split(b"\n")
        if lines[-1]:
            log.warning("%s: the last line (%d bytes) was cut short by a crash and is "
                        "skipped; it was never acknowledged", self.reviews_path, len(lines[-1]))
        return lines[:-1]

    def reviews(self):
        """Every acknowledged review, oldest first."""
        out = []
        for number, line in enumerate(self._log_lines(), start=1):
            try:
                out.append(json.loads(line))
            except ValueError as exc:
                raise DataFileError(self.reviews_path, f"line {number} is not JSON") from exc
        return out

    def reviews_newest_first(self):
        """Log records newest first, each parsed only when reached: an undo needs the tail
        of a long history, not all of it."""
        lines = self._log_lines()
        for number in range(len(lines), 0, -1):
            try:
                yield json.loads(lines[number - 1])
            except ValueError as exc:
                raise DataFileError(self.reviews_path, f"line {number} is not JSON") from exc


def _cut_torn_tail(fd, path):
    """If the log at ``fd`` does not end with a newline, cut it after its last one.

    Such a tail is a line a crash cut short: its grade never returned, so it was never
    acknowledged. Left in place, the next line would be appended onto it and the log
    would not parse from then on.
    """
    size = os.fstat(fd).st_size
    if not size or os.pread(fd, 1, size - 1) == b"\n":
        return
    end = size
    keep = 0
    while end > 0:
        start = max(end - TAIL_CHUNK, 0)
        newline = os.pread(fd, end - start, start).rfind(b"\n")
        if newline >= 0:
            keep = start + newline + 1
            break
        end = start
    os.ftruncate(fd, keep)
    os.fsync(fd)
    log.warning("%s: cut %d bytes of a line a crash left unfinished (never acknowledged)",
                path, size - keep)


# Every Profile some code still holds, by file: never two at once for one file.
_open_profiles: "weakref.WeakValueDictionary[Path, Profile]" = weakref.WeakValueDictionary()
# The most recently used ones stay open even when nobody holds them (the next request).
_recent: "OrderedDict[Path, Profile]" = OrderedDict()
RECENT_MAX = 256
_open_guard = threading.Lock()


class ProfileStore:
    """Hands out profiles; each profile file is opened once per process.

    Two handles on one file would each keep their own in-memory copy and overwrite each
    other's writes, so every store in the process (one per app) shares one
    :class:`Profile` per file. Only the :data:`RECENT_MAX` most recently used are kept
    open for their own sake, so a server that has seen thousands of visitors does not
    hold all their progress in memory; one that a request still holds stays the only
    handle on its file until it is let go (a weak map finds it).
    """

    def __init__(self, folder):
        self.folder = Path(folder).resolve()

    def get(self, profile_id):
        if not PROFILE_ID.match(profile_id):
            raise ValueError("malformed profile id")
        key = self.folder / profile_id
        with _open_guard:
            profile = _recent.get(key)
            if profile is not None:  # the usual case: seen a moment ago
                _recent.move_to_end(key)
                return profile
            profile = _open_profiles.get(key)
            if profile is None:
                profile = _open_profiles[key] = Profile(self.folder, profile_id)
            _recent[key] = profile
            _recent.move_to_end(key)
            while len(_recent) > RECENT_MAX:
                _recent.popitem(last=False)
            return profile

    def forget(self, profile_id):
        """Drop the open handle, so the next ``get`` reads the file again."""
        with _open_guard:
            _open_profiles.pop(self.folder / profile_id, None)
            _recent.pop(self.folder / profile_id, None)

    def exists(self, profile_id):
        return bool(PROFILE_ID.match(profile_id)) and (
            (self.folder / f"{profile_id}.json").exists()
        )
