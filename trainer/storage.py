"""Durable TinyDB files: atomic writes, one lock per file, clear errors on corruption.

TinyDB is not thread-safe and rewrites its whole file on each change. So:

* every file has exactly one :class:`threading.RLock`, shared by everything that opens
  it in this process (:func:`lock_for`); the map of locks holds them weakly, so a lock
  lives as long as someone holds it (a profile holds its own) and the map does not grow
  with every visitor the server has ever seen;
* a write goes to a temporary file in the same folder, is flushed and fsynced, then
  replaces the old file with ``os.replace`` (atomic on POSIX), and the folder is fsynced
  so the rename itself survives a crash: a killed server leaves either the old or the
  new file, never half of one;
* reads are served from an in-memory copy that is only updated after a write reached
  the disk (write-through, never write-back), so an acknowledged write is on disk;
* a file that cannot be read or parsed, or whose JSON is not the shape TinyDB writes
  (an object of tables, each an object of documents, each an object), raises
  :class:`DataFileError` naming the file. It is never silently replaced by an empty
  database;
* a temporary file that a crash left behind (``.<name>.<random>.tmp``, which may hold a
  room's tokens) is deleted at the next start by :func:`sweep_stale_temp_files`.
"""

import contextlib
import json
import logging
import os
import re
import tempfile
import threading
import time
import weakref
from pathlib import Path

import orjson
from tinydb import TinyDB
from tinydb.storages import Storage

_locks: "weakref.WeakValueDictionary[str, threading.RLock]" = weakref.WeakValueDictionary()
_locks_guard = threading.Lock()
# What tempfile.mkstemp(prefix=".<name>.", suffix=".tmp") makes: 8 random characters.
TEMP_NAME = re.compile(r"^\..+\.[a-z0-9_]{8}\.tmp$")
STALE_TEMP_SECONDS = 60
log = logging.getLogger(__name__)


class DataFileError(RuntimeError):
    """A data file exists but cannot be read; the message names the file."""

    def __init__(self, path, reason):
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"data file {self.path} cannot be read: {reason}")


def lock_for(path):
    """Return the one lock that guards ``path`` in this process.

    The lock is kept only while someone holds it (a :class:`Profile`, a ``with`` block):
    two holders at once always get the same lock, and a file nobody holds costs nothing.
    """
    key = os.path.abspath(path)
    with _locks_guard:
        lock = _locks.get(key)
        if lock is None:
            lock = _locks[key] = threading.RLock()
        return lock


def fsync_dir(folder):
    """Flush a folder's entries, so a rename inside it survives a power cut."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write_bytes(path, data, mode=0o600):
    """Write ``data`` to ``path`` so that readers see the old or the new file, whole."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    fsync_dir(path.parent)


def sweep_stale_temp_files(folder, max_age=STALE_TEMP_SECONDS, now=None):
    """Delete the temporary files a crash left in ``folder``; return their names.

    Only names :func:`atomic_write_bytes` makes (``.<name>.<8 random>.tmp``) and only
    ones untouched for ``max_age`` seconds: a write under way in another thread (or
    another process on the same folder) is never pulled from under it.
    """
    now = time.time() if now is None else now
    swept = []
    try:
        entries = list(os.scandir(folder))
    except FileNotFoundError:
        return swept
    for entry in entries:
        if not TEMP_NAME.match(entry.name):
            continue
        try:
            if not entry.is_file(follow_symlinks=False) or \
                    now - entry.stat(follow_symlinks=False).st_mtime < max_age:
                continue
            os.unlink(entry.path)
        except FileNotFoundError:
            continue
        swept.append(entry.name)
    if swept:
        log.warning("%s: deleted %d temporary files a crash left behind: %s", folder,
                    len(swept), ", ".join(sorted(swept)))
    return swept


def encode_json(data):
    """Compact UTF-8 JSON with the values ``json.dumps`` would write, ten times faster.

    A profile with 2,000 cards is 750 kB of JSON, rewritten on every grade: with the
    standard library that alone took 9 ms. orjson may spell a float differently
    (``0.00001`` for ``1e-05``) but always reads back as the same number; anything it
    cannot encode goes to ``json.dumps``.
    """
    try:
        return orjson.dumps(data, option=orjson.OPT_NON_STR_KEYS)
    except TypeError:
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def read_json_file(path):
    """Parse a JSON data file, or raise :class:`DataFileError` naming it."""
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise DataFileError(path, exc.strerror or str(exc)) from exc
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataFileError(path, f"not valid JSON ({exc})") from exc
    except RecursionError as exc:
        raise DataFileError(path, "JSON nested too deeply to read") from exc


def check_tinydb_shape(path, data):
    """Raise :class:`DataFileError` naming ``path`` unless ``data`` is what TinyDB writes.

    TinyDB trusts its file: a list at the top, or a table that is not an object, would
    fail later, somewhere else, as an error that names no file.
    """
    if not isinstance(data, dict):
        raise DataFileError(path, "the top level is not a JSON object")
    for name, table in data.items():
        if not isinstance(table, dict):
            raise DataFileError(path, f"table {name!r} is not a JSON object")
        for doc_id, doc in table.items():
            if not doc_id.isdigit():
                raise DataFileError(path, f"table {name!r} has a document id {doc_id!r} "
                                          "that is not a whole number")
            if not isinstance(doc, dict):
                raise DataFileError(path, f"document {doc_id} of table {name!r} is not a "
                                          "JSON object")
    return data


class AtomicJSONStorage(Storage):
    """A TinyDB storage that writes atomically and keeps a write-through copy in memory."""

    def __init__(self, path, **_ignored):
        self.path = Path(path)
        self._cache = None
        if self.path.exists():
            self._cache = check_tinydb_shape(self.path, read_json_file(self.path))

    def read(self):
        return self._cache

    @property
    def on_disk(self):
        """True once the file exists: it was there when opened, or a write made it."""
        return self._cache is not None

    def write(self, data):
        """Write through to disk; memory follows the disk, never leads it.

        TinyDB edits the dict that read() returned before it calls write(), so when the
        write fails the in-memory copy is already ahead: reload it from the file.
        """
        payload = encode_json(data)
        try:
            atomic_write_bytes(self.path, payload)
        except BaseException:
            self._cache = (check_tinydb_shape(self.path, read_json_file(self.path))
                           if self.path.exists() else None)
            raise
        self._cache = data

    def close(self):
        self._cache = None


def open_db(path):
    """Open the TinyDB at ``path`` with atomic storage. Callers hold :func:`lock_for`."""
    return TinyDB(path, storage=AtomicJSONStorage)
