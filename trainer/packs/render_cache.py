"""A disk cache of rendered Markdown, so a restart does not render every pack again.

Rendering (markdown-it, Pygments, nh3) is most of what loading a pack costs: about
2 ms a question, 4 s for 2,000. The registry turns the cache on while it loads
(:func:`caching_renders`); ``render.py`` then looks each Markdown text up by its hash
before rendering it.

* The key is a hash of the text and its kind (block or inline); the file also holds a
  fingerprint of ``render.py`` and the versions of markdown-it, Pygments and nh3, so a
  change to any of them throws the old entries away.
* Only entries used by the latest load are written back, so the file never outgrows
  the packs installed. It is written only when that set changed, atomically, mode 0600.
* The HTML in it is marked safe without being sanitised again, so the file is signed:
  its first line is an HMAC-SHA256 of the rest, keyed from the app's ``SECRET_KEY``
  (:func:`cache_key`). A file whose MAC does not match (edited, written by another
  install, or under another key) is ignored and rebuilt, so the only HTML marked safe is
  HTML that ``render.py`` sanitised, in this run or in one that held the same key. One
  MAC over the whole payload keeps a restart cheap. A file that cannot be read is
  ignored and rebuilt too: it is a cache, never data.
"""

import hashlib
import hmac
import json
import logging
import secrets
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from markupsafe import Markup

from trainer.storage import atomic_write_bytes

log = logging.getLogger(__name__)
ACTIVE: ContextVar["RenderCache | None"] = ContextVar("render_cache", default=None)
RENDER_SOURCE = Path(__file__).with_name("render.py")
MAC_PREFIX = b"hmac-sha256="
# Without a key from the app, a cache file is trusted only by the process that wrote it.
PROCESS_KEY = secrets.token_bytes(32)


def cache_key(secret):
    """The MAC key for the cache file, derived from the app's secret key (str or bytes)."""
    raw = secret.encode() if isinstance(secret, str) else bytes(secret)
    return hmac.new(raw, b"interview-trainer render cache", hashlib.sha256).digest()


def _mac(key, payload):
    return MAC_PREFIX + hmac.new(key, payload, hashlib.sha256).hexdigest().encode()


@cache
def fingerprint():
    """What the rendered HTML depends on besides the text itself."""
    digest = hashlib.blake2b(RENDER_SOURCE.read_bytes(), digest_size=16)
    for name in ("markdown-it-py", "pygments", "nh3"):
        try:
            digest.update(f"|{name}={version(name)}".encode())
        except PackageNotFoundError:
            digest.update(f"|{name}=?".encode())
    return digest.hexdigest()


def key_for(kind, text):
    return hashlib.blake2b(f"{kind}\0{text}".encode(), digest_size=16).hexdigest()


class RenderCache:
    """``key`` signs the file (see :func:`cache_key`); None means this process only."""

    def __init__(self, path, key=None):
        self.path = Path(path)
        self._key = key or PROCESS_KEY
        self._old = self._read()
        self._used = {}

    def _read(self):
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return {}
        except OSError as exc:
            log.warning("render cache %s ignored: %s", self.path, exc)
            return {}
        mac, _, payload = raw.partition(b"\n")
        if not hmac.compare_digest(mac, _mac(self._key, payload)):
            log.warning("render cache %s ignored: its signature does not match", self.path)
            return {}
        try:
            data = json.loads(payload)
        except ValueError as exc:
            log.warning("render cache %s ignored: %s", self.path, exc)
            return {}
        if not isinstance(data, dict) or data.get("fingerprint") != fingerprint():
            return {}
        entries = data.get("entries")
        if not isinstance(entries, dict):
            return {}
        return {k: v for k, v in entries.items() if isinstance(k, str) and isinstance(v, str)}

    def render(self, kind, text, render):
        """The HTML for ``text``: from the cache, or ``render(text)`` (then remembered)."""
        key = key_for(kind, text)
        html = self._used.get(key)
        if html is None:
            html = self._old.get(key)
            if html is None:
                html = str(render(text))
            self._used[key] = html
        return Markup(html)  # noqa: S704 - made by render.py, signed: see the module docstring

    def save(self):
        """Write the entries this load used, if they differ from the file's."""
        if self._used.keys() == self._old.keys():
            return
        payload = json.dumps({"fingerprint": fingerprint(), "entries": self._used},
                             ensure_ascii=False, separators=(",", ":")).encode()
        try:
            atomic_write_bytes(self.path, _mac(self._key, payload) + b"\n" + payload)
        except OSError as exc:
            log.warning("render cache %s not written: %s", self.path, exc)


@contextmanager
def caching_renders(path, key=None):
    """Use the cache at ``path`` for every render in this block (this thread only)."""
    if path is None:
        yield None
        return
    render_cache = RenderCache(path, key)
    token = ACTIVE.set(render_cache)
    try:
        yield render_cache
    finally:
        ACTIVE.reset(token)
    render_cache.save()
