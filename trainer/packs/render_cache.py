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
* A first start would spend seconds rendering every question before it could answer
  anyone. So while the registry loads, a text the cache does not hold is not rendered
  there and then: it becomes a :class:`PendingHtml`, which renders (through
  ``render.py``, sanitised) on first use, and a background thread renders every pending
  text right after the load and then writes the file (:meth:`RenderCache.finish`). Each
  text is still rendered once per process, and nothing else is ever marked safe.
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
import time
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


class PendingHtml:
    """Pack Markdown rendered to safe HTML on first use, then kept.

    It behaves as the :class:`~markupsafe.Markup` it stands for: Jinja and markupsafe
    take it through ``__html__``, ``str()`` gives the HTML, and it compares equal to
    the same HTML. Two threads that use it at once may both render it; both get the same
    HTML, so no lock is needed.
    """

    __slots__ = ("_cache", "_html", "_key", "_render", "_text")

    def __init__(self, key, text, render, cache):
        self._key, self._text, self._render, self._cache = key, text, render, cache
        self._html = None

    def __html__(self):
        html = self._html
        if html is None:
            html = self._html = Markup(self._render(self._text))  # noqa: S704 - render.py
            self._cache.remember(self._key, html)
        return html

    def __str__(self):
        return str(self.__html__())

    def __eq__(self, other):
        return str(self) == str(other)

    def __hash__(self):
        return hash(str(self))

    def __repr__(self):
        state = "rendered" if self._html is not None else "pending"
        return f"<PendingHtml {state} {self._text[:30]!r}>"


class RenderCache:
    """``key`` signs the file (see :func:`cache_key`); None means this process only.

    With ``defer``, :meth:`render` hands back a :class:`PendingHtml` for a text the file
    does not hold; :meth:`finish` renders them all and saves.
    """

    def __init__(self, path, key=None, defer=False):
        self.path = Path(path)
        self._key = key or PROCESS_KEY
        self._old = self._read()
        self._used = {}
        self._defer = defer
        self._pending = {}  # key -> PendingHtml: a text used twice is rendered once

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
        """The HTML for ``text``: from the cache, or ``render(text)`` (then remembered).

        Deferring, a text the cache lacks comes back as a :class:`PendingHtml` instead.
        """
        key = key_for(kind, text)
        html = self._used.get(key)
        if html is None:
            html = self._old.get(key)
            if html is None:
                if self._defer:
                    pending = self._pending.get(key)
                    if pending is None:
                        pending = self._pending[key] = PendingHtml(key, text, render, self)
                    return pending
                html = str(render(text))
            self._used[key] = html
        return Markup(html)  # noqa: S704 - made by render.py, signed: see the module docstring

    def remember(self, key, html):
        self._used[key] = str(html)

    @property
    def pending(self):
        return len(self._pending)

    def finish(self, still_wanted=lambda: True):
        """Render every pending text, then save, unless ``still_wanted()`` says no.

        Run in a background thread after a deferred load. ``still_wanted`` lets a later
        load (an upload) stop an older one from writing an outdated file.
        """
        for pending in list(self._pending.values()):
            if not still_wanted():
                return
            pending.__html__()
            time.sleep(0)  # let a waiting request have the GIL between two questions
        if still_wanted():
            self.save()
        # Every question holds its HTML now: the file's old entries need not stay in memory.
        self._pending, self._old, self._used = {}, {}, {}

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
def caching_renders(path, key=None, defer=False):
    """Use the cache at ``path`` for every render in this block (this thread only).

    Without ``defer`` the file is saved at the end of the block; with it, the caller
    calls :meth:`RenderCache.finish` (which saves) when it wants, usually in the
    background.
    """
    if path is None:
        yield None
        return
    render_cache = RenderCache(path, key, defer=defer)
    token = ACTIVE.set(render_cache)
    try:
        yield render_cache
    finally:
        ACTIVE.reset(token)
    if not defer:
        render_cache.save()
