"""The signed session cookie, re-sent once a day rather than with every response.

Flask re-signs a permanent session and sends it again on every response, so that its
400-day lifetime counts from the latest visit. That costs about a third of a live
session's "no change" poll (200 of them a second) and 200 bytes on every flip. Here the
cookie is sent again when the session changed, or when the copy the browser holds was
signed more than a day ago: the lifetime still slides with use, a day at a time.

The cookie is ``Secure`` behind https: always when the public URL is https
(``SESSION_COOKIE_SECURE``), and for any request that reached us over https
(trainer/web/hosts.py ``is_https``), so it never travels in clear text after that.
"""

import time

from flask import has_request_context
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature

from trainer.web.hosts import is_https

REFRESH_AFTER = 24 * 3600


class DailyRefreshSessionInterface(SecureCookieSessionInterface):
    def open_session(self, app, request):
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        try:
            data, signed_at = serializer.loads(value, max_age=max_age, return_timestamp=True)
        except BadSignature:
            return self.session_class()
        session = self.session_class(data)
        session.signed_at = signed_at.timestamp()
        return session

    def get_cookie_secure(self, app):
        return bool(app.config["SESSION_COOKIE_SECURE"]
                    or (has_request_context() and is_https()))

    def should_set_cookie(self, app, session):
        if session.modified:
            return True
        if not (session.permanent and app.config["SESSION_REFRESH_EACH_REQUEST"]):
            return False
        signed_at = getattr(session, "signed_at", None)
        return signed_at is None or time.time() - signed_at >= REFRESH_AFTER


def init_app(app):
    app.session_interface = DailyRefreshSessionInterface()
