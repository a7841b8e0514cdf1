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

import os
import secrets
from pathlib import Path

SECRET_FILE = "secret_key"  # noqa: S105 (a file name, not a secret)


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
    """Return the secret key stored in ``data_dir``, creating it (mode 0600) once."""
    path = Path(data_dir) / SECRET_FILE
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        fd = None
    if fd is None:
        key = path.read_text(encoding="ascii").strip()
        if len(key) < 32:
            raise RuntimeError(f"{path} holds no usable secret key; delete it to make a new one")
        return key
    key = secrets.token_hex(32)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(key)
        fh.flush()
        os.fsync(fh.fileno())
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
