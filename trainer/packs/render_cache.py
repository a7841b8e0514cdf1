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
* The HTML in it was made by ``render.py`` (sanitised) in an earlier run. It lives in
  the data folder, which is trusted like the secret key beside it. A file that cannot
  be read is ignored and rebuilt: it is a cache, never data.
"""

import hashlib
import json
import logging
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
    def __init__(self, path):
        self.path = Path(path)
        self._old = self._read()
        self._used = {}

    def _read(self):
        try:
            data = json.loads(self.path.read_bytes())
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
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
        return Markup(html)  # noqa: S704 - made by render.py, see the module docstring

    def save(self):
        """Write the entries this load used, if they differ from the file's."""
        if self._used.keys() == self._old.keys():
            return
        payload = json.dumps({"fingerprint": fingerprint(), "entries": self._used},
                             ensure_ascii=False, separators=(",", ":")).encode()
        try:
            atomic_write_bytes(self.path, payload)
        except OSError as exc:
            log.warning("render cache %s not written: %s", self.path, exc)


@contextmanager
def caching_renders(path):
    """Use the cache at ``path`` for every render in this block (this thread only)."""
    if path is None:
        yield None
        return
    render_cache = RenderCache(path)
    token = ACTIVE.set(render_cache)
    try:
        yield render_cache
    finally:
        ACTIVE.reset(token)
    render_cache.save()
