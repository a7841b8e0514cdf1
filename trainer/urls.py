"""``url_for`` for templates, remembered: a flip builds the same card links every time.

Building a URL through Werkzeug's map costs about 13 µs; a card fragment builds nine,
about a sixth of a flip's own work. The answer depends only on the endpoint, its
arguments and the mount point (``request.script_root``), so it is kept per app. Anything
that could make the answer depend on more (``_external``, ``_anchor`` and the other
underscore options, a ``url_defaults`` callback, no request) goes to Flask's
``url_for`` uncached.
"""

from flask import current_app, has_request_context, request
from flask import url_for as flask_url_for

MAX_ENTRIES = 20_000
EXTENSION = "trainer.url_cache"


def cached_url_for(endpoint, **values):
    if (not has_request_context() or any(k.startswith("_") for k in values)
            or any(current_app.url_default_functions.values())):
        return flask_url_for(endpoint, **values)
    blueprint = request.blueprint if endpoint.startswith(".") else None
    try:
        key = (request.script_root, blueprint, endpoint, frozenset(values.items()))
        cache = current_app.extensions[EXTENSION]
        url = cache.get(key)
    except TypeError:  # an unhashable argument, such as a list
        return flask_url_for(endpoint, **values)
    if url is None:
        url = flask_url_for(endpoint, **values)
        if len(cache) >= MAX_ENTRIES:
            cache.clear()
        cache[key] = url
    return url


def init_app(app):
    app.extensions[EXTENSION] = {}
    app.jinja_env.globals["url_for"] = cached_url_for
