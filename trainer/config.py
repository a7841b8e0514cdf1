"""Configuration from the environment, with safe defaults for one person on one machine.

* ``TRAINER_DATA_DIR``: where profiles, live sessions and installed packs live
  (default: ``$XDG_DATA_HOME/interview-trainer``, else ``~/.local/share/interview-trainer``).
* ``TRAINER_SECRET_KEY``: signs the session cookie. When unset, a random key is made
  once and kept in ``<data>/secret_key`` with mode 0600, so cookies (and with them
  everyone's profile) survive a restart. It is never a constant in the code.
* ``TRAINER_PACKS_DIR``: extra folders of data-only packs (``os.pathsep``-separated);
  ``trainer serve --packs-dir`` adds more (override ``EXTRA_PACK_DIRS``).
* ``TRAINER_ADMIN_TOKEN``: lets an operator upload packs from another machine; without
  it, uploads are accepted from loopback only.
"""

import contextlib
import os
import secrets
import tempfile
from pathlib import Path

from trainer.storage import fsync_dir

SECRET_FILE = "secret_key"  # noqa: S105 (a file name, not a secret)
MIN_SECRET = 32


def default_data_dir():
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "interview-trainer"


def data_dir_from_env():
    value = os.environ.get("TRAINER_DATA_DIR")
    return Path(value).expanduser() if value else default_data_dir()


def extra_pack_dirs_from_env():
    value = os.environ.get("TRAINER_PACKS_DIR", "")
    return [Path(p).expanduser() for p in value.split(os.pathsep) if p.strip()]


def load_or_create_secret(data_dir):
    """Return the secret key stored in ``data_dir``, creating it (mode 0600) once.

    The key is written whole to a temporary file, fsynced, and only then linked to its
    name, so a crash or two servers starting at once never leave an empty key file: the
    first link wins and everyone else reads that key. A key file that exists but holds
    no usable key is an error naming the file, never silently replaced (that would sign
    everyone out).
    """
    path = Path(data_dir) / SECRET_FILE
    try:
        return _read_secret(path)
    except FileNotFoundError:
        pass
    key = secrets.token_hex(32)
    fd, tmp = tempfile.mkstemp(prefix=f".{SECRET_FILE}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as fh:  # mkstemp made it 0600
            fh.write(key)
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:  # another start won the race: use its key
            return _read_secret(path)
        fsync_dir(path.parent)
        return key
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def _read_secret(path):
    key = path.read_text(encoding="ascii", errors="replace").strip()
    if len(key) < MIN_SECRET:
        raise RuntimeError(f"{path} holds no usable secret key (fewer than {MIN_SECRET} "
                           "characters); restore it from a backup, or delete it to make a "
                           "new one (which signs everyone out of their profile)")
    return key


def build_config(overrides=None):
    """The app's settings: environment first, then ``overrides`` from the caller."""
    overrides = dict(overrides or {})
    data_dir = Path(overrides.pop("DATA_DIR", None) or data_dir_from_env())
    data_dir.mkdir(parents=True, exist_ok=True)
    secret = (overrides.pop("SECRET_KEY", None) or os.environ.get("TRAINER_SECRET_KEY")
              or load_or_create_secret(data_dir))
    extra_dirs = [Path(p) for p in overrides.pop("EXTRA_PACK_DIRS", ())]
    config = {
        "DATA_DIR": data_dir,
        "SECRET_KEY": secret,
        "PACK_DIRS": [data_dir / "packs", *extra_pack_dirs_from_env(), *extra_dirs],
        "ADMIN_TOKEN": os.environ.get("TRAINER_ADMIN_TOKEN", ""),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "PERMANENT_SESSION_LIFETIME": 400 * 24 * 3600,
        "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
        "LOAD_ENTRY_POINTS": True,
        "PLUGINS": (),
    }
    config.update(overrides)
    return config
