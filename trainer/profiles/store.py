"""Profiles: one person's name, card states and review history, in files of their own.

A profile is anonymous: its id lives in the signed session cookie and names its files
in ``<data>/profiles/``. Keeping one file per profile means one person's write costs
what their own progress weighs, never everyone's.

* ``<id>.json`` is a TinyDB file with the profile's settings and one document per card
  it has seen (the FSRS state). It is rewritten atomically on each grade.
* ``<id>.reviews.jsonl`` is the review history, append-only and fsynced per write, so
  a grade costs the same with ten reviews behind it or ten thousand. A last line cut
  short by a crash was never acknowledged: reading skips it (with a warning), and the
  next append cuts it off first, so it never fuses with the new line. A last line that
  is a whole record and only lacks its newline (a file edited by hand) is kept: the next
  append adds the newline. A damaged line anywhere else raises :class:`DataFileError`
  naming the file and the line.

Either file holding valid JSON of the wrong shape (a card without its pack or question,
a log line that is not an object) is unreadable too, and says so by name.
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

from trainer.storage import DataFileError, encode_json, lock_for, open_db

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
        self._cards_version = 0  # bumped on every change to the cards (see _index)
        self._derived = (None, {}, {})
        with self.lock:
            self._load()

    def _load(self):
        """(Re)read the file: settings, cards and marks, each indexed by card."""
        self._db = open_db(self.path)
        self._settings = self._db.table("profile")
        self._settings_version = getattr(self, "_settings_version", 0) + 1
        self._from_settings = {}  # name -> (settings version, value), see from_settings
        self._cards = self._db.table("cards")
        self._marks = self._db.table("marks")
        self._by_key = self._keyed(self._cards, "card")
        self._marks_by_key = self._keyed(self._marks, "mark")
        self._cards_version += 1

    def _keyed(self, table, what):
        out = {}
        for doc in table.all():
            if not isinstance(doc.get("pack"), str) or not isinstance(doc.get("question"), str):
                raise DataFileError(self.path, f"{what} {doc.doc_id} has no pack or question id")
            out[card_key(doc["pack"], doc["question"])] = doc
        return out

    # settings -----------------------------------------------------------------------
    @property
    def settings(self):
        with self.lock:
            doc = self._settings.get(doc_id=1)
            return dict(doc) if doc else {}

    def update_settings(self, **changes):
        with self.lock:
            merged = {**self.settings, **changes}
            self._settings_version += 1  # before the write: a failed one re-reads too
            try:
                self._settings.upsert(Document(merged, doc_id=1))
            finally:
                self._settings_version += 1

    def from_settings(self, name, make):
        """``make()``, kept until the settings change: what a flip works out from them
        (the study plan, the scheduler, the limits) is read and checked once per change,
        not a dozen times a flip. ``make`` reads the settings itself; what it returns is
        shared, so it must not be changed by the caller (a frozen plan, a scheduler, a
        number)."""
        with self.lock:
            version = self._settings_version
            kept = self._from_settings.get(name)
        if kept is not None and kept[0] == version:
            return kept[1]
        value = make()
        with self.lock:  # made from settings newer than ``version``? Then made again next time
            self._from_settings[name] = (version, value)
        return value

    @property
    def name(self):
        return self.settings.get("name", "")

    @property
    def has_file(self):
        """True once the profile is on disk (a visitor who never saved anything has no
        file). Asked on every request, so it asks the storage, which knows without a
        look at the disk: profiles are written only through it."""
        return self._db.storage.on_disk

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
        """Append log records (imported reviews) in one write and one fsync."""
        with self.lock:
            self._append_lines(records)

    def merge_import(self, settings=None, cards=(), marks=(), records=()):
        """Store what an import merged: one append for the log, one write of the file.

        ``settings`` are merged into the profile's, each of ``cards`` replaces (or adds)
        its card's state, each of ``marks`` is merged into its card's marks, and
        ``records`` go to the log first (as :meth:`save_review` does). A 10,000-review
        import then costs two fsyncs, not one file rewrite per card. Memory follows the
        disk: the file is read back only after it was replaced.
        """
        with self.lock:
            self._append_lines(records)
            if not (settings or cards or marks):
                return
            tables = {name: dict(table) for name, table in (self._db.storage.read() or {}).items()}
            if settings:
                profile = tables.setdefault("profile", {})
                profile["1"] = {**profile.get("1", {}), **settings}
            self._merge_docs(tables.setdefault("cards", {}), self._by_key, cards, replace=True)
            self._merge_docs(tables.setdefault("marks", {}), self._marks_by_key, marks,
                             replace=False)
            self._db.storage.write(tables)
            self._load()

    @staticmethod
    def _merge_docs(table, by_key, docs, replace):
        next_id = max((int(doc_id) for doc_id in table), default=0) + 1
        for doc in docs:
            old = by_key.get(card_key(doc["pack"], doc["question"]))
            if old is None:
                table[str(next_id)] = dict(doc)
                next_id += 1
            else:
                table[str(old.doc_id)] = dict(doc) if replace else {**old, **doc}

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
        self._append_lines([review])

    def _append_lines(self, records):
        """Append ``records`` to the log, one line each, in one write and one fsync."""
        if not records:
            return
        data = b"".join(encode_json(r) + b"\n" for r in records)
        self.reviews_path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.reviews_path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            _cut_torn_tail(fd, self.reviews_path)
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
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
        if lines[-1] and _is_record(lines[-1]):
            return lines  # a whole record that only lacks its newline
        if lines[-1]:
            log.warning("%s: the last line (%d bytes) was cut short by a crash and is "
                        "skipped; it was never acknowledged", self.reviews_path, len(lines[-1]))
        return lines[:-1]

    def reviews(self):
        """Every acknowledged review, oldest first."""
        return [self._record(line, number)
                for number, line in enumerate(self._log_lines(), start=1)]

    def reviews_newest_first(self):
        """Log records newest first, each parsed only when reached: an undo needs the tail
        of a long history, not all of it."""
        lines = self._log_lines()
        for number in range(len(lines), 0, -1):
            yield self._record(lines[number - 1], number)

    def _record(self, line, number):
        try:
            record = json.loads(line)
        except (ValueError, RecursionError) as exc:
            raise DataFileError(self.reviews_path, f"line {number} is not JSON") from exc
        if not isinstance(record, dict):
            raise DataFileError(self.reviews_path, f"line {number} is not a JSON object")
        return record


def _is_record(line):
    """Whether ``line`` is one whole log record (a JSON object)."""
    try:
        return isinstance(json.loads(line), dict)
    except (ValueError, RecursionError):
        return False


def _cut_torn_tail(fd, path):
    """If the log at ``fd`` does not end with a newline, end its last line properly.

    A tail that is not a whole record is a line a crash cut short: its grade never
    returned, so it was never acknowledged; it is cut off. Left in place, the next line
    would be appended onto it and the log would not parse from then on. A tail that is a
    whole JSON object (the newline alone is missing, as after an edit by hand) is a
    record like any other: it gets its newline and stays.
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
    if _is_record(os.pread(fd, size - keep, keep)):
        os.write(fd, b"\n")
        os.fsync(fd)
        log.warning("%s: the last record had no newline; added one", path)
        return
    os.ftruncate(fd, keep)
    os.fsync(fd)
    log.warning("%s: cut %d bytes of a line a crash left unfinished (never acknowledged)",
                path, size - keep)


# Every Profile some code still holds, by file: never two at once for one file.
_open_profiles: "weakref.WeakValueDictionary[tuple, Profile]" = weakref.WeakValueDictionary()
# The most recently used ones stay open even when nobody holds them (the next request).
_recent: "OrderedDict[tuple, Profile]" = OrderedDict()
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
        self._folder_key = str(self.folder)  # the handles are keyed (folder, id): no Path per ask

    def get(self, profile_id):
        if not PROFILE_ID.match(profile_id):
            raise ValueError("malformed profile id")
        key = (self._folder_key, profile_id)
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
            _open_profiles.pop((self._folder_key, profile_id), None)
            _recent.pop((self._folder_key, profile_id), None)

    def exists(self, profile_id):
        return bool(PROFILE_ID.match(profile_id)) and (
            (self.folder / f"{profile_id}.json").exists()
        )
