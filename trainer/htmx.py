"""Small htmx helpers: full page or fragment from one template, and "no change".

One template per page; the part htmx swaps is a named block of that template, so the
full page and the fragment can never drift apart.

A view that asks :func:`is_htmx` answers differently with and without ``HX-Request``, so
every response it gives (a fragment, a full page, a redirect, an error) says so in
``Vary``: :func:`init_app` registers the hook that adds it.
"""

from flask import current_app, g, request

_ASKED = "htmx_asked"


def init_app(app):
    app.after_request(_vary_on_hx_request)


def _vary_on_hx_request(response):
    if g.get(_ASKED) is not None:
        if "Vary" in response.headers:
            response.vary.add("HX-Request")
        else:  # the usual case, without parsing a header set
            response.headers["Vary"] = "HX-Request"
    return response


def is_htmx():
    """True for a request htmx made, per htmx-flask's ``request.htmx``.

    A history restore (htmx found no cached copy on back/forward) wants the whole page.
    Asking marks the response as depending on ``HX-Request`` (see :func:`init_app`).
    """
    answer = g.get(_ASKED)
    if answer is None:  # asked once per request: the headers do not change
        htmx = request.htmx
        answer = bool(htmx) and not htmx.history_restore_request
        setattr(g, _ASKED, answer)
    return answer


def render_page(template_name, block, **context):
    """Render the whole page, or only ``block`` when htmx asked for it.

    The answer depends on the ``HX-Request`` header, so it says so in ``Vary`` (the
    after-request hook adds it, since this asked :func:`is_htmx`): a cache must never
    hand a fragment to a full-page load or the other way round.
    """
    if is_htmx():
        body = render_block(template_name, block, **context)
    else:
        body = current_app.jinja_env.get_template(template_name).render(
            _template_context(context))
    return current_app.make_response(body)


def render_block(template_name, block, **context):
    template = current_app.jinja_env.get_template(template_name)
    ctx = template.new_context(_template_context(context))
    return "".join(template.blocks[block](ctx))


def _template_context(context):
    ctx = dict(context)
    current_app.update_template_context(ctx)
    return ctx


def no_change():
    """'Nothing new' for a poll: 200, empty body, ``HX-Reswap: none``.

    Not 204: waitress closes the connection after a 204, so a poller would reconnect
    every second.
    """
    response = current_app.response_class(b"", status=200)
    response.headers["HX-Reswap"] = "none"
    response.headers["Vary"] = "HX-Request"  # a new response: no Vary to merge with
    return response


def push_url(response, url):
    """Tell htmx which URL the swapped-in state lives at (for reload and back)."""
    is_htmx()  # the answer depends on HX-Request: say so in Vary
    if request.headers.get("HX-Request") == "true":
        response.headers["HX-Push-Url"] = url
    return response
