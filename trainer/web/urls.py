"""``url_for`` for templates, remembered: a flip builds the same card links every time.

Building a URL through Werkzeug's map costs about 7 µs; a card fragment builds ten. The
answer depends only on the endpoint, its arguments and the mount point
(``request.script_root``), so it is kept per app. Anything that could make the answer
depend on more (``_external``, ``_anchor`` and the other underscore options, a
``url_defaults`` callback, no request) goes to Flask's ``url_for`` uncached.

``public_url_for`` is the one way to build a link that leaves this browser (a join link,
a QR code, a hand-over link): from the public URL when one is set, never from the
request's ``Host``.
"""

from flask import current_app, has_request_context, request
from flask import url_for as flask_url_for

MAX_ENTRIES = 20_000
EXTENSION = "trainer.url_cache"


def cached_url_for(endpoint, **values):
    if not has_request_context():
        return flask_url_for(endpoint, **values)
    for name in values:
        if name[:1] == "_":
            return flask_url_for(endpoint, **values)
    app = current_app
    for callbacks in app.url_default_functions.values():
        if callbacks:
            return flask_url_for(endpoint, **values)
    blueprint = request.blueprint if endpoint[:1] == "." else None
    try:
        # Keyword order is fixed at each call site: the items as given make the key (the
        # same URL reached with another order is one more entry, never a wrong one).
        key = (request.script_root, blueprint, endpoint, *values.items())
        cache = app.extensions[EXTENSION]
        url = cache.get(key)
    except TypeError:  # an unhashable argument, such as a list
        return flask_url_for(endpoint, **values)
    if url is None:
        url = flask_url_for(endpoint, **values)
        if len(cache) >= MAX_ENTRIES:
            cache.clear()
        cache[key] = url
    return url


def public_url_for(endpoint, **values):
    """An absolute URL for people elsewhere: ``PUBLIC_URL`` + path when set, else built
    from the request (whose ``Host`` trainer/web/hosts.py already allowed).

    The public URL's own path is the mount point as people see it, so the request's
    mount point (``script_root``, from a trusted proxy's prefix) is taken off first.
    """
    public = current_app.config.get("PUBLIC_URL")
    if not public:
        return flask_url_for(endpoint, _external=True, **values)
    path = flask_url_for(endpoint, **values)
    root = request.script_root if has_request_context() else ""
    if root and path.startswith(root):
        path = path[len(root):]
    return public + path


def init_app(app):
    app.extensions[EXTENSION] = {}
    app.jinja_env.globals["url_for"] = cached_url_for
