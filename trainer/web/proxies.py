"""Reverse proxies are configured, never guessed.

With ``--trusted-proxies N`` (``TRAINER_TRUSTED_PROXIES``), werkzeug's ProxyFix believes
the last ``N`` hops of ``X-Forwarded-For``, ``-Proto``, ``-Host``, ``-Port`` and
``-Prefix``: the client's address (the live sessions' wrong-code limit counts it), https
(the Secure cookie and HSTS), the public host and the mount point. Without it, those
headers change nothing: the address is the peer's, and the scheme is what the server saw.

Either way the headers still reach the app (``trainer serve`` keeps waitress's
``clear_untrusted_proxy_headers=False``): a request that carries one came through a
proxy, even from loopback, and so is never the operator's (trainer/web/operator.py).
"""

from flask import request
from werkzeug.middleware.proxy_fix import ProxyFix

FORWARDING_HEADERS = ("Forwarded", "X-Forwarded-For", "X-Forwarded-Host",
                      "X-Forwarded-Proto", "X-Forwarded-Port", "X-Forwarded-Prefix",
                      "X-Real-IP", "X-Client-IP", "Via")


def is_forwarded():
    """The request names a hop before the peer: it came through a proxy."""
    headers = request.headers
    return any(name in headers for name in FORWARDING_HEADERS)


def peer_address():
    """The address of whoever opened the connection, before ProxyFix rewrote it."""
    environ = request.environ
    original = environ.get("werkzeug.proxy_fix.orig") or {}
    return original.get("REMOTE_ADDR") or environ.get("REMOTE_ADDR") or ""


def init_app(app):
    hops = app.config.get("TRUSTED_PROXIES") or 0
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops,
                                x_port=hops, x_prefix=hops)
