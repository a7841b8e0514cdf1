"""Response headers that make the browser enforce our security rules.

The Content-Security-Policy allows scripts only from our own origin: no inline script,
no inline handlers, no eval. Keyboard shortcuts therefore live in ``static/keys.js``
and htmx runs with ``allowEval`` off.

With ``HSTS`` on (``--hsts``, ``TRAINER_HSTS=1``), an answer over https also says
Strict-Transport-Security for a year: the browser then uses https only for this host.
Never over plain http (where it would mean nothing, and the header would lock out a
server that has no https yet).
"""

from trainer.web.hosts import is_https

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])

HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}
HSTS = "max-age=31536000"


def add_security_headers(response):
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def add_hsts(response):
    if is_https():
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    return response


def init_app(app):
    app.after_request(add_security_headers)
    if app.config.get("HSTS"):
        app.after_request(add_hsts)
