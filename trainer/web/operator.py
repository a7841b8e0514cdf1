"""Who is the operator: the one rule for uploading and removing packs and seeing paths.

The operator is whoever sends the admin token the server was started with
(``TRAINER_ADMIN_TOKEN``: the ``admin_token`` form field, or the ``X-Admin-Token`` header
for scripts), or a request from the machine itself that no one else could have made:

* the connection comes from a loopback address, and no proxy forwarded it (a request
  that carries any forwarding header is someone else's, trusted proxy or not);
* its ``Host`` is a loopback name, so no rebinding page sent it (trainer/web/hosts.py);
* it comes from our own page: its ``Origin``, when sent, is our origin, and its
  ``Sec-Fetch-Site``, when sent, is ``same-origin`` (or ``none`` for a GET the person
  typed or bookmarked). Browsers send these on every POST and cannot be made to forge
  them, so a page of another origin in the same browser (another port on 127.0.0.1 too)
  is refused; a request with neither is no browser's (``curl``, a test client).
"""

import hmac

from flask import current_app, request

from trainer.web.hosts import ip_of, is_loopback_name, split_host
from trainer.web.proxies import is_forwarded, peer_address

TOKEN_FIELD = "admin_token"  # noqa: S105 (the name of a form field, not a secret)
TOKEN_HEADER = "X-Admin-Token"  # noqa: S105 (a header name)
SAFE_METHODS = {"GET", "HEAD"}
DEFAULT_PORTS = {"http": 80, "https": 443}
# What a decision depends on besides the session: answers that differ by them say so.
VARY = ("Origin", "Sec-Fetch-Site", TOKEN_HEADER)


def token_ok():
    """The request carries the admin token (a server without one has no token to send)."""
    expected = current_app.config.get("ADMIN_TOKEN") or ""
    sent = request.headers.get(TOKEN_HEADER) or request.form.get(TOKEN_FIELD) or ""
    if not expected or not sent:
        return False
    return hmac.compare_digest(expected.encode("utf-8", "surrogatepass"),
                               sent.encode("utf-8", "surrogatepass"))


def _origin(scheme, host):
    name, port = split_host(host)
    return scheme, name, port or DEFAULT_PORTS.get(scheme)


def own_origin():
    return _origin(request.scheme, request.host)


def from_our_page():
    """Nothing in the request says another origin's page sent it."""
    origin = request.headers.get("Origin")
    if origin is not None:
        scheme, _, host = origin.partition("://")
        if origin == "null" or not host or _origin(scheme.lower(), host) != own_origin():
            return False
    site = request.headers.get("Sec-Fetch-Site")
    allowed = ("same-origin", "none") if request.method in SAFE_METHODS else ("same-origin",)
    return site is None or site in allowed


def is_local_operator():
    """The person at the machine, on our own page, with no proxy in between."""
    address = ip_of(peer_address())
    return (address is not None and address.is_loopback and not is_forwarded()
            and is_loopback_name(split_host(request.host)[0]) and from_our_page())


def is_operator():
    return is_local_operator() or token_ok()
