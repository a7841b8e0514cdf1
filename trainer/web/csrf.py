"""CSRF protection for every state-changing request.

Each browser session holds a random token. Forms send it as the ``csrf_token`` field;
htmx sends it in the ``X-CSRF-Token`` header (set once on ``<body data-hx-headers>``). A
POST, PUT, PATCH or DELETE without the matching token is refused with 400 and a clear
message, before any view runs. A token of the wrong shape (not ASCII, too long) is the
same wrong token: 400, never a comparison that fails with an error.
"""

import hmac
import re
import secrets

from flask import abort, request, session

HEADER = "X-CSRF-Token"
FIELD = "csrf_token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{16,128}")  # what token_urlsafe makes


def csrf_token():
    """The session's token, made on first use."""
    token = session.get("csrf")
    if not token:
        token = session["csrf"] = secrets.token_urlsafe(32)
    return token


def check_csrf():
    """``before_request`` hook: refuse an unsafe request that lacks the session's token."""
    if request.method in SAFE_METHODS:
        return
    expected = session.get("csrf")
    sent = request.headers.get(HEADER) or request.form.get(FIELD)
    if not (expected and sent and TOKEN_SHAPE.fullmatch(sent)
            and hmac.compare_digest(expected.encode("ascii"), sent.encode("ascii"))):
        abort(400, description="The form expired or came from another site (missing or "
                               "wrong CSRF token). Reload the page and try again.")


def init_app(app):
    app.before_request(check_csrf)
    app.jinja_env.globals["csrf_token"] = csrf_token
