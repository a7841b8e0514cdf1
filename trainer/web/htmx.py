"""Answering htmx: one way to choose a full page, a fragment or a redirect.

One template per page; the part htmx swaps is a named block of that template, so the
full page and the fragment come from the same source and cannot drift apart. A block is
rendered by jinja2-fragments, which hands template errors to Jinja's own
``handle_exception``: a traceback names the template file and line, not ``<template>``.

A view that asks :func:`is_htmx` answers differently with and without ``HX-Request``, so
every response it gives (a fragment, a full page, a redirect, an error) says so in
``Vary``: :func:`init_app` registers the hook that adds it.
"""

from http import HTTPStatus

from flask import current_app, flash, g, redirect, request
from jinja2_fragments import render_block as _render_fragment

# htmx's own statuses and headers, named once (as django-htmx does).
HTMX_STOP_POLLING = 286  # htmx stops an ``hx-trigger="every ..."`` poll on this status
HX_PUSH_URL = "HX-Push-Url"
HX_RESWAP = "HX-Reswap"
HX_REQUEST = "HX-Request"
SEE_OTHER = HTTPStatus.SEE_OTHER

_ASKED = "htmx_asked"


def init_app(app):
    app.after_request(_vary_on_hx_request)


def _vary_on_hx_request(response):
    if g.get(_ASKED) is not None:
        if "Vary" in response.headers:
            response.vary.add(HX_REQUEST)
        else:  # the usual case, without parsing a header set
            response.headers["Vary"] = HX_REQUEST
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


def respond(template_name, block=None, *, status=200, push_url=None, redirect_to=None,
            block_html=None, **context):
    """The one answer of a view: a page, its ``block`` for htmx, or a redirect.

    * ``redirect_to``: a plain form post (no htmx) is sent there with 303, so reload and
      back work, and the ``notice`` of the context goes with it as a flashed message, so
      the page it lands on says what happened; htmx gets the block in place, at
      ``push_url`` (or ``redirect_to``).
    * ``push_url``: the URL the state shown lives at, so htmx puts it in the address bar.
    * ``block`` None: always the full page (a page htmx never swaps a part of).
    * ``block_html``: the block's HTML, for a block the view builds itself (kept parts,
      trainer/web/fragments.py), written in the template as ``{{ <block>_html }}`` and
      nothing else: ``{% block card %}{{ card_html }}{% endblock %}``. htmx gets it as
      is; the page renders around it. A flip's card is one, and rendering the block
      only to copy it cost a fifth of the flip (docs/performance.md).
    """
    htmx = is_htmx()
    if redirect_to is not None and not htmx:
        if context.get("notice"):
            flash(context["notice"], "ok")
        return redirect(redirect_to, SEE_OTHER)
    if block_html is not None:
        context[f"{block}_html"] = block_html
    if htmx and block_html is not None:
        body = block_html
    elif htmx and block is not None:
        body = render_fragment(template_name, block, **context)
    else:
        body = current_app.jinja_env.get_template(template_name).render(
            _template_context(context))
    response = current_app.make_response((body, status))
    url = push_url or redirect_to
    if htmx and url is not None:
        response.headers[HX_PUSH_URL] = url
    return response


def render_fragment(template_name, block, **context):
    """Only ``block`` of ``template_name``, with the app's template context."""
    return _render_fragment(current_app.jinja_env, template_name, block,
                            **_template_context(context))


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
    response.headers[HX_RESWAP] = "none"
    response.headers["Vary"] = HX_REQUEST  # a new response: no Vary to merge with
    return response
