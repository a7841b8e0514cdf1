"""Where live rooms live: in memory for speed, each also in its own small TinyDB file.

Polls only read memory. Every change of state is written to ``<data>/rooms/<code>.json``
before the request that made it is answered, so a restarted (or killed) server loads the
rooms again and everyone carries on where they were. Writes happen outside the room's
lock, so a slow disk never holds up a poll; a write that finds a newer version already on
disk is skipped, because that newer snapshot contains its change.

A change is acknowledged only once it is on disk. When a write fails, the room in memory
goes back to the last snapshot that reached the disk, and every change not yet on disk
(the failed writer's and any that queued behind it) is refused with
:class:`RoomNotSaved` (503): nobody is shown as having answered when a crash would lose
the answer.
"""

import copy
import logging
import threading
import time
from pathlib import Path

from tinydb.table import Document

from trainer.live.limits import freeable
from trainer.live.rooms import Room, RoomError, normalize_code
from trainer.storage import DataFileError, lock_for, open_db

log = logging.getLogger(__name__)

ROOMS_MAX = 100
SWEEP_EVERY = 60


class RoomNotSaved(RoomError):
    """A change the disk did not take: the room is as it was on disk, nothing changed."""

    def __init__(self, reason):
        super().__init__("Not saved: the server could not write this session to its disk "
                         f"({reason}). Nothing changed; try again in a moment.", 503)


class RoomStore:
    """All rooms of this process. One per app."""

    def __init__(self, folder, clock=time.time):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.clock = clock
        self._unreadable = {}  # path -> why it could not be loaded (left untouched on disk)
        self._rooms = {}
        self._locks = {}
        self._dbs = {}
        self._saved = {}  # code -> the version on disk
        self._on_disk = {}  # code -> that version's snapshot, what a failed write restores
        self._lost = {}  # code -> the version on disk at each rollback (see _persist)
        self._guard = threading.Lock()
        self._last_sweep = 0.0
        self._load_all()
        self.sweep()

    def _path(self, code):
        return self.folder / f"{code}.json"

    def _load_all(self):
        for path in sorted(self.folder.glob("*.json")):
            code = normalize_code(path.stem)
            if code is None or code != path.stem:
                continue
            try:
                with lock_for(path):
                    db = open_db(path)
                    doc = db.table("room").get(doc_id=1)
                    if doc is None:
                        raise DataFileError(path, "no room in it")
                    room = Room.from_dict(doc)
            except (DataFileError, TypeError, ValueError, KeyError) as exc:
                log.error("live room file %s not loaded: %s", path, exc)
                self._unreadable[path] = str(exc)
                continue
            self._rooms[code] = room
            self._locks[code] = threading.RLock()
            self._dbs[code] = db
            self._saved[code] = room.version
            self._on_disk[code] = room.to_dict()

    @property
    def problems(self):
        """Room files that could not be loaded and are still there, each with the reason."""
        return [f"{path}: {reason}" for path, reason in self._unreadable.items()
                if path.exists()]

    # reading ---------------------------------------------------------------------------
    def get(self, code):
        """The room with this code, or None (unknown or expired)."""
        self._maybe_sweep()
        room = self._rooms.get(code)
        if room is None or room.is_expired(self.clock()):
            return None
        return room

    def lock(self, room):
        return self._locks[room.code]

    def __len__(self):
        return len(self._rooms)

    # changing --------------------------------------------------------------------------
    def create(self, **settings):
        """Make a room with a fresh code and store it; RoomError when too many are open."""
        self.sweep()
        if len(self._rooms) >= ROOMS_MAX:
            self.free_abandoned(self.clock())
        with self._guard:
            if len(self._rooms) >= ROOMS_MAX:
                raise RoomError(f"This server already runs {ROOMS_MAX} sessions; finish "
                                "one first.", 503)
            room = Room.create(now=self.clock(), **settings)
            while room.code in self._rooms or self._path(room.code).exists():
                room = Room.create(now=self.clock(), **settings)
            self._rooms[room.code] = room
            self._locks[room.code] = threading.RLock()
        self._persist(room, room.version)
        return room

    def apply(self, room, action, *args, **kwargs):
        """Run ``room.<action>(*args, now=..., **kwargs)`` under the room's lock; store it.

        A refused action (RoomError) changes nothing and writes nothing; one the disk
        refuses is undone and raises :class:`RoomNotSaved`.
        """
        with self.lock(room):
            result = getattr(room, action)(*args, now=self.clock(), **kwargs)
            version, epoch = room.version, len(self._lost.get(room.code, ()))
        self._persist(room, version, epoch)
        return result

    def _persist(self, room, version, epoch=0):
        """Make sure ``version`` (or a later one) of ``room`` is on disk before returning.

        Group commit: a writer takes the room's newest snapshot once it holds the file,
        so when many answers arrive at once, one write carries them all and the writers
        queued behind it find their version already on disk and return at once.

        ``epoch`` counts the rollbacks the room had when the change was made: a change
        made before a rollback and not on disk by then was undone by it, whatever
        version numbers came after.
        """
        code = room.code
        path = self._path(code)
        with lock_for(path):
            lost = self._lost.get(code, ())
            if epoch < len(lost) and version > lost[epoch]:
                raise RoomNotSaved("an earlier write of this session failed")
            if code not in self._rooms or version <= self._saved.get(code, 0):
                return
            with self.lock(room):
                snapshot = room.to_dict()
            try:
                db = self._dbs.get(code)
                if db is None:
                    db = self._dbs[code] = open_db(path)
                db.table("room").upsert(Document(snapshot, doc_id=1))
            except (OSError, DataFileError) as exc:
                log.error("live room %s not saved, changes since version %s undone: %s",
                          code, self._saved.get(code), exc)
                self._roll_back(room)
                raise RoomNotSaved(getattr(exc, "strerror", None) or str(exc)) from exc
            self._saved[code] = snapshot["version"]
            self._on_disk[code] = snapshot

    def _roll_back(self, room):
        """Put ``room`` back as it is on disk, in place (views hold it). Under the file lock.

        The version and each participant's ``rev`` move on rather than back, so no screen
        drawn from an undone change ever matches the room again. A room never on disk (a
        failed create) is forgotten.
        """
        code = room.code
        saved = self._on_disk.get(code)
        with self.lock(room):
            if saved is None:
                with self._guard:
                    self._rooms.pop(code, None)
                    self._locks.pop(code, None)
                    self._dbs.pop(code, None)
                return
            self._lost.setdefault(code, []).append(self._saved.get(code, 0))
            restored = Room.from_dict(copy.deepcopy(saved))
            restored.version = room.version + 1
            for token, person in restored.participants.items():
                if token in room.participants:
                    person.rev = room.participants[token].rev + 1
            for name in saved:
                setattr(room, name, getattr(restored, name))

    # expiry ----------------------------------------------------------------------------
    def _maybe_sweep(self):
        if self.clock() - self._last_sweep >= SWEEP_EVERY:
            self.sweep()

    def sweep(self):
        """Forget finished or idle rooms past their time and delete their files."""
        now = self.clock()
        self._last_sweep = now
        with self._guard:
            expired = [code for code, room in self._rooms.items() if room.is_expired(now)]
        for code in expired:
            self.remove(code)
        return expired

    def free_abandoned(self, now, count=1):
        """Make way on a full server: remove up to ``count`` rooms that serve no one.

        Which rooms, and in which order, is limits.freeable's rule (finished rooms
        first, then empty and unattended ones); a room anyone still uses stays.
        """
        with self._guard:
            ranked = sorted((key, code) for code, room in self._rooms.items()
                            if (key := freeable(room, now)) is not None)
        freed = [code for _, code in ranked[:count]]
        for code in freed:
            log.info("live room %s freed for a new one (server full)", code)
            self.remove(code)
        return freed

    def remove(self, code):
        path = self._path(code)
        with lock_for(path):
            with self._guard:
                self._rooms.pop(code, None)
                self._locks.pop(code, None)
                self._saved.pop(code, None)
                self._on_disk.pop(code, None)
                self._lost.pop(code, None)
                db = self._dbs.pop(code, None)
            if db is not None:
                db.close()
            path.unlink(missing_ok=True)
