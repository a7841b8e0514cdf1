"""Where live rooms live: in memory for speed, each also in its own small TinyDB file.

Polls only read memory. Every change of state is written to ``<data>/rooms/<code>.json``
before the request that made it is answered, so a restarted (or killed) server loads the
rooms again and everyone carries on where they were. Writes happen outside the room's
lock, so a slow disk never holds up a poll; a write that finds a newer version already on
disk is skipped, because that newer snapshot contains its change.
"""

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


class RoomStore:
    """All rooms of this process. One per app."""

    def __init__(self, folder, clock=time.time):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.clock = clock
        self.problems = []  # files that could not be loaded, left untouched on disk
        self._rooms = {}
        self._locks = {}
        self._dbs = {}
        self._saved = {}
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
                self.problems.append(f"{path}: {exc}")
                continue
            self._rooms[code] = room
            self._locks[code] = threading.RLock()
            self._dbs[code] = db
            self._saved[code] = room.version

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

        A refused action (RoomError) changes nothing and writes nothing.
        """
        with self.lock(room):
            result = getattr(room, action)(*args, now=self.clock(), **kwargs)
            version = room.version
        self._persist(room, version)
        return result

    def _persist(self, room, version):
        """Make sure ``version`` (or a later one) of ``room`` is on disk before returning.

        Group commit: a writer takes the room's newest snapshot once it holds the file,
        so when many answers arrive at once, one write carries them all and the writers
        queued behind it find their version already on disk and return at once.
        """
        code = room.code
        path = self._path(code)
        with lock_for(path):
            if code not in self._rooms or version <= self._saved.get(code, 0):
                return
            with self.lock(room):
                snapshot = room.to_dict()
            db = self._dbs.get(code)
            if db is None:
                db = self._dbs[code] = open_db(path)
            db.table("room").upsert(Document(snapshot, doc_id=1))
            self._saved[code] = snapshot["version"]

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
                db = self._dbs.pop(code, None)
            if db is not None:
                db.close()
            path.unlink(missing_ok=True)
