"""Parts of a page rendered once and reused: fragment caching for the hot card.

Most of a card depends on a handful of values, not on who looks at it: the question and
its answer side, the side shown, the mode, the links, the grade buttons' intervals.
``part(name, **values)`` renders the template ``name`` with exactly those values (and
nothing else from the page), keeps the HTML under the values as its key, and hands the
same HTML to every later request with the same values.

* **Holes.** What is the visitor's own is left out of the key and filled in on each use.
  The CSRF token is per session: while a part renders, ``csrf_token()`` gives a hole,
  and each use puts the session's token there (a token is URL-safe base64: nothing to
  escape). ``fill`` names the request's own HTML (a card's counts, its notice, its
  actions): the part's template writes ``{{ fill.counts }}``, a hole while it renders,
  and each use puts that request's ``fill["counts"]`` there. A template included with
  the page instead, ``fill`` a plain dict, reads the same names directly.
* **Keys.** Values that are strings, numbers, booleans or None make the key as they
  are. A frozen record (a frozen dataclass such as a ``Question``: it cannot change once
  made) counts by identity, and its entry holds it, so a record made later at the same
  address never matches an old entry. Anything else, such as a Focus run's dict or a
  typed answer's set of ticked points, renders the part afresh each time: correct, only
  not kept.
* A part's template must not read the request, the session or ``g``; ``url_for`` is fine
  (the mount point is part of the key).
* The cache is per app and bounded, by entries and by the size of the HTML it keeps (a
  card is about 14 kB, and a seen card's intervals change every minute): past
  MAX_ENTRIES or MAX_CHARS it starts again empty. Counting is not locked: two threads
  at once may clear it a little early or late, never serve a wrong part.
"""

import secrets
from dataclasses import is_dataclass

from flask import current_app, request
from markupsafe import Markup, escape

from trainer.web.csrf import csrf_token

EXTENSION = "trainer.web.fragments"
MAX_ENTRIES = 20_000
MAX_CHARS = 16_000_000  # of kept HTML: 16 to 64 MB, as wide as its widest character
_KEYABLE = (str, int, float, bool, type(None))  # values a key may hold as they are
# Fences a hole's name in a part's HTML. NUL plus random hex: no text a pack, a note or
# a form brings can hold it, so splitting at it finds the holes and nothing else.
MARK = f"\x00{secrets.token_hex(8)}\x00"
CSRF_HOLE = "csrf"


def hole(name):
    """Where a part's HTML leaves room for ``name``."""
    return Markup(f"{MARK}{name}{MARK}")  # noqa: S704 - no markup of its own


class _Holes:
    """``fill`` while a part renders: ``fill.counts`` is the hole named counts."""

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return hole(name)

    __getitem__ = __getattr__


def _csrf_hole():
    return hole(CSRF_HOLE)


class _Kept(dict):
    """One app's kept parts, key -> (records, pieces), and how many characters they hold."""

    chars = 0

    def keep(self, key, entry):
        size = sum(len(piece) for piece in entry[1])
        replaced = self.get(key)  # two threads that missed at once keep the same key
        if replaced is not None:
            self.chars -= sum(len(piece) for piece in replaced[1])
        if len(self) >= MAX_ENTRIES or self.chars + size > MAX_CHARS:
            self.clear()
            self.chars = 0
        self[key] = entry
        self.chars += size


_frozen_types = {}  # type -> whether its instances are frozen records (asked per value)


def is_frozen_record(value):
    """True for an instance of a frozen dataclass: it stays as it was made."""
    kind = type(value)
    frozen = _frozen_types.get(kind)
    if frozen is None:
        frozen = _frozen_types[kind] = (is_dataclass(kind)
                                        and kind.__dataclass_params__.frozen)
    return frozen


def part(template_name, fill=None, **values):
    """The HTML of ``template_name`` for ``values``, with this session's CSRF token and
    ``fill`` (name -> safe HTML) in its holes."""
    # Keyword order is fixed at each call site, so the items as given are a key.
    key = [template_name, request.script_root]
    records = []
    for name, value in values.items():
        if isinstance(value, _KEYABLE):
            key.append((name, value))
        elif is_frozen_record(value):
            key.append((name, id(value)))
            records.append(value)
        else:  # a Focus run (a dict): render, do not keep. Asked, never by a TypeError.
            return _filled(_render(template_name, values), fill)
    key = tuple(key)
    cache = current_app.extensions[EXTENSION]
    kept = cache.get(key)
    if kept is not None and all(a is b for a, b in zip(kept[0], records, strict=True)):
        return _filled(kept[1], fill)
    # Kept split at the holes: joining the pieces is one copy, where a replace() would
    # search the whole (often non-ASCII, so wide) string once per hole.
    pieces = _render(template_name, values)
    cache.keep(key, (tuple(records), pieces))
    return _filled(pieces, fill)


def _filled(pieces, fill):
    """The part's HTML: text and hole names take turns in ``pieces``."""
    if len(pieces) == 1:
        return Markup(pieces[0])  # noqa: S704 - autoescaped template
    out = list(pieces)
    token = None
    for i in range(1, len(out), 2):
        if out[i] == CSRF_HOLE:
            token = token or csrf_token()
            out[i] = token
        else:
            out[i] = escape(fill[out[i]])  # one not filled is a KeyError: a bug
    return Markup("".join(out))  # noqa: S704 - autoescaped template, escaped fill


def _render(template_name, values):
    template = current_app.jinja_env.get_template(template_name)
    html = template.render({**values, "csrf_token": _csrf_hole, "fill": _Holes()})
    return tuple(html.split(MARK))


def init_app(app):
    app.extensions[EXTENSION] = _Kept()
    app.jinja_env.globals["part"] = part
