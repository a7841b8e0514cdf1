"""Parts of a page rendered once and reused: fragment caching for the hot card.

A card's actions (star, bury, note, undo) are the largest part of the card template, yet
they depend on a handful of plain values: the pack and question, the side shown, the
mode, and the card's marks. ``part(name, **values)`` renders the template ``name`` with
exactly those values (and nothing else from the page), keeps the HTML under the values
as its key, and hands the same HTML to every later request with the same values.

* The CSRF token is per session, so it is left out: while a part renders,
  ``csrf_token()`` gives a placeholder, and each use puts the session's token in its
  place (a token is URL-safe base64: nothing to escape).
* Values that are strings, numbers, booleans or None make the key. Anything else, such
  as a Focus run's dict, renders the part afresh each time: correct, only not cached.
* A part's template must not read the request, the session or ``g``; ``url_for`` is fine
  (the mount point is part of the key).
* The cache is per app and bounded: past MAX_ENTRIES it starts again empty.
"""

from flask import current_app, request
from markupsafe import Markup

from trainer.web.csrf import csrf_token

EXTENSION = "trainer.web.fragments"
MAX_ENTRIES = 20_000
_KEYABLE = (str, int, float, bool, type(None))  # values a key may hold as they are
PLACEHOLDER = "\x00csrf-token\x00"  # never in rendered HTML: Jinja output has no NUL


def _placeholder():
    return PLACEHOLDER


def part(template_name, **values):
    """The HTML of ``template_name`` for ``values``, with this session's CSRF token."""
    if not all(isinstance(v, _KEYABLE) for v in values.values()):
        # A Focus run (a dict): render, do not keep. Asked first, never by a TypeError.
        return Markup(_render(template_name, values).replace(PLACEHOLDER, csrf_token()))  # noqa: S704
    # Keyword order is fixed at each call site, so the items as given are a key.
    key = (template_name, request.script_root, *values.items())
    cache = current_app.extensions[EXTENSION]
    html = cache.get(key)
    if html is None:
        html = _render(template_name, values)
        if len(cache) >= MAX_ENTRIES:
            cache.clear()
        cache[key] = html
    return Markup(html.replace(PLACEHOLDER, csrf_token()))  # noqa: S704 - autoescaped template


def _render(template_name, values):
    template = current_app.jinja_env.get_template(template_name)
    return template.render({**values, "csrf_token": _placeholder})


def init_app(app):
    app.extensions[EXTENSION] = {}
    app.jinja_env.globals["part"] = part
