"""Configuration from the environment, with safe defaults for one person on one machine.

* ``TRAINER_DATA_DIR``: where profiles, live sessions and installed packs live
  (default: ``$XDG_DATA_HOME/interview-trainer``, else ``~/.local/share/interview-trainer``).
* ``TRAINER_SECRET_KEY``: signs the session cookie. When unset, a random key is made
  once and kept in ``<data>/secret_key`` with mode 0600, so cookies (and with them
  everyone's profile) survive a restart. It is never a constant in the code.
* ``TRAINER_PACKS_DIR``: extra folders of data-only packs (``os.pathsep``-separated);
  ``trainer serve --packs-dir`` adds more (override ``EXTRA_PACK_DIRS``).
* ``TRAINER_ADMIN_TOKEN``: lets an operator upload packs from another machine; without
  it, uploads are accepted from the machine itself only (trainer/web/operator.py).
* ``TRAINER_PUBLIC_URL``: the address people use, such as ``https://trainer.example.org``
  or ``http://192.168.1.20:8000``; join links and QR codes are built from it, and its
  host is answered (``trainer serve --public-url``).
* ``TRAINER_ALLOWED_HOSTS``: more host names to answer as, comma-separated
  (``--allowed-host``, repeatable). See trainer/web/hosts.py for the default.
* ``TRAINER_TRUSTED_PROXIES``: how many reverse proxies stand in front (``--trusted-proxies``);
  only then are their ``X-Forwarded-*`` headers believed (trainer/web/proxies.py).
* ``TRAINER_HSTS``: ``1`` sends Strict-Transport-Security on https answers (``--hsts``).
"""

import contextlib
import ipaddress
import os
import re
import secrets
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

from trainer.storage import fsync_dir

SECRET_FILE = "secret_key"  # noqa: S105 (a file name, not a secret)
MIN_SECRET = 32
DEFAULT_PORTS = {"http": 80, "https": 443}
# Labels of letters, digits, "-" and "_" (docker service names have it), dot-separated.
HOST_NAME = re.compile(r"[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*\.?")


class ConfigError(RuntimeError):
    """A setting that cannot work; ``trainer serve`` prints it and stops."""


def default_data_dir():
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "interview-trainer"


def data_dir_from_env():
    value = os.environ.get("TRAINER_DATA_DIR")
    return Path(value).expanduser() if value else default_data_dir()


def extra_pack_dirs_from_env():
    value = os.environ.get("TRAINER_PACKS_DIR", "")
    return [Path(p).expanduser() for p in value.split(os.pathsep) if p.strip()]


def _secret_from(value, source):
    if len(value) < MIN_SECRET:
        raise ConfigError(f"{source} is {len(value)} characters long; a secret key needs at "
                          f"least {MIN_SECRET} (make one with: python -c 'import secrets; "
                          "print(secrets.token_hex(32))'), or unset it to have one kept "
                          "in the data folder")
    return value


def normal_host(value, source):
    """``value`` as a lower-case ``name`` or ``name:port`` (IPv6 in brackets), or an error.

    What the Host header is compared with (trainer/web/hosts.py): a port given here must
    match; without one, any port does.
    """
    text = value.strip().lower()
    name, port = text, None
    if text.startswith("["):
        name, _, rest = text.partition("]")
        name += "]"
        if rest:
            if not rest.startswith(":"):
                raise ConfigError(f"{source}: '{value}' is not a host name or address")
            port = rest[1:]
    elif text.count(":") == 1:
        name, port = text.split(":")
    elif ":" in text:  # a bare IPv6 address
        name = f"[{text}]"
    if name.startswith("["):
        try:
            ipaddress.IPv6Address(name[1:-1])
        except ValueError:
            raise ConfigError(f"{source}: '{value}' is not an IPv6 address") from None
    elif not HOST_NAME.fullmatch(name):
        raise ConfigError(f"{source}: '{value}' is not a host name or address")
    if port is not None:
        if not port.isdigit() or not 0 < int(port) < 65536:
            raise ConfigError(f"{source}: '{value}' has no valid port")
        return f"{name.rstrip('.')}:{int(port)}"
    return name.rstrip(".")


def public_url(value, source="TRAINER_PUBLIC_URL"):
    """``value`` as ``scheme://host[:port][/path]``, default port and trailing slash dropped.

    The address people reach the trainer at; a path is where a proxy mounts it.
    """
    value = value.strip()
    if not value:
        return ""
    parts = urlsplit(value)
    if parts.scheme not in DEFAULT_PORTS or not parts.netloc:
        raise ConfigError(f"{source}: '{value}' is not an http:// or https:// URL "
                          "(for example https://trainer.example.org)")
    if parts.username or parts.password or parts.query or parts.fragment:
        raise ConfigError(f"{source}: '{value}' must be scheme, host, port and path only")
    host = normal_host(parts.netloc, source)
    if host.endswith(f":{DEFAULT_PORTS[parts.scheme]}"):
        host = host.rpartition(":")[0]
    return f"{parts.scheme}://{host}{parts.path.rstrip('/')}"


def _allowed_hosts(extra):
    listed = os.environ.get("TRAINER_ALLOWED_HOSTS", "").replace(",", " ").split()
    hosts = [normal_host(h, "TRAINER_ALLOWED_HOSTS") for h in listed]
    hosts += [normal_host(h, "--allowed-host") for h in extra]
    return tuple(dict.fromkeys(hosts))


def _trusted_proxies(value):
    if value in (None, ""):
        value = os.environ.get("TRAINER_TRUSTED_PROXIES", "0").strip() or "0"
    try:
        count = int(value)
    except (TypeError, ValueError):
        count = -1
    if not 0 <= count <= 10:
        raise ConfigError(f"TRAINER_TRUSTED_PROXIES: '{value}' is not a number of proxies "
                          "(0 to 10)")
    return count


def _flag(name):
    value = os.environ.get(name, "").strip().lower()
    if value not in ("", "0", "1", "true", "false", "yes", "no", "on", "off"):
        raise ConfigError(f"{name}: '{value}' is neither 1 nor 0")
    return value in ("1", "true", "yes", "on")


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
        raise ConfigError(f"{path} holds no usable secret key (fewer than {MIN_SECRET} "
                          "characters); restore it from a backup, or delete it to make a "
                          "new one (which signs everyone out of their profile)")
    return key


# The one limit of a progress import (views/profile.py, the profile page): about 60,000
# reviews, years of daily practice. A request may carry that file and the form around it.
IMPORT_MAX_BYTES = 32 * 1024 * 1024
FORM_OVERHEAD = 64 * 1024


def build_config(overrides=None):
    """The app's settings: environment first, then ``overrides`` from the caller."""
    overrides = dict(overrides or {})
    data_dir = Path(overrides.pop("DATA_DIR", None) or data_dir_from_env())
    data_dir.mkdir(parents=True, exist_ok=True)
    secret = overrides.pop("SECRET_KEY", None)
    if secret:
        secret = _secret_from(secret, "SECRET_KEY")
    elif os.environ.get("TRAINER_SECRET_KEY"):
        secret = _secret_from(os.environ["TRAINER_SECRET_KEY"], "TRAINER_SECRET_KEY")
    else:
        secret = load_or_create_secret(data_dir)
    extra_dirs = [Path(p) for p in overrides.pop("EXTRA_PACK_DIRS", ())]
    given_url = overrides.pop("PUBLIC_URL", None)
    url = (public_url(given_url, "--public-url") if given_url
           else public_url(os.environ.get("TRAINER_PUBLIC_URL", "")))
    hsts = overrides.pop("HSTS", None)
    config = {
        "DATA_DIR": data_dir,
        "SECRET_KEY": secret,
        "PACK_DIRS": [data_dir / "packs", *extra_pack_dirs_from_env(), *extra_dirs],
        "ADMIN_TOKEN": os.environ.get("TRAINER_ADMIN_TOKEN", ""),
        "PUBLIC_URL": url,
        "ALLOWED_HOSTS": _allowed_hosts(overrides.pop("EXTRA_ALLOWED_HOSTS", ())),
        "TRUSTED_PROXIES": _trusted_proxies(overrides.pop("TRUSTED_PROXIES", None)),
        "HSTS": _flag("TRAINER_HSTS") if hsts is None else bool(hsts),
        "LISTEN": overrides.pop("LISTEN", None),  # (host, port) of trainer serve, or None
        # Secure whenever the public URL is https; per request, also when the request
        # itself is (trainer/web/sessions.py).
        "SESSION_COOKIE_SECURE": url.startswith("https://"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "PERMANENT_SESSION_LIFETIME": 400 * 24 * 3600,
        "MAX_CONTENT_LENGTH": IMPORT_MAX_BYTES + FORM_OVERHEAD,  # the largest request
        "LOAD_ENTRY_POINTS": True,
        "PLUGINS": (),
    }
    config.update(overrides)
    return config
